"""Golden data for tests/test_checkpoint.c: torch.utils.checkpoint of a small dropout MLP segment,
reentrant and not, after torch.manual_seed(0): the weights' gradients and the next draw of the
default generator after backward (the recomputation must leave it where the forward did).
Each line: <case> <grad w1> <grad w2> <next draw> (golden tensors).
    /usr/bin/python3 tools/gen_checkpoint.py > tests/data/checkpoint.txt
"""
import ctypes

import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint


def golden(t):
    t = t.detach()
    return ' '.join(['float32', str(t.dim())] + [str(s) for s in t.shape] + [repr(float(v)) for v in t.flatten()])


def segment(x, w1, w2):
    return F.dropout(torch.tanh(x @ w1), 0.5, training=True) @ w2


print('# tools/gen_checkpoint.py with torch', torch.__version__)
blas = ctypes.CDLL("libopenblas.so.0")  # the one PyTorch loaded: its kernels round the products
blas.openblas_get_corename.restype = ctypes.c_char_p
print('# blas %s %d' % (blas.openblas_get_corename().decode(), blas.openblas_get_num_threads()))
for name, mode in [('plain', None), ('reentrant', True), ('non_reentrant', False)]:
    torch.manual_seed(0)
    x = torch.randn(4, 3)
    w1 = torch.randn(3, 5).requires_grad_()
    w2 = torch.randn(5, 2).requires_grad_()
    y = segment(x, w1, w2) if mode is None else checkpoint(segment, x, w1, w2, use_reentrant=mode)
    (y * y).sum().backward()
    print(name, golden(w1.grad), golden(w2.grad), golden(torch.rand(3)))
