/* Inference mode (torch.inference_mode): grad mode off, and tensors made meanwhile are inference
 * tensors, which autograd never records (their storage says so; views share it). Cheaper than
 * no_grad: their views carry no autograd state. PyTorch's errors come where they are later saved
 * for backward (node.c, cg_save), written in place (inplace.c), made to require grad (state.c) or
 * asked for their version (core/tensor.c). */
#include "autograd/autograd.h"

_Thread_local bool cg_inference_mode_;

bool cg_is_inference_mode_enabled(void) { return cg_inference_mode_; }

bool cg_is_inference(const cg_tensor *t) { return t && t->storage->inference; }

int cg_inference_mode_begin(bool enabled) {
    int previous = (int)cg_inference_mode_ | (int)cg_is_grad_enabled() << 1;
    cg_inference_mode_ = enabled;
    cg_set_grad_enabled(!enabled); /* as PyTorch's InferenceMode guard */
    return previous;
}

void cg_inference_mode_end(int previous) {
    cg_inference_mode_ = previous & 1;
    cg_set_grad_enabled(previous >> 1 & 1);
}
