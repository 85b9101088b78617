"""Golden data for tests/test_loss_grad.c: forward values, node names and gradients of the losses
and the softmax family in PyTorch 1.13 (float32 and float64), and their error messages.

Value lines: <case> <node name> <ninputs> <input>... <grad_output> <output> <grad or "none">...
(one grad per input; integer targets never require grad). The C test knows each case's function.
Error lines: error <case> <message>.
Run: /usr/bin/python3 tools/gen_loss_grad.py > tests/data/loss_grad.txt"""
import warnings

import torch
import torch.nn.functional as F

from golden import tensor_text

warnings.simplefilter("ignore")


def randn(seed, *shape, dtype=torch.float32, scale=2.0):
    torch.manual_seed(seed)
    return (torch.randn(*shape, dtype=torch.float64) * scale).to(dtype)


def rand(seed, *shape, dtype=torch.float32):
    torch.manual_seed(seed)
    return torch.rand(*shape, dtype=torch.float64).to(dtype)


def targets(*values):
    return torch.tensor(values, dtype=torch.int64)


def big_targets(n, classes, seed):
    torch.manual_seed(seed)
    t = torch.randint(0, classes, (n,))
    t[::7] = -100
    return t


F64 = torch.float64
CASES = [
    # name, function, inputs (floating inputs require grad)
    ("bce_mean", lambda x, t: F.binary_cross_entropy_with_logits(x, t), [randn(1, 3, 4), rand(2, 3, 4)]),
    ("bce_sum", lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction="sum"), [randn(3, 5), rand(4, 5)]),
    ("bce_none", lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction="none"), [randn(5, 2, 3), rand(6, 2, 3)]),
    ("bce_mean_f64", lambda x, t: F.binary_cross_entropy_with_logits(x, t), [randn(7, 3, 4, dtype=F64), rand(8, 3, 4, dtype=F64)]),
    ("bce_large_logits", lambda x, t: F.binary_cross_entropy_with_logits(x, t),
     [torch.tensor([-100.0, -20.0, -1e-3, 0.0, 1e-3, 20.0, 100.0]), torch.tensor([0.0, 1.0, 0.5, 1.0, 0.0, 0.0, 1.0])]),
    ("bce_mixed_dtypes", lambda x, t: F.binary_cross_entropy_with_logits(x, t), [randn(9, 4), rand(10, 4, dtype=F64)]),
    ("mse_mean", lambda x, t: F.mse_loss(x, t), [randn(11, 3, 4), randn(12, 3, 4)]),
    ("mse_sum", lambda x, t: F.mse_loss(x, t, reduction="sum"), [randn(13, 6), randn(14, 6)]),
    ("mse_none", lambda x, t: F.mse_loss(x, t, reduction="none"), [randn(15, 2, 3), randn(16, 2, 3)]),
    ("mse_mean_f64", lambda x, t: F.mse_loss(x, t), [randn(17, 3, 4, dtype=F64), randn(18, 3, 4, dtype=F64)]),
    ("mse_broadcast", lambda x, t: F.mse_loss(x, t), [randn(19, 3, 4), randn(20, 4)]),
    ("softmax_dim1", lambda x: F.softmax(x, 1), [randn(21, 3, 5)]),
    ("softmax_dim0", lambda x: F.softmax(x, 0), [randn(22, 3, 5)]),
    ("softmax_3d", lambda x: F.softmax(x, 1), [randn(23, 2, 3, 4, dtype=F64)]),
    ("softmax_0d", lambda x: F.softmax(x, 0), [torch.tensor(1.5)]),
    ("softmax_inf", lambda x: F.softmax(x, 0), [torch.tensor([float("-inf"), 1.0, 2.0])]),
    ("log_softmax_dim1", lambda x: F.log_softmax(x, 1), [randn(24, 3, 5)]),
    ("log_softmax_dim0", lambda x: F.log_softmax(x, 0), [randn(25, 3, 5, dtype=F64)]),
    ("log_softmax_big", lambda x: F.log_softmax(x, -1), [randn(26, 4, 40, scale=30.0)]),
    ("nll_mean", lambda x, t: F.nll_loss(x, t), [randn(27, 3, 4), targets(2, 0, 3)]),
    ("nll_sum", lambda x, t: F.nll_loss(x, t, reduction="sum"), [randn(28, 3, 4), targets(2, 0, 3)]),
    ("nll_none", lambda x, t: F.nll_loss(x, t, reduction="none"), [randn(29, 3, 4), targets(2, -100, 3)]),
    ("nll_ignored", lambda x, t: F.nll_loss(x, t), [randn(30, 3, 4, dtype=F64), targets(-100, 1, 3)]),
    ("nll_all_ignored", lambda x, t: F.nll_loss(x, t), [randn(31, 2, 4), targets(-100, -100)]),
    ("nll_1d", lambda x, t: F.nll_loss(x, t), [randn(32, 5), torch.tensor(3)]),
    ("nll_empty", lambda x, t: F.nll_loss(x, t), [randn(33, 0, 4), targets()]),
    ("nll_large", lambda x, t: F.nll_loss(x, t), [randn(34, 1000, 3), big_targets(1000, 3, 35)]),
    ("nll_large_sum_f64", lambda x, t: F.nll_loss(x, t, reduction="sum"), [randn(36, 600, 5, dtype=F64), big_targets(600, 5, 37)]),
    ("cross_entropy", lambda x, t: F.cross_entropy(x, t), [randn(38, 4, 5), targets(4, 0, -100, 1)]),
    ("cross_entropy_none", lambda x, t: F.cross_entropy(x, t, reduction="none"), [randn(39, 3, 5), targets(4, 0, 1)]),
    ("cross_entropy_1d", lambda x, t: F.cross_entropy(x, t), [randn(40, 5, dtype=F64), torch.tensor(2)]),
    ("cross_entropy_probs", lambda x, t: F.cross_entropy(x, t), [randn(41, 3, 5), F.softmax(randn(42, 3, 5), 1)]),
]

ERRORS = [
    ("bce_shape", lambda: F.binary_cross_entropy_with_logits(torch.ones(3, 4), torch.ones(3))),
    ("bce_long_target", lambda: F.binary_cross_entropy_with_logits(torch.ones(3), torch.ones(3, dtype=torch.int64))),
    ("bce_long_target_f64", lambda: F.binary_cross_entropy_with_logits(torch.ones(3, dtype=F64), torch.ones(3, dtype=torch.int64))),
    ("bce_long_input", lambda: F.binary_cross_entropy_with_logits(torch.ones(3, dtype=torch.int64), torch.ones(3))),
    ("bce_bool_target", lambda: F.binary_cross_entropy_with_logits(torch.ones(3), torch.ones(3, dtype=torch.bool))),
    ("bce_bool_input", lambda: F.binary_cross_entropy_with_logits(torch.ones(3, dtype=torch.bool), torch.ones(3))),
    ("mse_broadcast", lambda: F.mse_loss(torch.ones(3, 4), torch.ones(5))),
    ("mse_long", lambda: F.mse_loss(torch.ones(3, dtype=torch.int64), torch.ones(3, dtype=torch.int64))),
    ("softmax_long", lambda: F.softmax(torch.ones(3, dtype=torch.int64), 0)),
    ("softmax_long_dim0", lambda: F.softmax(torch.ones(3, 2, dtype=torch.int64), 0)),
    ("log_softmax_long", lambda: F.log_softmax(torch.ones(3, 2, dtype=torch.int64), 1)),
    ("log_softmax_long_dim0", lambda: F.log_softmax(torch.ones(3, 2, dtype=torch.int64), 0)),
    ("softmax_dim", lambda: F.softmax(torch.ones(3, 2), 2)),
    ("nll_out_of_bounds", lambda: F.nll_loss(torch.ones(3, 4), targets(0, 1, 5))),
    ("nll_negative", lambda: F.nll_loss(torch.ones(3, 4), targets(0, -1, 2))),
    ("nll_none_out_of_bounds", lambda: F.nll_loss(torch.ones(3, 4), targets(0, 9, -5), reduction="none")),
    ("nll_1d_out_of_bounds", lambda: F.nll_loss(torch.ones(4), torch.tensor(7))),
    ("nll_batch", lambda: F.nll_loss(torch.ones(3, 4), targets(0, 1))),
    ("nll_float_target", lambda: F.nll_loss(torch.ones(3, 4), torch.ones(3))),
    ("nll_bool_target", lambda: F.nll_loss(torch.ones(3, 4), torch.ones(3, dtype=torch.bool))),
    ("nll_long_input", lambda: F.nll_loss(torch.ones(3, 4, dtype=torch.int64), targets(0, 1, 2))),
    ("nll_2d_target", lambda: F.nll_loss(torch.ones(3, 4), torch.zeros(3, 1, dtype=torch.int64))),
    ("nll_0d_input", lambda: F.nll_loss(torch.tensor(1.0), torch.tensor(0))),
    ("nll_1d_size", lambda: F.nll_loss(torch.ones(4), targets(1))),
    ("nll_0d_target", lambda: F.nll_loss(torch.ones(3, 4), torch.tensor(1))),
    ("nll_no_classes", lambda: F.nll_loss(torch.ones(3, 0), targets(0, 0, 0))),
    ("nll_1d_no_classes", lambda: F.nll_loss(torch.ones(0), torch.tensor(0))),
    ("cross_entropy_out_of_bounds", lambda: F.cross_entropy(torch.ones(3, 4), targets(0, 1, 5))),
    ("cross_entropy_batch", lambda: F.cross_entropy(torch.ones(3, 4), targets(0, 1))),
    ("cross_entropy_long_probs", lambda: F.cross_entropy(torch.ones(3, 4), torch.ones(3, 4, dtype=torch.int64))),
]


def main():
    print("# generated by tools/gen_loss_grad.py")
    for i, (name, fn, inputs) in enumerate(CASES):
        leaves = [t.clone().requires_grad_(t.is_floating_point()) for t in inputs]
        out = fn(*leaves)
        torch.manual_seed(500 + i)
        grad_output = torch.randn(out.shape, dtype=out.dtype)
        out.backward(grad_output)
        grads = ["none" if t.grad is None else tensor_text(t.grad) for t in leaves]
        print(name, type(out.grad_fn).__name__, len(inputs), *[tensor_text(t) for t in inputs],
              tensor_text(grad_output), tensor_text(out), *grads)
    for name, fn in ERRORS:
        try:
            fn()
            raise AssertionError(name + " did not fail")
        except (RuntimeError, ValueError, IndexError) as e:
            print("error", name, f"{type(e).__name__}: {e}")


main()
