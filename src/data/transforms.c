/* torchvision.transforms' ToTensor and Normalize on image tensors, with their float32 arithmetic. */
#include "core/tensor.h"

#include <stdlib.h>

cg_tensor *cg_transform_to_tensor(cg_tensor *images) {
    if (!images) return NULL;
    if (images->ndim < 2 || cg_dtype_is_floating(images->dtype)) {
        cg_set_type_error("ToTensor: expected integer images of shape [..., H, W] (bytes 0..255), got %s of shape %s",
                          cg_dtype_name(images->dtype), cg_shape_text(images->ndim, images->sizes).s);
        return NULL;
    }
    return cg_unsqueeze(cg_div_scalar(cg_to(images, CG_FLOAT32), 255), images->ndim - 2);
}

/* mean or std as torch.as_tensor(values, dtype).view(-1, 1, 1) makes it. */
static cg_tensor *per_channel(int n, const double *values, cg_dtype dtype) {
    float f[CG_NORMALIZE_MAX_CHANNELS];
    for (int c = 0; c < n; c++) f[c] = (float)values[c];
    return cg_from_data(dtype == CG_FLOAT32 ? (const void *)f : (const void *)values, dtype, 3, (int64_t[]){n, 1, 1});
}

cg_tensor *cg_transform_normalize(cg_tensor *images, int n, const double *mean, const double *std) {
    if (!images || !mean || !std) return NULL;
    if (n < 1 || n > CG_NORMALIZE_MAX_CHANNELS) {
        cg_set_value_error("Normalize: %d channels of mean and std (1 to %d)", n, CG_NORMALIZE_MAX_CHANNELS);
        return NULL;
    }
    if (!cg_dtype_is_floating(images->dtype)) {
        cg_set_type_error("Input tensor should be a float tensor. Got torch.%s.", cg_dtype_name(images->dtype));
        return NULL;
    }
    if (images->ndim < 3) {
        cg_set_value_error("Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = torch.Size(%s)",
                           cg_shape_text(images->ndim, images->sizes).s);
        return NULL;
    }
    for (int c = 0; c < n; c++)
        if (images->dtype == CG_FLOAT32 ? (float)std[c] == 0 : std[c] == 0) {
            cg_set_value_error("std evaluated to zero after conversion to torch.%s, leading to division by zero.",
                               cg_dtype_name(images->dtype));
            return NULL;
        }
    return cg_div(cg_sub(images, per_channel(n, mean, images->dtype)), per_channel(n, std, images->dtype));
}
