"""Golden values of F.ctc_loss: writes tests/data/ctc_loss.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_ctc_loss.py. Lines:
    case <reduction> <blank> <zero_infinity> <log_probs> <targets> <input_lengths> <target_lengths>
         <loss> <node> <grad of log_probs>
    error <log_probs> <targets> <input_lengths> <target_lengths> <blank> <message>
The gradient is that of loss.sum() (loss for "none"). 1.13 reads outside its log_alpha for an
empty target or an input of length 0; those cases are written with the values later versions
define (-sum of the blank's log-probabilities, 0 or inf), which 1.13 gives here where it
happens to read -inf: the generator checks that it does.
"""
import os

import torch
import torch.nn.functional as F

from golden import tensor_text

torch.manual_seed(0)
lines = []


def case(lp, tg, il, tl, reduction="mean", blank=0, zero_infinity=False):
    lp = lp.detach().requires_grad_()
    loss = F.ctc_loss(lp, tg, il, tl, blank=blank, reduction=reduction, zero_infinity=zero_infinity)
    (loss.sum() if reduction == "none" else loss).backward()
    lines.append(" ".join(["case", reduction, str(blank), str(int(zero_infinity)), tensor_text(lp), tensor_text(tg),
                           tensor_text(il), tensor_text(tl), tensor_text(loss), type(loss.grad_fn).__name__,
                           tensor_text(lp.grad)]))


def error(lp, tg, il, tl, blank=0):
    try:
        F.ctc_loss(lp, tg, il, tl, blank=blank)
    except Exception as e:
        lines.append(" ".join(["error", tensor_text(lp), tensor_text(tg), tensor_text(il), tensor_text(tl), str(blank),
                               str(e)]))
        return
    raise AssertionError("no error")


def log_probs(T, N, C, dtype):
    return torch.randn(T, N, C, dtype=dtype).log_softmax(2)


L = torch.tensor
for dtype in (torch.float32, torch.float64):
    for reduction in ("mean", "sum", "none"):
        lp = log_probs(6, 3, 5, dtype)
        tg = torch.randint(1, 5, (3, 4))
        tg[0, 1] = tg[0, 0]  # a repeated label needs a blank between
        case(lp, tg, L([6, 5, 6]), L([4, 2, 3]), reduction)
        case(lp, torch.cat([tg[0, :4], tg[1, :2], tg[2, :3]]), L([6, 5, 6]), L([4, 2, 3]), reduction)
        case(lp, tg.clamp(0, 3), L([6, 6, 4]), L([3, 1, 2]), reduction, blank=4)
        case(lp[:, 0], tg[0, :3], L(6), L(3), reduction)  # unbatched
        case(log_probs(4, 2, 3, dtype), L([[1, 1, 1], [2, 1, 2]]), L([4, 4]), L([3, 3]), reduction)  # impossible
        case(log_probs(4, 2, 3, dtype), L([[1, 1, 1], [2, 1, 2]]), L([4, 4]), L([3, 3]), reduction, zero_infinity=True)
        case(log_probs(30, 2, 6, dtype) * 3, torch.randint(1, 6, (2, 10)), L([30, 25]), L([10, 8]), reduction)
    lp = log_probs(5, 2, 4, dtype)
    case(lp, L([[1, 2], [3, 3]]), L([5, 3]), L([2, 2]), "mean", zero_infinity=True)
    case(lp.permute(1, 0, 2).contiguous().permute(1, 0, 2), L([[1, 2], [3, 1]]), L([5, 4]), L([2, 1]), "sum")
    case(lp, L([[1.0, 2.0], [3.0, 1.0]]), L([5, 4]), L([2, 1]), "none")  # float targets are cast
    # an empty target: -sum of the blank's log-probabilities over the input
    empty = F.ctc_loss(lp, L([[1, 2], [1, 2]]), L([5, 3]), L([0, 2]), reduction="none")
    assert abs(empty[0].item() + lp[:, 0, 0].sum().item()) < 1e-5, "1.13 read something other than -inf"
    case(lp, L([[1, 2], [1, 2]]), L([5, 3]), L([0, 2]), "none")

lp = log_probs(5, 2, 4, torch.float64)
tg, il, tl = L([[1, 2, 3], [1, 1, 2]]), L([5, 4]), L([3, 2])
error(lp, tg, L([6, 4]), tl)
error(lp, tg, il, L([4, 2]))
error(lp, tg, il, tl, blank=4)
error(lp, tg, il, tl, blank=-1)
error(lp[0], tg, il, tl)
error(lp[None], tg, il, tl)
error(lp, tg[None], il, tl)
error(lp, tg[:1], il, tl)
error(lp, tg.reshape(-1), il, tl)
error(lp, tg, L([5, 4, 3]), tl)
error(lp, tg, il, tl[:1])
error(lp, tg, il.double(), tl)
error(lp, tg, il, tl.double())
error(lp.long(), tg, il, tl)
error(lp[:0], tg, L([0, 0]), tl)

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
with open(os.path.join(root, "tests", "data", "ctc_loss.txt"), "w") as f:
    f.write("# tools/gen_ctc_loss.py: case reduction blank zero_infinity log_probs targets input_lengths target_lengths"
            " loss node grad | error log_probs targets input_lengths target_lengths blank message\n")
    f.write("\n".join(lines) + "\n")
print(len(lines), "lines")
