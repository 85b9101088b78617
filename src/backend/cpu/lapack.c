#include "backend/cpu/lapack.h"

#include "core/alloc.h"

#include <math.h>
#include <string.h>

/* ---- the portable loops: LAPACK's unblocked algorithms (getf2, potf2, getrs, trsm) ----
 * Column-major: element (i, j) of an m-row matrix is a[i + j * m]. */

#define DEFINE_PORTABLE(sfx, T)                                                                                \
    static int64_t getrf_##sfx(int64_t m, int64_t n, T *a, int64_t *piv) {                                      \
        int64_t info = 0, k = m < n ? m : n;                                                                    \
        for (int64_t j = 0; j < k; j++) {                                                                       \
            int64_t p = j; /* the first row of largest magnitude, as LAPACK's iamax */                          \
            for (int64_t i = j + 1; i < m; i++)                                                                 \
                if (fabs((double)a[i + j * m]) > fabs((double)a[p + j * m])) p = i;                             \
            piv[j] = p + 1;                                                                                     \
            if (a[p + j * m] == 0) {                                                                            \
                if (!info) info = j + 1;                                                                        \
                continue;                                                                                       \
            }                                                                                                   \
            if (p != j)                                                                                         \
                for (int64_t c = 0; c < n; c++) {                                                               \
                    T t = a[j + c * m];                                                                         \
                    a[j + c * m] = a[p + c * m], a[p + c * m] = t;                                              \
                }                                                                                               \
            T inv = 1 / a[j + j * m];                                                                           \
            for (int64_t i = j + 1; i < m; i++) a[i + j * m] *= inv;                                            \
            for (int64_t c = j + 1; c < n; c++) {                                                               \
                T f = a[j + c * m];                                                                             \
                for (int64_t i = j + 1; i < m; i++) a[i + c * m] -= a[i + j * m] * f;                           \
            }                                                                                                   \
        }                                                                                                       \
        return info;                                                                                            \
    }                                                                                                           \
                                                                                                                \
    /* b (n x nrhs) = op(a)^-1 b for triangular a (n x n, leading dim n). */                                    \
    static void trsm_left_##sfx(bool upper, bool trans, bool unit, int64_t n, int64_t nrhs, const T *a, T *b) { \
        bool forward = upper == trans; /* an effectively lower-triangular op(a) solves top down */              \
        for (int64_t c = 0; c < nrhs; c++) {                                                                    \
            T *x = b + c * n;                                                                                   \
            for (int64_t s = 0; s < n; s++) {                                                                   \
                int64_t i = forward ? s : n - 1 - s;                                                            \
                T v = x[i];                                                                                     \
                for (int64_t r = 0; r < s; r++) {                                                               \
                    int64_t j = forward ? r : n - 1 - r;                                                        \
                    v -= (trans ? a[j + i * n] : a[i + j * n]) * x[j];                                          \
                }                                                                                               \
                x[i] = unit ? v : v / a[i + i * n];                                                             \
            }                                                                                                   \
        }                                                                                                       \
    }                                                                                                           \
                                                                                                                \
    /* b (nrhs x n) = b op(a)^-1: the transpose of op(a)^-T b^T, solved row by row. */                          \
    static void trsm_right_##sfx(bool upper, bool trans, bool unit, int64_t n, int64_t nrhs, const T *a, T *b) { \
        bool forward = upper != trans;                                                                          \
        for (int64_t row = 0; row < nrhs; row++)                                                                \
            for (int64_t s = 0; s < n; s++) {                                                                   \
                int64_t i = forward ? s : n - 1 - s;                                                            \
                T v = b[row + i * nrhs];                                                                        \
                for (int64_t r = 0; r < s; r++) {                                                               \
                    int64_t j = forward ? r : n - 1 - r;                                                        \
                    v -= b[row + j * nrhs] * (trans ? a[i + j * n] : a[j + i * n]);                             \
                }                                                                                               \
                b[row + i * nrhs] = unit ? v : v / a[i + i * n];                                                \
            }                                                                                                   \
    }                                                                                                           \
                                                                                                                \
    static void getrs_##sfx(bool trans, int64_t n, int64_t nrhs, const T *a, const int64_t *piv, T *b) {        \
        if (!trans) {                                                                                           \
            for (int64_t c = 0; c < nrhs; c++)                                                                  \
                for (int64_t i = 0; i < n; i++) {                                                               \
                    int64_t p = piv[i] - 1;                                                                     \
                    T t = b[i + c * n];                                                                         \
                    b[i + c * n] = b[p + c * n], b[p + c * n] = t;                                              \
                }                                                                                               \
            trsm_left_##sfx(false, false, true, n, nrhs, a, b);                                                 \
            trsm_left_##sfx(true, false, false, n, nrhs, a, b);                                                 \
            return;                                                                                             \
        }                                                                                                       \
        trsm_left_##sfx(true, true, false, n, nrhs, a, b);                                                      \
        trsm_left_##sfx(false, true, true, n, nrhs, a, b);                                                      \
        for (int64_t c = 0; c < nrhs; c++)                                                                      \
            for (int64_t i = n - 1; i >= 0; i--) {                                                              \
                int64_t p = piv[i] - 1;                                                                         \
                T t = b[i + c * n];                                                                             \
                b[i + c * n] = b[p + c * n], b[p + c * n] = t;                                                  \
            }                                                                                                   \
    }                                                                                                           \
                                                                                                                \
    /* Cholesky by columns (lower: a = L L^T; upper: a = U^T U, computed as its transpose's). */               \
    static int64_t potrf_##sfx(bool upper, int64_t n, T *a) {                                                   \
        for (int64_t j = 0; j < n; j++) {                                                                       \
            T d = a[j + j * n];                                                                                 \
            for (int64_t k = 0; k < j; k++) {                                                                   \
                T l = upper ? a[k + j * n] : a[j + k * n];                                                      \
                d -= l * l;                                                                                     \
            }                                                                                                   \
            if (!(d > 0)) {                                                                                     \
                a[j + j * n] = d;                                                                               \
                return j + 1;                                                                                   \
            }                                                                                                   \
            d = (T)sqrt((double)d);                                                                             \
            a[j + j * n] = d;                                                                                   \
            for (int64_t i = j + 1; i < n; i++) {                                                               \
                T v = upper ? a[j + i * n] : a[i + j * n];                                                      \
                for (int64_t k = 0; k < j; k++)                                                                 \
                    v -= upper ? a[k + i * n] * a[k + j * n] : a[i + k * n] * a[j + k * n];                     \
                if (upper)                                                                                      \
                    a[j + i * n] = v / d;                                                                       \
                else                                                                                            \
                    a[i + j * n] = v / d;                                                                       \
            }                                                                                                   \
        }                                                                                                       \
        return 0;                                                                                               \
    }

#ifndef CG_HAVE_LAPACK
DEFINE_PORTABLE(f32, float)
DEFINE_PORTABLE(f64, double)
#endif

#ifdef CG_HAVE_LAPACK
/* LAPACK's Fortran interface (the hidden lengths of the character arguments last, as gfortran passes them). */
typedef size_t flen;
#define DECLARE_LAPACK(p, T)                                                                                       \
    void p##getrf_(const int *m, const int *n, T *a, const int *lda, int *ipiv, int *info);                        \
    void p##getrs_(const char *tr, const int *n, const int *nrhs, const T *a, const int *lda, const int *ipiv, T *b, \
                   const int *ldb, int *info, flen);                                                               \
    void p##potrf_(const char *uplo, const int *n, T *a, const int *lda, int *info, flen);                         \
    void p##trsm_(const char *side, const char *uplo, const char *tr, const char *diag, const int *m, const int *n, \
                  const T *alpha, const T *a, const int *lda, T *b, const int *ldb, flen, flen, flen, flen);        \
    void p##geqrf_(const int *m, const int *n, T *a, const int *lda, T *tau, T *work, const int *lwork, int *info); \
    void p##orgqr_(const int *m, const int *n, const int *k, T *a, const int *lda, const T *tau, T *work,          \
                   const int *lwork, int *info);                                                                   \
    void p##syevd_(const char *jobz, const char *uplo, const int *n, T *a, const int *lda, T *w, T *work,          \
                   const int *lwork, int *iwork, const int *liwork, int *info, flen, flen);                        \
    void p##gesdd_(const char *jobz, const int *m, const int *n, T *a, const int *lda, T *s, T *u, const int *ldu,  \
                   T *vt, const int *ldvt, T *work, const int *lwork, int *iwork, int *info, flen);                 \
    void p##geev_(const char *jobvl, const char *jobvr, const int *n, T *a, const int *lda, T *wr, T *wi, T *vl,    \
                  const int *ldvl, T *vr, const int *ldvr, T *work, const int *lwork, int *info, flen, flen);
DECLARE_LAPACK(s, float)
DECLARE_LAPACK(d, double)
#endif

#ifndef CG_HAVE_LAPACK
/* The routines that have no portable loop here. */
static int requires_lapack(const cg_lapack_call *c) {
    cg_set_error("%s: this build of cgrad has no LAPACK (built with NO_LAPACK=1 or without liblapack); %s requires LAPACK",
                 c->name, c->name);
    return -1;
}

#else
static int out_of_memory(void) { return -1; /* cg_malloc set the error */ }
#endif

#define DEFINE_RUN(sfx, p, T)                                                                                      \
    static int run_##sfx(const cg_lapack_call *c) {                                                                \
        int64_t m = c->m, n = c->n, k = m < n ? m : n;                                                             \
        T *a = c->a ? (T *)cg_tensor_data(c->a) : NULL, *b = c->b ? (T *)cg_tensor_data(c->b) : NULL;             \
        int64_t *piv = c->pivots ? (int64_t *)cg_tensor_data(c->pivots) : NULL;                                    \
        int64_t *info = c->info ? (int64_t *)cg_tensor_data(c->info) : NULL;                                       \
        T *vals = c->vals ? (T *)cg_tensor_data(c->vals) : NULL;                                                   \
        (void)vals, (void)k;                                                                                       \
        for (int64_t t = 0; t < c->batch; t++) {                                                                   \
            T *at = a ? a + t * m * n : NULL;                                                                      \
            int64_t *pt = piv ? piv + t * k : NULL;                                                                \
            int64_t status = 0;                                                                                    \
            int rc = run_one_##sfx(c, t, at, pt, b, vals, &status);                                                \
            if (rc < 0) return rc;                                                                                 \
            if (info) info[t] = status;                                                                            \
        }                                                                                                          \
        return 0;                                                                                                  \
    }

#ifdef CG_HAVE_LAPACK
#define DEFINE_ONE(sfx, p, T)                                                                                      \
    static int run_one_##sfx(const cg_lapack_call *c, int64_t t, T *a, int64_t *piv, T *b, T *vals,               \
                             int64_t *status) {                                                                    \
        int m = (int)c->m, n = (int)c->n, k = m < n ? m : n, nrhs = (int)c->nrhs, lda = m > 1 ? m : 1, info = 0;   \
        switch (c->op) {                                                                                           \
        case CG_LAPACK_GETRF: {                                                                                    \
            int *ip = cg_malloc((size_t)(k > 0 ? k : 1) * sizeof *ip);                                             \
            if (!ip) return out_of_memory();                                                                       \
            p##getrf_(&m, &n, a, &lda, ip, &info);                                                                 \
            for (int i = 0; i < k; i++) piv[i] = ip[i];                                                            \
            cg_free(ip);                                                                                           \
            break;                                                                                                 \
        }                                                                                                          \
        case CG_LAPACK_GETRS: {                                                                                    \
            int *ip = cg_malloc((size_t)(k > 0 ? k : 1) * sizeof *ip);                                             \
            if (!ip) return out_of_memory();                                                                       \
            for (int i = 0; i < k; i++) ip[i] = (int)piv[i];                                                       \
            p##getrs_(c->trans ? "T" : "N", &n, &nrhs, a, &lda, ip, b + t * n * nrhs, &lda, &info, 1);              \
            cg_free(ip);                                                                                           \
            break;                                                                                                 \
        }                                                                                                          \
        case CG_LAPACK_POTRF:                                                                                      \
            p##potrf_(c->upper ? "U" : "L", &n, a, &lda, &info, 1);                                                \
            break;                                                                                                 \
        case CG_LAPACK_TRSM: {                                                                                     \
            T one = 1;                                                                                             \
            int bm = c->left ? n : nrhs, bn = c->left ? nrhs : n, ldb = bm > 1 ? bm : 1;                           \
            p##trsm_(c->left ? "L" : "R", c->upper ? "U" : "L", c->trans ? "T" : "N", c->unit ? "U" : "N", &bm,     \
                     &bn, &one, a, &lda, b + t * n * nrhs, &ldb, 1, 1, 1, 1);                                      \
            break;                                                                                                 \
        }                                                                                                          \
        default:                                                                                                   \
            return run_workspace_##sfx(c, t, a, vals, status);                                                     \
        }                                                                                                          \
        *status = info;                                                                                            \
        return 0;                                                                                                  \
    }
#else
#define DEFINE_ONE(sfx, p, T)                                                                                      \
    static int run_one_##sfx(const cg_lapack_call *c, int64_t t, T *a, int64_t *piv, T *b, T *vals,               \
                             int64_t *status) {                                                                    \
        (void)vals;                                                                                                \
        int64_t n = c->n, nrhs = c->nrhs;                                                                          \
        switch (c->op) {                                                                                           \
        case CG_LAPACK_GETRF:                                                                                      \
            *status = getrf_##sfx(c->m, n, a, piv);                                                                \
            return 0;                                                                                              \
        case CG_LAPACK_GETRS:                                                                                      \
            getrs_##sfx(c->trans, n, nrhs, a, piv, b + t * n * nrhs);                                              \
            return 0;                                                                                              \
        case CG_LAPACK_POTRF:                                                                                      \
            *status = potrf_##sfx(c->upper, n, a);                                                                 \
            return 0;                                                                                              \
        case CG_LAPACK_TRSM:                                                                                       \
            if (c->left)                                                                                           \
                trsm_left_##sfx(c->upper, c->trans, c->unit, n, nrhs, a, b + t * n * nrhs);                        \
            else                                                                                                   \
                trsm_right_##sfx(c->upper, c->trans, c->unit, n, nrhs, a, b + t * n * nrhs);                       \
            return 0;                                                                                              \
        default:                                                                                                   \
            return requires_lapack(c);                                                                             \
        }                                                                                                          \
    }
#endif

#ifdef CG_HAVE_LAPACK
/* The routines with a workspace: a query call first (lwork -1), as PyTorch's do. */
#define DEFINE_WORKSPACE(sfx, p, T)                                                                                \
    static int run_workspace_##sfx(const cg_lapack_call *c, int64_t t, T *a, T *vals, int64_t *status) {           \
        int m = (int)c->m, n = (int)c->n, k = m < n ? m : n, lda = m > 1 ? m : 1, info = 0, lwork = -1;           \
        int liwork = -1, iq = 0;                                                                                   \
        T q = 0, *v = vals ? vals + t * (c->op == CG_LAPACK_GEEV ? n : k) : NULL;                                  \
        T *u = c->u ? (T *)cg_tensor_data(c->u) : NULL, *vt = c->vt ? (T *)cg_tensor_data(c->vt) : NULL;          \
        switch (c->op) {                                                                                           \
        case CG_LAPACK_GEQRF:                                                                                      \
            p##geqrf_(&m, &n, a, &lda, v, &q, &lwork, &info);                                                      \
            break;                                                                                                 \
        case CG_LAPACK_ORGQR: {                                                                                    \
            int kk = (int)c->k;                                                                                    \
            v = vals + t * kk;                                                                                     \
            p##orgqr_(&m, &n, &kk, a, &lda, v, &q, &lwork, &info);                                                 \
            break;                                                                                                 \
        }                                                                                                          \
        case CG_LAPACK_SYEVD:                                                                                      \
            v = vals + t * n;                                                                                      \
            p##syevd_(c->vectors ? "V" : "N", c->upper ? "U" : "L", &n, a, &lda, v, &q, &lwork, &iq, &liwork,     \
                      &info, 1, 1);                                                                                \
            break;                                                                                                 \
        case CG_LAPACK_GESDD: {                                                                                    \
            int ucols = c->full ? m : k, vrows = c->full ? n : k, ldu = m > 1 ? m : 1;                            \
            int ldvt = vrows > 1 ? vrows : 1;                                                                      \
            T *ut = u ? u + t * m * ucols : NULL, *vtt = vt ? vt + t * vrows * n : NULL;                           \
            const char *job = !c->vectors ? "N" : c->full ? "A" : "S";                                             \
            int *iw = cg_malloc((size_t)(8 * (k > 0 ? k : 1)) * sizeof *iw);                                       \
            if (!iw) return out_of_memory();                                                                       \
            p##gesdd_(job, &m, &n, a, &lda, v, ut, &ldu, vtt, &ldvt, &q, &lwork, iw, &info, 1);                    \
            lwork = (int)q > 1 ? (int)q : 1;                                                                       \
            T *work = cg_malloc((size_t)lwork * sizeof *work);                                                     \
            if (!work) {                                                                                           \
                cg_free(iw);                                                                                       \
                return out_of_memory();                                                                            \
            }                                                                                                      \
            p##gesdd_(job, &m, &n, a, &lda, v, ut, &ldu, vtt, &ldvt, work, &lwork, iw, &info, 1);                  \
            cg_free(work);                                                                                         \
            cg_free(iw);                                                                                           \
            *status = info;                                                                                        \
            return 0;                                                                                              \
        }                                                                                                          \
        case CG_LAPACK_GEEV: {                                                                                     \
            T *wr = vals + t * n, *wi = u + t * n, *vr = vt + t * n * n;                                           \
            int ld = n > 1 ? n : 1, one = 1;                                                                       \
            p##geev_("N", "V", &n, a, &lda, wr, wi, NULL, &one, vr, &ld, &q, &lwork, &info, 1, 1);                \
            lwork = (int)q > 1 ? (int)q : 1;                                                                       \
            T *work = cg_malloc((size_t)lwork * sizeof *work);                                                     \
            if (!work) return out_of_memory();                                                                     \
            p##geev_("N", "V", &n, a, &lda, wr, wi, NULL, &one, vr, &ld, work, &lwork, &info, 1, 1);              \
            cg_free(work);                                                                                         \
            *status = info;                                                                                        \
            return 0;                                                                                              \
        }                                                                                                          \
        default:                                                                                                   \
            return -1;                                                                                             \
        }                                                                                                          \
        lwork = (int)q > 1 ? (int)q : 1;                                                                           \
        liwork = iq > 1 ? iq : 1;                                                                                  \
        T *work = cg_malloc((size_t)lwork * sizeof *work);                                                         \
        int *iwork = cg_malloc((size_t)liwork * sizeof *iwork);                                                    \
        if (!work || !iwork) {                                                                                     \
            cg_free(work);                                                                                         \
            cg_free(iwork);                                                                                        \
            return out_of_memory();                                                                                \
        }                                                                                                          \
        if (c->op == CG_LAPACK_GEQRF)                                                                              \
            p##geqrf_(&m, &n, a, &lda, v, work, &lwork, &info);                                                    \
        else if (c->op == CG_LAPACK_ORGQR) {                                                                       \
            int kk = (int)c->k;                                                                                    \
            p##orgqr_(&m, &n, &kk, a, &lda, v, work, &lwork, &info);                                               \
        } else                                                                                                     \
            p##syevd_(c->vectors ? "V" : "N", c->upper ? "U" : "L", &n, a, &lda, v, work, &lwork, iwork, &liwork,  \
                      &info, 1, 1);                                                                                \
        cg_free(work);                                                                                             \
        cg_free(iwork);                                                                                            \
        *status = info;                                                                                            \
        return 0;                                                                                                  \
    }
DEFINE_WORKSPACE(f32, s, float)
DEFINE_WORKSPACE(f64, d, double)
#endif

DEFINE_ONE(f32, s, float)
DEFINE_ONE(f64, d, double)
DEFINE_RUN(f32, s, float)
DEFINE_RUN(f64, d, double)

int cg_kernel_lapack(const cg_lapack_call *c) {
    if (c->batch == 0) return 0;
    const cg_tensor *any = c->a ? c->a : c->b;
    return any->dtype == CG_FLOAT32 ? run_f32(c) : run_f64(c);
}
