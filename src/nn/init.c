/* torch.nn.init: each fill is the same call on the default generator that PyTorch's makes, with
 * the bound or std computed in double in PyTorch's order, so the bits match for the same seed.
 * orthogonal_ needs a QR factorization: with CG_HAVE_BLAS it calls OpenBLAS's LAPACK (geqrf,
 * orgqr), which is what Debian's PyTorch calls too (its liblapack.so.3 is OpenBLAS's), so the bits
 * match; without it a plain Householder QR gives the same Q to rounding. */
#include "nn/nn.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double cg_nn_init_calculate_gain(const char *nonlinearity, double param) {
    static const char *const linear[] = {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                                         "conv_transpose2d", "conv_transpose3d", "sigmoid"};
    if (!nonlinearity) return NAN;
    for (size_t i = 0; i < sizeof linear / sizeof *linear; i++)
        if (!strcmp(nonlinearity, linear[i])) return 1;
    if (!strcmp(nonlinearity, "tanh")) return 5.0 / 3;
    if (!strcmp(nonlinearity, "relu")) return sqrt(2.0);
    if (!strcmp(nonlinearity, "leaky_relu")) {
        double slope = isnan(param) ? 0.01 : param;
        return sqrt(2.0 / (1 + slope * slope));
    }
    if (!strcmp(nonlinearity, "selu")) return 3.0 / 4;
    cg_set_value_error("Unsupported nonlinearity %s", nonlinearity);
    return NAN;
}

/* torch.nn.init._calculate_fan_in_and_fan_out. */
static int fans(const cg_tensor *t, double *fan_in, double *fan_out) {
    if (cg_ndim(t) < 2) {
        cg_set_value_error("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
        return -1;
    }
    int64_t receptive = 1;
    for (int d = 2; d < cg_ndim(t); d++) receptive *= cg_size(t, d);
    *fan_in = (double)(cg_size(t, 1) * receptive);
    *fan_out = (double)(cg_size(t, 0) * receptive);
    return 0;
}

/* Fills run without recording, as under PyTorch's torch.no_grad(). */
int cg_nn_init_uniform_(cg_tensor *t, double a, double b) {
    if (!t) return -1;
    int rc = -1;
    CG_NO_GRAD { rc = cg_uniform_(t, a, b); }
    return rc;
}

int cg_nn_init_normal_(cg_tensor *t, double mean, double std) {
    if (!t) return -1;
    int rc = -1;
    CG_NO_GRAD { rc = cg_normal_(t, mean, std); }
    return rc;
}

int cg_nn_init_constant_(cg_tensor *t, double value) {
    if (!t) return -1;
    int rc = -1;
    CG_NO_GRAD { rc = cg_fill_(t, value); }
    return rc;
}

int cg_nn_init_zeros_(cg_tensor *t) { return cg_nn_init_constant_(t, 0.0); }
int cg_nn_init_ones_(cg_tensor *t) { return cg_nn_init_constant_(t, 1.0); }

int cg_nn_init_eye_(cg_tensor *t) {
    if (!t) return -1;
    if (cg_ndim(t) != 2) {
        cg_set_value_error("Only tensors with 2 dimensions are supported");
        return -1;
    }
    int rc = -1;
    CG_SCOPE {
        cg_tensor *eye = cg_eye(cg_size(t, 0), cg_size(t, 1), cg_get_dtype(t));
        CG_NO_GRAD { rc = eye ? cg_copy_(t, eye) : -1; }
    }
    return rc;
}

int cg_nn_init_xavier_uniform_(cg_tensor *t, double gain) {
    double fan_in, fan_out;
    if (!t || fans(t, &fan_in, &fan_out) != 0) return -1;
    double std = gain * sqrt(2.0 / (fan_in + fan_out));
    double a = sqrt(3.0) * std;
    return cg_nn_init_uniform_(t, -a, a);
}

int cg_nn_init_xavier_normal_(cg_tensor *t, double gain) {
    double fan_in, fan_out;
    if (!t || fans(t, &fan_in, &fan_out) != 0) return -1;
    return cg_nn_init_normal_(t, 0, gain * sqrt(2.0 / (fan_in + fan_out)));
}

/* kaiming's std, or a negative value when t has no elements (PyTorch warns and does nothing). */
static int kaiming_std(cg_tensor *t, double a, cg_fan_mode mode, const char *nonlinearity, double *std) {
    if (cg_numel(t) == 0) {
        cg_warn("Initializing zero-element tensors is a no-op");
        *std = -1;
        return 0;
    }
    double fan_in, fan_out;
    if (fans(t, &fan_in, &fan_out) != 0) return -1;
    double gain = cg_nn_init_calculate_gain(nonlinearity ? nonlinearity : "leaky_relu", a);
    if (isnan(gain)) return -1;
    *std = gain / sqrt(mode == CG_FAN_OUT ? fan_out : fan_in);
    return 0;
}

int cg_nn_init_kaiming_uniform_(cg_tensor *t, double a, cg_fan_mode mode, const char *nonlinearity) {
    double std;
    if (!t || kaiming_std(t, a, mode, nonlinearity, &std) != 0) return -1;
    if (std < 0) return 0;
    double bound = sqrt(3.0) * std;
    return cg_nn_init_uniform_(t, -bound, bound);
}

int cg_nn_init_kaiming_normal_(cg_tensor *t, double a, cg_fan_mode mode, const char *nonlinearity) {
    double std;
    if (!t || kaiming_std(t, a, mode, nonlinearity, &std) != 0) return -1;
    if (std < 0) return 0;
    return cg_nn_init_normal_(t, 0, std);
}

/* Linear's and Conv's reset_parameters: kaiming_uniform_(a=sqrt(5)) on the weight, then the bias
 * from U(-1/sqrt(fan_in), 1/sqrt(fan_in)); a convolution with fan_in 0 leaves its bias unfilled
 * (draws nothing), a Linear draws U(0, 0). */
int nn_reset_parameters(cg_tensor *weight, cg_tensor *bias, bool conv) {
    if (cg_nn_init_kaiming_uniform_(weight, sqrt(5.0), CG_FAN_IN, "leaky_relu") != 0) return -1;
    if (!bias) return 0;
    double fan_in, fan_out;
    if (fans(weight, &fan_in, &fan_out) != 0) return -1;
    if (conv && fan_in == 0) return 0;
    double bound = fan_in > 0 ? 1 / sqrt(fan_in) : 0;
    return cg_nn_init_uniform_(bias, -bound, bound);
}

/* ---- trunc_normal_: uniform draws mapped through PyTorch's erfinv ---- */

/* PyTorch 1.13's calc_erfinv (a rational first guess, two Newton steps), in T's arithmetic. Its
 * CPU kernels are built with FMA contraction, so each Horner step is one fused multiply-add. */
#define DEFINE_ERFINV(name, T, FMA, ABS, SQRT, LOG, ERF, EXP, COPYSIGN)                                      \
    static T name(T y) {                                                                                    \
        static const T a[4] = {0.886226899, -1.645349621, 0.914624893, -0.140543331};                       \
        static const T b[4] = {-2.118377725, 1.442710462, -0.329097515, 0.012229801};                       \
        static const T c[4] = {-1.970840454, -1.624906493, 3.429567803, 1.641345311};                       \
        static const T d[2] = {3.543889200, 1.637067800};                                                   \
        T y_abs = ABS(y), x;                                                                                \
        if (y_abs > 1) return (T)NAN;                                                                       \
        if (y_abs == 1) return COPYSIGN((T)INFINITY, y);                                                    \
        if (y_abs <= (T)0.7) {                                                                              \
            T z = y * y;                                                                                    \
            T num = FMA(FMA(FMA(a[3], z, a[2]), z, a[1]), z, a[0]);                                         \
            T dem = FMA(FMA(FMA(FMA(b[3], z, b[2]), z, b[1]), z, b[0]), z, (T)1);                           \
            x = y * num / dem;                                                                              \
        } else {                                                                                            \
            T z = SQRT(-LOG(((T)1 - y_abs) / (T)2));                                                        \
            T num = FMA(FMA(FMA(c[3], z, c[2]), z, c[1]), z, c[0]);                                         \
            T dem = FMA(FMA(d[1], z, d[0]), z, (T)1);                                                       \
            x = COPYSIGN(num, y) / dem;                                                                     \
        }                                                                                                   \
        const T two_over_sqrt_pi = (T)2 * (T)0.56418958354775628694807945156077259; /* 2 * frac_1_sqrt_pi */ \
        x = x - (ERF(x) - y) / (two_over_sqrt_pi * EXP(-x * x));                                            \
        x = x - (ERF(x) - y) / (two_over_sqrt_pi * EXP(-x * x));                                            \
        return x;                                                                                           \
    }
DEFINE_ERFINV(erfinv_f32, float, fmaf, fabsf, sqrtf, logf, erff, expf, copysignf)
DEFINE_ERFINV(erfinv_f64, double, fma, fabs, sqrt, log, erf, exp, copysign)

/* t.erfinv_() on a floating tensor, through a contiguous copy. */
static int erfinv_(cg_tensor *t) {
    int rc = -1;
    CG_SCOPE {
        cg_tensor *c = cg_clone(cg_contiguous(t));
        if (c) {
            int64_t n = cg_numel(c);
            if (cg_get_dtype(c) == CG_FLOAT32)
                for (float *p = cg_data_ptr(c); n-- > 0; p++) *p = erfinv_f32(*p);
            else
                for (double *p = cg_data_ptr(c); n-- > 0; p++) *p = erfinv_f64(*p);
            rc = cg_copy_(t, c);
        }
    }
    return rc;
}

static double norm_cdf(double x) { return (1. + erf(x / sqrt(2.))) / 2.; }

int cg_nn_init_trunc_normal_(cg_tensor *t, double mean, double std, double a, double b) {
    if (!t) return -1;
    if (!cg_dtype_is_floating(cg_get_dtype(t))) {
        cg_set_error("\"erfinv_vml_cpu\" not implemented for '%s'", cg_get_dtype(t) == CG_INT64 ? "Long" : "Bool");
        return -1;
    }
    if (mean < a - 2 * std || mean > b + 2 * std)
        cg_warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may be incorrect.");
    double l = norm_cdf((a - mean) / std), u = norm_cdf((b - mean) / std);
    int rc = -1;
    CG_NO_GRAD {
        if (cg_uniform_(t, 2 * l - 1, 2 * u - 1) == 0 && erfinv_(t) == 0 && cg_mul_scalar_(t, std * sqrt(2.)) == 0 &&
            cg_add_scalar_(t, mean) == 0)
            rc = cg_clamp_(t, a, b);
    }
    return rc;
}

/* ---- orthogonal_: the Q of a QR factorization of normal draws ---- */

#ifdef CG_HAVE_BLAS
/* LAPACK as OpenBLAS ships it: PyTorch's torch.linalg.qr calls the same geqrf and orgqr. */
void sgeqrf_(const int *m, const int *n, float *a, const int *lda, float *tau, float *work, const int *lwork, int *info);
void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau, double *work, const int *lwork, int *info);
void sorgqr_(const int *m, const int *n, const int *k, float *a, const int *lda, const float *tau, float *work,
             const int *lwork, int *info);
void dorgqr_(const int *m, const int *n, const int *k, double *a, const int *lda, const double *tau, double *work,
             const int *lwork, int *info);

/* a (m x n column-major, m >= n) becomes Q's n columns; diag gets R's diagonal. As PyTorch, each
 * call first asks for its best workspace. */
#define DEFINE_QR(name, T, GEQRF, ORGQR)                                                                    \
    static int name(T *a, int m, int n, T *diag) {                                                          \
        int info = 0, query = -1, lwork;                                                                    \
        T size, *tau = malloc((size_t)n * sizeof *tau), *work = NULL;                                       \
        if (!tau) return -1;                                                                                \
        GEQRF(&m, &n, a, &m, tau, &size, &query, &info);                                                    \
        lwork = size > 1 ? (int)size : 1;                                                                   \
        if (info == 0 && (work = malloc((size_t)lwork * sizeof *work))) GEQRF(&m, &n, a, &m, tau, work, &lwork, &info); \
        for (int j = 0; j < n; j++) diag[j] = a[j + (size_t)j * m];                                         \
        free(work);                                                                                         \
        work = NULL;                                                                                        \
        if (info == 0) ORGQR(&m, &n, &n, a, &m, tau, &size, &query, &info);                                 \
        lwork = size > 1 ? (int)size : 1;                                                                   \
        if (info == 0 && (work = malloc((size_t)lwork * sizeof *work))) ORGQR(&m, &n, &n, a, &m, tau, work, &lwork, &info); \
        int rc = work && info == 0 ? 0 : -1;                                                                \
        free(work);                                                                                         \
        free(tau);                                                                                          \
        return rc;                                                                                          \
    }
DEFINE_QR(qr_f32, float, sgeqrf_, sorgqr_)
DEFINE_QR(qr_f64, double, dgeqrf_, dorgqr_)
#else
/* Without LAPACK: the same Householder reflections (LAPACK's geqr2 and org2r, unblocked) in
 * double. The reflectors and Q agree with LAPACK's to rounding, not bit for bit: LAPACK's norms and
 * updates run in OpenBLAS's kernels, whose order of summation is not reproduced here. */
static void householder_qr(double *a, int m, int n, double *tau) {
    for (int j = 0; j < n; j++) {
        double *v = a + (size_t)j * m + j, xnorm = 0;
        for (int i = 1; i < m - j; i++) xnorm = hypot(xnorm, v[i]);
        tau[j] = 0;
        if (xnorm == 0) continue;
        double alpha = v[0], beta = -copysign(hypot(alpha, xnorm), alpha);
        tau[j] = (beta - alpha) / beta;
        for (int i = 1; i < m - j; i++) v[i] /= alpha - beta;
        v[0] = 1;
        for (int c = j + 1; c < n; c++) { /* A[j:, c] -= tau v (v . A[j:, c]) */
            double *col = a + (size_t)c * m + j, dot = 0;
            for (int i = 0; i < m - j; i++) dot += v[i] * col[i];
            for (int i = 0; i < m - j; i++) col[i] -= tau[j] * dot * v[i];
        }
        v[0] = beta;
    }
}

/* The n columns of Q from the reflectors below the diagonal of a. */
static void householder_q(double *a, int m, int n, const double *tau) {
    for (int j = n - 1; j >= 0; j--) {
        double *v = a + (size_t)j * m + j;
        v[0] = 1;
        for (int c = j + 1; c < n; c++) {
            double *col = a + (size_t)c * m + j, dot = 0;
            for (int i = 0; i < m - j; i++) dot += v[i] * col[i];
            for (int i = 0; i < m - j; i++) col[i] -= tau[j] * dot * v[i];
        }
        for (int i = 1; i < m - j; i++) v[i] *= -tau[j];
        v[0] = 1 - tau[j];
        for (int i = 0; i < j; i++) a[(size_t)j * m + i] = 0;
    }
}

#define DEFINE_QR(name, T)                                                                                  \
    static int name(T *a, int m, int n, T *diag) {                                                          \
        double *d = malloc((size_t)m * n * sizeof *d), *tau = malloc((size_t)n * sizeof *tau);              \
        if (!d || !tau) {                                                                                   \
            free(d), free(tau);                                                                             \
            return -1;                                                                                      \
        }                                                                                                   \
        for (size_t i = 0; i < (size_t)m * n; i++) d[i] = a[i];                                             \
        householder_qr(d, m, n, tau);                                                                       \
        for (int j = 0; j < n; j++) diag[j] = (T)d[j + (size_t)j * m];                                      \
        householder_q(d, m, n, tau);                                                                        \
        for (size_t i = 0; i < (size_t)m * n; i++) a[i] = (T)d[i];                                          \
        free(d), free(tau);                                                                                 \
        return 0;                                                                                           \
    }
DEFINE_QR(qr_f32, float)
DEFINE_QR(qr_f64, double)
#endif

/* q (rows x cols, t's dtype): PyTorch's orthogonal_ before the gain. Its QR factors the normal
 * draws as they lie (rows x cols) or transposed when rows < cols, so that m >= n; each column of Q
 * is multiplied by the sign of R's diagonal. */
#define DEFINE_ORTHOGONAL(name, T, QR)                                                                      \
    static int name(const T *draws, int rows, int cols, T *q) {                                             \
        bool wide = rows < cols;                                                                            \
        int m = wide ? cols : rows, n = wide ? rows : cols;                                                 \
        T *a = malloc((size_t)m * n * sizeof *a), *diag = malloc((size_t)n * sizeof *diag);                 \
        int rc = a && diag ? 0 : -1;                                                                        \
        if (rc == 0) {                                                                                      \
            /* column-major m x n: the draws transposed are already, the others are transposed */           \
            for (int i = 0; i < rows; i++)                                                                  \
                for (int j = 0; j < cols; j++) a[wide ? (size_t)i * cols + j : (size_t)j * rows + i] = draws[(size_t)i * cols + j]; \
            rc = QR(a, m, n, diag);                                                                         \
        }                                                                                                   \
        for (int j = 0; rc == 0 && j < n; j++) {                                                            \
            T sign = diag[j] > 0 ? 1 : diag[j] < 0 ? -1 : diag[j]; /* torch.sign: 0 and NaN stay */         \
            for (int i = 0; i < m; i++) a[(size_t)j * m + i] *= sign;                                       \
        }                                                                                                   \
        for (int i = 0; rc == 0 && i < rows; i++)                                                           \
            for (int j = 0; j < cols; j++) q[(size_t)i * cols + j] = a[wide ? (size_t)i * cols + j : (size_t)j * rows + i]; \
        free(a), free(diag);                                                                                \
        return rc;                                                                                          \
    }
DEFINE_ORTHOGONAL(orthogonal_f32, float, qr_f32)
DEFINE_ORTHOGONAL(orthogonal_f64, double, qr_f64)

int cg_nn_init_orthogonal_(cg_tensor *t, double gain) {
    if (!t) return -1;
    if (cg_ndim(t) < 2) {
        cg_set_value_error("Only tensors with 2 or more dimensions are supported");
        return -1;
    }
    if (cg_numel(t) == 0) return 0;
    if (!cg_dtype_is_floating(cg_get_dtype(t))) {
        cg_set_error("\"normal_kernel_cpu\" not implemented for '%s'", cg_get_dtype(t) == CG_INT64 ? "Long" : "Bool");
        return -1;
    }
    int64_t rows = cg_size(t, 0), cols = cg_numel(t) / rows;
    if (rows > INT_MAX / cols) {
        cg_set_error("orthogonal_: a %lld x %lld matrix is too large for LAPACK", (long long)rows, (long long)cols);
        return -1;
    }
    int rc = -1;
    CG_SCOPE {
        cg_tensor *draws = cg_empty_shape(cg_get_dtype(t), 2, (int64_t[]){rows, cols});
        cg_tensor *q = cg_empty_shape(cg_get_dtype(t), 2, (int64_t[]){rows, cols});
        if (draws && q && cg_normal_(draws, 0, 1) == 0) {
            if (cg_get_dtype(t) == CG_FLOAT32) rc = orthogonal_f32(cg_data_ptr(draws), (int)rows, (int)cols, cg_data_ptr(q));
            else rc = orthogonal_f64(cg_data_ptr(draws), (int)rows, (int)cols, cg_data_ptr(q));
            if (rc < 0) cg_set_error("orthogonal_: out of memory or a failed QR factorization");
        }
        CG_NO_GRAD {
            if (rc == 0) rc = cg_copy_(t, cg_view_shape(q, cg_ndim(t), cg_sizes(t)));
            if (rc == 0) rc = cg_mul_scalar_(t, gain);
        }
    }
    return rc;
}

/* ---- dirac_ ---- */

int cg_nn_init_dirac_(cg_tensor *t, int64_t groups) {
    if (!t) return -1;
    int nd = cg_ndim(t);
    if (nd < 3 || nd > 5) {
        cg_set_value_error("Only tensors with 3, 4, or 5 dimensions are supported");
        return -1;
    }
    if (groups <= 0 || cg_size(t, 0) % groups != 0) {
        cg_set_value_error(groups <= 0 ? "groups must be positive" : "dim 0 must be divisible by groups");
        return -1;
    }
    int64_t per_group = cg_size(t, 0) / groups, min_dim = per_group < cg_size(t, 1) ? per_group : cg_size(t, 1);
    int64_t centre = 0, inner = 1; /* offset of the kernel's centre within one (out, in) kernel */
    for (int d = 2; d < nd; d++) {
        centre = centre * cg_size(t, d) + cg_size(t, d) / 2;
        inner *= cg_size(t, d);
    }
    int rc = -1;
    CG_SCOPE {
        cg_tensor *ones = cg_zeros_like(t);
        if (ones) {
            cg_tensor *c = cg_contiguous(ones);
            char *base = cg_data_ptr(c);
            size_t esize = cg_dtype_size(cg_get_dtype(c));
            for (int64_t g = 0; g < groups; g++)
                for (int64_t d = 0; d < min_dim; d++) {
                    int64_t at = ((g * per_group + d) * cg_size(t, 1) + d) * inner + centre;
                    if (cg_get_dtype(c) == CG_FLOAT32) ((float *)base)[at] = 1;
                    else if (cg_get_dtype(c) == CG_FLOAT64) ((double *)base)[at] = 1;
                    else if (cg_get_dtype(c) == CG_INT64) ((int64_t *)base)[at] = 1;
                    else memset(base + at * esize, 1, 1);
                }
            CG_NO_GRAD { rc = cg_copy_(t, c); }
        }
    }
    return rc;
}
