/* The registry: every differentiable op, its node name (PyTorch's), its backward and its forward
 * derivative (CG_JVPS below).
 *
 * X(ident, "NodeName") for each op. The backward is cg_backward_<ident>, defined next to the op's
 * forward in src/ops/; the op records itself with &cg_op_<ident>. tests/test_gradcheck.c walks
 * this list and fails for any op without a gradcheck. */
#ifndef CG_AUTOGRAD_REGISTRY_H
#define CG_AUTOGRAD_REGISTRY_H

#include "autograd/autograd.h"

/* One list per family of ops, so work on one family does not touch the others' lines. */
#define CG_OPS_COPY(X)            \
    X(clone, "CloneBackward0")    \
    X(to_copy, "ToCopyBackward0") \
    X(copy, "CopyBackwards")      \
    X(fill, "FillBackward2")      \
    X(zero, "ZeroBackward0")

#define CG_OPS_ELEMENTWISE(X)           \
    X(add, "AddBackward0")              \
    X(sub, "SubBackward0")              \
    X(mul, "MulBackward0")              \
    X(div, "DivBackward0")              \
    X(add_scalar, "AddBackward0")       \
    X(sub_scalar, "SubBackward0")       \
    X(rsub_scalar, "RsubBackward1")     \
    X(mul_scalar, "MulBackward0")       \
    X(mul_by_scalar, "MulBackward1")    \
    X(add_by_scalar, "AddBackward1")    \
    X(div_by_count, "DivBackward1")     \
    X(div_scalar, "DivBackward0")       \
    X(pow_scalar, "PowBackward0")       \
    X(pow, "PowBackward1")              \
    X(rpow_scalar, "PowBackward1")      \
    X(reciprocal, "ReciprocalBackward0") \
    X(maximum, "MaximumBackward0")      \
    X(minimum, "MinimumBackward0")      \
    X(where, "WhereBackward0")          \
    X(clamp, "ClampBackward1")          \
    X(clamp_min, "ClampMinBackward0")   \
    X(neg, "NegBackward0")              \
    X(exp, "ExpBackward0")              \
    X(log, "LogBackward0")              \
    X(log1p, "Log1PBackward0")          \
    X(sqrt, "SqrtBackward0")            \
    X(abs, "AbsBackward0")              \
    X(sign, "SignBackward0")            \
    X(sgn, "SgnBackward0")              \
    X(sin, "SinBackward0")              \
    X(cos, "CosBackward0")              \
    X(tan, "TanBackward0")              \
    X(tanh, "TanhBackward0")            \
    X(sigmoid, "SigmoidBackward0")      \
    X(relu, "ReluBackward0")            \
    X(threshold_backward, "ThresholdBackwardBackward0") \
    X(tanh_backward, "TanhBackwardBackward0") \
    X(sigmoid_backward, "SigmoidBackwardBackward0") \
    X(uniform, "UniformBackward0")      \
    X(normal, "NormalBackward0")

#define CG_OPS_REDUCE(X)          \
    X(sum, "SumBackward0")        \
    X(sum_dims, "SumBackward1")   \
    X(mean, "MeanBackward0")      \
    X(mean_dims, "MeanBackward1") \
    X(var, "VarBackward0")        \
    X(std, "StdBackward0")        \
    X(norm, "NormBackward1")      \
    X(prod, "ProdBackward0")      \
    X(prod_dim, "ProdBackward1")  \
    X(max, "MaxBackward1")        \
    X(min, "MinBackward1")        \
    X(max_dim, "MaxBackward0")    \
    X(min_dim, "MinBackward0")    \
    X(var_mean, "VarMeanBackward0") \
    X(std_mean, "StdMeanBackward0")

#define CG_OPS_VIEW(X)                             \
    X(view, "ViewBackward0")                       \
    X(reshape_alias, "ReshapeAliasBackward0")      \
    X(unsafe_view, "UnsafeViewBackward0")          \
    X(expand, "ExpandBackward0")                   \
    X(permute, "PermuteBackward0")                 \
    X(squeeze, "SqueezeBackward0")                 \
    X(squeeze_dim, "SqueezeBackward1")             \
    X(unsqueeze, "UnsqueezeBackward0")             \
    X(transpose, "TransposeBackward0")             \
    X(t, "TBackward0")                             \
    X(select, "SelectBackward0")                   \
    X(select_backward, "SelectBackwardBackward0")  \
    X(alias, "AliasBackward0")                     \
    X(slice, "SliceBackward0")                     \
    X(slice_backward, "SliceBackwardBackward0")    \
    X(unbind, "UnbindBackward0")                   \
    X(split, "SplitBackward0")                     \
    X(split_with_sizes, "SplitWithSizesBackward0") \
    X(cat, "CatBackward0")                         \
    X(stack, "StackBackward0")                     \
    X(index_select, "IndexSelectBackward0")        \
    X(gather, "GatherBackward0")                   \
    X(scatter_add, "ScatterAddBackward0")          \
    X(scatter, "ScatterBackward0")                 \
    X(scatter_zero, "ScatterBackward1")            \
    X(scatter_reduce, "ScatterReduceBackward0")    \
    X(masked_fill, "MaskedFillBackward0")          \
    X(masked_fill_tensor, "MaskedFillBackward1")   \
    X(index_add, "IndexAddBackward0")

#define CG_OPS_LINALG(X)                         \
    X(dot, "DotBackward0")                       \
    X(mv, "MvBackward0")                         \
    X(mm, "MmBackward0")                         \
    X(addmm, "AddmmBackward0")                   \
    X(bmm, "BmmBackward0")                       \
    X(matmul_squeeze, "SqueezeBackward3")

#define CG_OPS_LOSS(X)                                                           \
    X(binary_cross_entropy_with_logits, "BinaryCrossEntropyWithLogitsBackward0") \
    X(mse_loss, "MseLossBackward0")                                              \
    X(mse_loss_backward, "MseLossBackwardBackward0")                             \
    X(softmax, "SoftmaxBackward0")                                               \
    X(softmax_backward_data, "SoftmaxBackwardDataBackward0")                     \
    X(log_softmax, "LogSoftmaxBackward0")                                        \
    X(log_softmax_backward_data, "LogSoftmaxBackwardDataBackward0")              \
    X(nll_loss, "NllLossBackward0")                                              \
    X(nll_loss_backward, "NllLossBackwardBackward0")                             \
    X(nll_loss2d, "NllLoss2DBackward0")                                          \
    X(nll_loss2d_backward, "NllLoss2DBackwardBackward0")                         \
    X(binary_cross_entropy, "BinaryCrossEntropyBackward0")                       \
    X(smooth_l1_loss, "SmoothL1LossBackward0")                                   \
    X(huber_loss, "HuberLossBackward0")                                          \
    X(soft_margin_loss, "SoftMarginLossBackward0")                               \
    X(ctc_loss, "CtcLossBackward0")

/* Cumulative scans (src/ops/scan.c). */
#define CG_OPS_SCAN(X)                          \
    X(cumsum, "CumsumBackward0")                \
    X(cumprod, "CumprodBackward0")              \
    X(logcumsumexp, "LogcumsumexpBackward0")    \
    X(cummax, "CummaxBackward0")                \
    X(cummin, "CumminBackward0")

/* Sorting (src/ops/sort.c). */
#define CG_OPS_SORT(X)                  \
    X(sort, "SortBackward0")            \
    X(sort_stable, "SortBackward1")     \
    X(topk, "TopkBackward0")                \
    X(kthvalue, "KthvalueBackward0")        \
    X(median, "MedianBackward0")            \
    X(median_dim, "MedianBackward1")        \
    X(nanmedian, "NanmedianBackward0")      \
    X(nanmedian_dim, "NanmedianBackward1")  \
    X(mode, "ModeBackward0")

/* More reductions (src/ops/reduce_more.c). */
#define CG_OPS_REDUCE_MORE(X)              \
    X(amax, "AmaxBackward0")               \
    X(amin, "AminBackward0")               \
    X(logsumexp, "LogsumexpBackward0")     \
    X(nansum, "NansumBackward0")

/* Convolution and pooling (src/ops/conv.c, pool.c); the backward ops are differentiable again. */
#define CG_OPS_CONV(X)                                                   \
    X(convolution, "ConvolutionBackward0")                               \
    X(conv_backward_input, "ConvolutionBackwardBackward0")               \
    X(conv_backward_weight, "ConvolutionBackwardBackward0")              \
    X(conv_backward_bias, "ConvolutionBackwardBackward0")                \
    X(conv_transpose, "ConvolutionBackward0")                            \
    X(conv_transpose_backward_input, "ConvolutionBackwardBackward0")     \
    X(max_pool2d, "MaxPool2DWithIndicesBackward0")                       \
    X(max_pool2d_backward, "MaxPool2DWithIndicesBackwardBackward0")      \
    X(avg_pool2d, "AvgPool2DBackward0")                                  \
    X(avg_pool2d_backward, "AvgPool2DBackwardBackward0")                 \
    X(adaptive_avg_pool2d, "AdaptiveAvgPool2DBackward0")                 \
    X(adaptive_avg_pool2d_backward, "AdaptiveAvgPool2DBackwardBackward0") \
    X(adaptive_max_pool2d, "AdaptiveMaxPool2DBackward0")                 \
    X(adaptive_max_pool2d_backward, "AdaptiveMaxPool2DBackwardBackward0")

/* Normalization (src/ops/norm.c). */
#define CG_OPS_NORM(X)                         \
    X(layer_norm, "NativeLayerNormBackward0") \
    X(batch_norm, "NativeBatchNormBackward0") \
    X(group_norm, "NativeGroupNormBackward0")

/* Ops of three operands (two and a number for add/sub with alpha and lerp's number weight). */
#define CG_OPS_TERNARY(X)              \
    X(add_alpha, "AddBackward0")       \
    X(sub_alpha, "SubBackward0")       \
    X(addcmul, "AddcmulBackward0")     \
    X(addcdiv, "AddcdivBackward0")     \
    X(lerp_scalar, "LerpBackward0")    \
    X(lerp, "LerpBackward1")           \
    X(clamp_tensor, "ClampBackward0")

/* torch.nn.functional's activations (src/ops/activation.c). */
#define CG_OPS_ACTIVATION(X)                \
    X(leaky_relu, "LeakyReluBackward0")     \
    X(hardtanh, "HardtanhBackward0")        \
    X(elu, "EluBackward0")                  \
    X(celu, "CeluBackward0")                \
    X(silu, "SiluBackward0")                \
    X(gelu, "GeluBackward0")                \
    X(softplus, "SoftplusBackward0")        \
    X(hardsigmoid, "HardsigmoidBackward0")  \
    X(hardswish, "HardswishBackward0")      \
    X(mish, "MishBackward0")                \
    X(log_sigmoid, "LogSigmoidBackward0")   \
    X(erf, "ErfBackward0")                  \
    X(leaky_relu_backward, "LeakyReluBackwardBackward0")   \
    X(hardtanh_backward, "HardtanhBackwardBackward0")      \
    X(hardsigmoid_backward, "NotImplemented") /* PyTorch has no derivative there */ \
    X(glu, "GluBackward0")                  \
    X(embedding, "EmbeddingBackward0")      \
    X(embedding_dense_backward, "EmbeddingDenseBackwardBackward0") \
    X(constant_pad, "ConstantPadNdBackward0")  \
    X(prelu, "PreluBackward0")                 \
    X(reflection_pad1d, "ReflectionPad1DBackward0")   \
    X(reflection_pad2d, "ReflectionPad2DBackward0")   \
    X(reflection_pad3d, "ReflectionPad3DBackward0")   \
    X(replication_pad1d, "ReplicationPad1DBackward0") \
    X(replication_pad2d, "ReplicationPad2DBackward0") \
    X(replication_pad3d, "ReplicationPad3DBackward0") \
    X(upsample_nearest1d, "UpsampleNearest1DBackward1") \
    X(upsample_nearest2d, "UpsampleNearest2DBackward1") \
    X(upsample_nearest3d, "UpsampleNearest3DBackward1") \
    X(upsample_nearest_exact1d, "UpsampleNearestExact1DBackward1") \
    X(upsample_nearest_exact2d, "UpsampleNearestExact2DBackward1") \
    X(upsample_nearest_exact3d, "UpsampleNearestExact3DBackward1") \
    X(upsample_linear1d, "UpsampleLinear1DBackward1")   \
    X(upsample_bilinear2d, "UpsampleBilinear2DBackward1") \
    X(upsample_trilinear3d, "UpsampleTrilinear3DBackward1")

/* Shape ops (src/ops/shape.c). */
#define CG_OPS_SHAPE(X)                                   \
    X(flip, "FlipBackward0")                              \
    X(roll, "RollBackward0")                              \
    X(rot90, "Rot90Backward0")                            \
    X(repeat, "RepeatBackward0")                          \
    X(tril, "TrilBackward0")                              \
    X(triu, "TriuBackward0")                              \
    X(diagonal, "DiagonalBackward0")                      \
    X(diagonal_backward, "DiagonalBackwardBackward0")     \
    X(diag_embed, "DiagEmbedBackward0")                   \
    X(diag, "DiagBackward0")

/* The unary math family (src/ops/unary_math.c). */
#define CG_OPS_UNARY_MATH(X)                        \
    X(acos, "AcosBackward0")                        \
    X(asin, "AsinBackward0")                        \
    X(atan, "AtanBackward0")                        \
    X(sinh, "SinhBackward0")                        \
    X(cosh, "CoshBackward0")                        \
    X(acosh, "AcoshBackward0")                      \
    X(asinh, "AsinhBackward0")                      \
    X(atanh, "AtanhBackward0")                      \
    X(erfc, "ErfcBackward0")                        \
    X(expm1, "Expm1Backward0")                      \
    X(exp2, "Exp2Backward0")                        \
    X(log2, "Log2Backward0")                        \
    X(log10, "Log10Backward0")                      \
    X(lgamma, "LgammaBackward0")                    \
    X(digamma, "DigammaBackward0")                  \
    X(polygamma, "PolygammaBackward0")              \
    X(sinc, "SincBackward0")                        \
    X(rsqrt, "RsqrtBackward0")                      \
    X(entr, "SpecialEntrBackward0")                 \
    X(frac, "FracBackward0")                        \
    X(floor, "FloorBackward0")                      \
    X(ceil, "CeilBackward0")                        \
    X(trunc, "TruncBackward0")                      \
    X(round, "RoundBackward0")                      \
    X(round_decimals, "RoundBackward1")             \
    X(logit, "LogitBackward0")                      \
    X(nan_to_num, "NanToNumBackward0")              \
    X(deg2rad, "Deg2RadBackward0")                  \
    X(rad2deg, "Rad2DegBackward0")

/* The binary math family (src/ops/binary_math.c). */
#define CG_OPS_BINARY_MATH(X)                       \
    X(atan2, "Atan2Backward0")                      \
    X(hypot, "HypotBackward0")                      \
    X(fmod, "FmodBackward1")                        \
    X(remainder, "RemainderBackward1")              \
    X(copysign, "CopysignBackward0")                \
    X(fmax, "FmaxBackward0")                        \
    X(fmin, "FminBackward0")                        \
    X(xlogy, "XlogyBackward0")                      \
    X(xlog1py, "SpecialXlog1PyBackward0")           \
    X(logaddexp, "LogaddexpBackward0")              \
    X(logaddexp2, "Logaddexp2Backward0")            \
    X(div_mode, "DivBackward2")

/* The dependencies of gradients on the forward's inputs (src/ops/grad_depends.c). */
#define CG_OPS_GRAD_DEPENDS(X)                                                \
    X(reflection_pad1d_depends, "ReflectionPad1DBackwardBackward0")           \
    X(reflection_pad2d_depends, "ReflectionPad2DBackwardBackward0")           \
    X(reflection_pad3d_depends, "ReflectionPad3DBackwardBackward0")           \
    X(replication_pad1d_depends, "ReplicationPad1DBackwardBackward0")         \
    X(replication_pad2d_depends, "ReplicationPad2DBackwardBackward0")         \
    X(replication_pad3d_depends, "ReplicationPad3DBackwardBackward0")         \
    X(layer_norm_depends, "NativeLayerNormBackwardBackward0")                 \
    X(batch_norm_depends, "NativeBatchNormBackwardBackward0")                 \
    X(conv_depends, "ConvolutionBackwardBackward0")                           \
    X(smooth_l1_loss_depends, "SmoothL1LossBackwardBackward0")               \
    X(prelu_depends, "PreluBackwardBackward0")                                \
    X(upsample_nearest1d_depends, "UpsampleNearest1DBackwardBackward1")       \
    X(upsample_nearest2d_depends, "UpsampleNearest2DBackwardBackward1")       \
    X(upsample_nearest3d_depends, "UpsampleNearest3DBackwardBackward1")       \
    X(upsample_linear1d_depends, "UpsampleLinear1DBackwardBackward1")         \
    X(upsample_bilinear2d_depends, "UpsampleBilinear2DBackwardBackward1")     \
    X(elu_depends, "EluBackwardBackward0")                                    \
    X(gelu_depends, "GeluBackwardBackward0")                                  \
    X(hardswish_depends, "HardswishBackwardBackward0")                        \
    X(log_sigmoid_depends, "LogSigmoidBackwardBackward0")                     \
    X(softplus_depends, "SoftplusBackwardBackward0")

/* linalg.* through LAPACK (src/ops/linalg_*.c). */
#define CG_OPS_LINALG_LAPACK(X)                   \
    X(linalg_det, "LinalgDetBackward0")           \
    X(linalg_slogdet, "LinalgSlogdetBackward0")   \
    X(linalg_inv_ex, "LinalgInvExBackward0")      \
    X(linalg_solve_ex, "LinalgSolveExBackward0")

/* More indexing (src/ops/index_more.c, index_adv.c); index_add is in CG_OPS_VIEW. */
#define CG_OPS_INDEX_MORE(X)                        \
    X(index_copy, "IndexCopyBackward0")             \
    X(index_fill, "IndexFillBackward0")             \
    X(index_fill_tensor, "IndexFillBackward1")     \
    X(take, "TakeBackward0")                        \
    X(put, "PutBackward0")                          \
    X(masked_select, "MaskedSelectBackward0")       \
    X(masked_scatter, "MaskedScatterBackward0")    \
    X(index_reduce, "IndexReduceBackward0")        \
    X(index, "IndexBackward0")                      \
    X(index_put, "IndexPutBackward0")               \
    X(index_put_impl, "IndexPutImplBackward0")

#define CG_OPS(X)          \
    CG_OPS_COPY(X)         \
    CG_OPS_ELEMENTWISE(X)  \
    CG_OPS_REDUCE(X)       \
    CG_OPS_VIEW(X)         \
    CG_OPS_LINALG(X)       \
    CG_OPS_LOSS(X)         \
    CG_OPS_TERNARY(X)      \
    CG_OPS_CONV(X)         \
    CG_OPS_ACTIVATION(X)   \
    CG_OPS_NORM(X)         \
    CG_OPS_SHAPE(X)        \
    CG_OPS_SCAN(X)         \
    CG_OPS_SORT(X)         \
    CG_OPS_UNARY_MATH(X)   \
    CG_OPS_BINARY_MATH(X) \
    CG_OPS_REDUCE_MORE(X) \
    CG_OPS_GRAD_DEPENDS(X) \
    CG_OPS_LINALG_LAPACK(X) \
    CG_OPS_INDEX_MORE(X)

#define CG_DECLARE_OP(ident, name)                                            \
    void cg_backward_##ident(cg_node *n, cg_tensor **grads, cg_tensor **out); \
    extern const cg_op cg_op_##ident;
CG_OPS(CG_DECLARE_OP)
#undef CG_DECLARE_OP

#define CG_OP_INDEX(ident, name) CG_OP_INDEX_##ident,
enum { CG_OPS(CG_OP_INDEX) CG_OP_COUNT };
#undef CG_OP_INDEX

/* The forward derivatives: X(ident, jvp) for each op with one. jvp is a generic one (forward_ad.c:
 * cg_jvp_symmetric for elementwise ops, cg_jvp_view for views, cg_jvp_loss for losses) or the
 * op's own cg_jvp_<ident>, defined next to its backward. tests/test_forward_ad.c walks the registry and fails for any op
 * neither here nor on its commented list of ops not done yet. */
#define CG_JVPS(X) \
    /* index more */ \
    X(index_copy, cg_jvp_index_copy) \
    X(index_fill, cg_jvp_index_fill) \
    X(index_fill_tensor, cg_jvp_index_fill_tensor) \
    /* grad depends */ \
    X(reflection_pad1d_depends, cg_jvp_grad_depends) \
    X(reflection_pad2d_depends, cg_jvp_grad_depends) \
    X(reflection_pad3d_depends, cg_jvp_grad_depends) \
    X(replication_pad1d_depends, cg_jvp_grad_depends) \
    X(replication_pad2d_depends, cg_jvp_grad_depends) \
    X(replication_pad3d_depends, cg_jvp_grad_depends) \
    X(layer_norm_depends, cg_jvp_grad_depends) \
    X(batch_norm_depends, cg_jvp_grad_depends) \
    X(conv_depends, cg_jvp_grad_depends) \
    X(smooth_l1_loss_depends, cg_jvp_grad_depends) \
    /* conv */ \
    X(max_pool2d, cg_jvp_max_pool2d) \
    X(adaptive_max_pool2d, cg_jvp_max_pool2d) \
    X(max_pool2d_backward, cg_jvp_max_pool2d_backward) \
    X(adaptive_max_pool2d_backward, cg_jvp_max_pool2d_backward) \
    X(avg_pool2d, cg_jvp_avg_pool2d) \
    X(adaptive_avg_pool2d, cg_jvp_avg_pool2d) \
    X(avg_pool2d_backward, cg_jvp_avg_pool2d_backward) \
    X(adaptive_avg_pool2d_backward, cg_jvp_avg_pool2d_backward) \
    /* linalg lapack */ \
    X(linalg_solve_ex, cg_jvp_linalg_solve_ex) \
    X(linalg_inv_ex, cg_jvp_linalg_inv_ex) \
    X(linalg_slogdet, cg_jvp_linalg_slogdet) \
    /* copy */ \
    X(clone, cg_jvp_symmetric) \
    X(to_copy, cg_jvp_to_copy) \
    /* elementwise */ \
    X(add, cg_jvp_symmetric) \
    X(sub, cg_jvp_symmetric) \
    X(mul, cg_jvp_symmetric) \
    X(div, cg_jvp_symmetric) \
    X(add_scalar, cg_jvp_symmetric) \
    X(sub_scalar, cg_jvp_symmetric) \
    X(rsub_scalar, cg_jvp_symmetric) \
    X(mul_scalar, cg_jvp_symmetric) \
    X(mul_by_scalar, cg_jvp_symmetric) \
    X(add_by_scalar, cg_jvp_symmetric) \
    X(div_by_count, cg_jvp_symmetric) \
    X(div_scalar, cg_jvp_symmetric) \
    X(pow_scalar, cg_jvp_symmetric) \
    X(pow, cg_jvp_symmetric) \
    X(rpow_scalar, cg_jvp_symmetric) \
    X(reciprocal, cg_jvp_symmetric) \
    X(maximum, cg_jvp_symmetric) \
    X(minimum, cg_jvp_symmetric) \
    X(where, cg_jvp_symmetric) \
    X(clamp, cg_jvp_symmetric) \
    X(clamp_min, cg_jvp_symmetric) \
    X(neg, cg_jvp_symmetric) \
    X(exp, cg_jvp_symmetric) \
    X(log, cg_jvp_symmetric) \
    X(log1p, cg_jvp_symmetric) \
    X(sqrt, cg_jvp_symmetric) \
    X(abs, cg_jvp_symmetric) \
    X(sign, cg_jvp_symmetric) \
    X(sgn, cg_jvp_symmetric) \
    X(sin, cg_jvp_symmetric) \
    X(cos, cg_jvp_symmetric) \
    X(tan, cg_jvp_symmetric) \
    X(tanh, cg_jvp_symmetric) \
    X(sigmoid, cg_jvp_symmetric) \
    X(relu, cg_jvp_symmetric) \
    X(threshold_backward, cg_jvp_symmetric) \
    X(tanh_backward, cg_jvp_symmetric) \
    X(sigmoid_backward, cg_jvp_symmetric) \
    /* reduce */ \
    X(sum, cg_jvp_sum) \
    X(sum_dims, cg_jvp_sum) \
    X(mean, cg_jvp_sum) \
    X(mean_dims, cg_jvp_sum) \
    X(var, cg_jvp_var) \
    X(std, cg_jvp_std) \
    X(norm, cg_jvp_norm) \
    X(prod, cg_jvp_loss) \
    X(max, cg_jvp_max) \
    X(min, cg_jvp_max) \
    X(max_dim, cg_jvp_max_dim) \
    X(min_dim, cg_jvp_max_dim) \
    /* view */ \
    X(scatter_add, cg_jvp_scatter) \
    X(scatter, cg_jvp_scatter) \
    X(scatter_zero, cg_jvp_scatter_zero) \
    X(index_add, cg_jvp_index_add) \
    X(select_backward, cg_jvp_select_backward) \
    X(slice_backward, cg_jvp_select_backward) \
    X(view, cg_jvp_view) \
    X(reshape_alias, cg_jvp_view) \
    X(unsafe_view, cg_jvp_view) \
    X(expand, cg_jvp_view) \
    X(permute, cg_jvp_view) \
    X(squeeze, cg_jvp_view) \
    X(squeeze_dim, cg_jvp_view) \
    X(unsqueeze, cg_jvp_view) \
    X(transpose, cg_jvp_view) \
    X(t, cg_jvp_view) \
    X(select, cg_jvp_view) \
    X(alias, cg_jvp_view) \
    X(slice, cg_jvp_view) \
    X(unbind, cg_jvp_view) \
    X(split, cg_jvp_view) \
    X(split_with_sizes, cg_jvp_view) \
    X(cat, cg_jvp_cat) \
    X(stack, cg_jvp_stack) \
    X(index_select, cg_jvp_index_select) \
    X(gather, cg_jvp_gather) \
    X(masked_fill, cg_jvp_symmetric) \
    X(masked_fill_tensor, cg_jvp_masked_fill_tensor) \
    /* linalg */ \
    X(dot, cg_jvp_dot) \
    X(mv, cg_jvp_mv) \
    X(mm, cg_jvp_mm) \
    X(addmm, cg_jvp_addmm) \
    X(bmm, cg_jvp_bmm) \
    X(matmul_squeeze, cg_jvp_view) \
    /* loss */ \
    X(binary_cross_entropy_with_logits, cg_jvp_loss) \
    X(mse_loss, cg_jvp_loss) \
    X(softmax, cg_jvp_symmetric) \
    X(log_softmax, cg_jvp_log_softmax) \
    X(nll_loss, cg_jvp_nll_loss) \
    X(nll_loss2d, cg_jvp_nll_loss) \
    X(binary_cross_entropy, cg_jvp_loss) \
    X(smooth_l1_loss, cg_jvp_loss) \
    X(huber_loss, cg_jvp_loss) \
    X(soft_margin_loss, cg_jvp_loss) \
    /* scan */ \
    X(cumsum, cg_jvp_cumsum) \
    X(cummax, cg_jvp_cummax) \
    X(cummin, cg_jvp_cummax) \
    /* sort */ \
    X(sort, cg_jvp_sort) \
    X(sort_stable, cg_jvp_sort) \
    X(topk, cg_jvp_sort) \
    X(kthvalue, cg_jvp_kthvalue) \
    X(median, cg_jvp_loss) \
    X(median_dim, cg_jvp_kthvalue) \
    X(nanmedian, cg_jvp_loss) \
    X(nanmedian_dim, cg_jvp_kthvalue) \
    X(mode, cg_jvp_kthvalue) \
    /* reduce more */ \
    X(amax, cg_jvp_amax) \
    X(amin, cg_jvp_amax) \
    X(logsumexp, cg_jvp_logsumexp) \
    X(nansum, cg_jvp_nansum) \
    /* ternary */ \
    X(add_alpha, cg_jvp_symmetric) \
    X(sub_alpha, cg_jvp_symmetric) \
    X(addcmul, cg_jvp_symmetric) \
    X(addcdiv, cg_jvp_symmetric) \
    X(lerp_scalar, cg_jvp_symmetric) \
    X(lerp, cg_jvp_symmetric) \
    X(clamp_tensor, cg_jvp_symmetric) \
    /* activation */ \
    X(reflection_pad1d, cg_jvp_pad_indexed) \
    X(reflection_pad2d, cg_jvp_pad_indexed) \
    X(reflection_pad3d, cg_jvp_pad_indexed) \
    X(replication_pad1d, cg_jvp_pad_indexed) \
    X(replication_pad2d, cg_jvp_pad_indexed) \
    X(replication_pad3d, cg_jvp_pad_indexed) \
    X(upsample_nearest1d, cg_jvp_upsample_nearest) \
    X(upsample_nearest2d, cg_jvp_upsample_nearest) \
    X(upsample_nearest3d, cg_jvp_upsample_nearest) \
    X(upsample_linear1d, cg_jvp_upsample_linear) \
    X(upsample_bilinear2d, cg_jvp_upsample_linear) \
    X(prelu, cg_jvp_prelu) \
    X(glu, cg_jvp_glu) \
    X(leaky_relu, cg_jvp_symmetric) \
    X(hardtanh, cg_jvp_symmetric) \
    X(elu, cg_jvp_symmetric) \
    X(celu, cg_jvp_symmetric) \
    X(silu, cg_jvp_symmetric) \
    X(gelu, cg_jvp_symmetric) \
    X(softplus, cg_jvp_symmetric) \
    X(hardsigmoid, cg_jvp_symmetric) \
    X(hardswish, cg_jvp_symmetric) \
    X(mish, cg_jvp_symmetric) \
    X(log_sigmoid, cg_jvp_symmetric) \
    X(erf, cg_jvp_symmetric) \
    X(leaky_relu_backward, cg_jvp_symmetric) \
    X(hardtanh_backward, cg_jvp_symmetric) \
    X(hardsigmoid_backward, cg_jvp_symmetric) \
    X(embedding, cg_jvp_embedding) \
    X(constant_pad, cg_jvp_constant_pad) \
    /* shape */ \
    X(diagonal_backward, cg_jvp_diagonal_backward) \
    X(flip, cg_jvp_symmetric) \
    X(roll, cg_jvp_roll) \
    X(rot90, cg_jvp_rot90) \
    X(repeat, cg_jvp_repeat) \
    X(tril, cg_jvp_symmetric) \
    X(triu, cg_jvp_symmetric) \
    X(diagonal, cg_jvp_view) \
    X(diag_embed, cg_jvp_diag_embed) \
    X(diag, cg_jvp_diag) \
    /* unary math */ \
    X(acos, cg_jvp_symmetric) \
    X(asin, cg_jvp_symmetric) \
    X(atan, cg_jvp_symmetric) \
    X(sinh, cg_jvp_symmetric) \
    X(cosh, cg_jvp_symmetric) \
    X(acosh, cg_jvp_symmetric) \
    X(asinh, cg_jvp_symmetric) \
    X(atanh, cg_jvp_symmetric) \
    X(erfc, cg_jvp_symmetric) \
    X(expm1, cg_jvp_symmetric) \
    X(exp2, cg_jvp_symmetric) \
    X(log2, cg_jvp_symmetric) \
    X(log10, cg_jvp_symmetric) \
    X(lgamma, cg_jvp_symmetric) \
    X(digamma, cg_jvp_symmetric) \
    X(polygamma, cg_jvp_symmetric) \
    X(sinc, cg_jvp_symmetric) \
    X(rsqrt, cg_jvp_symmetric) \
    X(entr, cg_jvp_symmetric) \
    X(frac, cg_jvp_symmetric) \
    X(floor, cg_jvp_symmetric) \
    X(ceil, cg_jvp_symmetric) \
    X(trunc, cg_jvp_symmetric) \
    X(round, cg_jvp_symmetric) \
    X(round_decimals, cg_jvp_symmetric) \
    X(logit, cg_jvp_symmetric) \
    X(nan_to_num, cg_jvp_symmetric) \
    X(deg2rad, cg_jvp_symmetric) \
    X(rad2deg, cg_jvp_symmetric) \
    /* binary math */ \
    X(atan2, cg_jvp_symmetric) \
    X(hypot, cg_jvp_symmetric) \
    X(fmod, cg_jvp_symmetric) \
    X(remainder, cg_jvp_symmetric) \
    X(copysign, cg_jvp_symmetric) \
    X(fmax, cg_jvp_symmetric) \
    X(fmin, cg_jvp_symmetric) \
    X(xlogy, cg_jvp_symmetric) \
    X(xlog1py, cg_jvp_symmetric) \
    X(logaddexp, cg_jvp_symmetric) \
    X(logaddexp2, cg_jvp_symmetric) \
    X(div_mode, cg_jvp_symmetric)

#define CG_DECLARE_JVP(ident, jvp) \
    void jvp(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout);
CG_JVPS(CG_DECLARE_JVP)
#undef CG_DECLARE_JVP

extern const cg_op *const cg_op_registry[];
extern const int cg_op_registry_size;
extern const cg_jvp_fn cg_op_jvps[CG_OP_COUNT];

#endif
