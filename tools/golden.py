"""Helpers for the golden-data generators: write tensors in the format tests/golden.h reads.

Run the generators with /usr/bin/python3 (Debian's python3-torch)."""
import torch

DTYPES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.bool: "bool"}


def value_text(v, dtype):
    if dtype == torch.bool:
        return "1" if v else "0"
    if dtype == torch.int64:
        return str(int(v))
    return repr(float(v))


def tensor_text(t):
    """'<dtype> <ndim> <sizes...> <values...>' for a float32/float64/int64/bool tensor."""
    t = t.detach()
    parts = [DTYPES[t.dtype], str(t.dim())] + [str(s) for s in t.shape]
    parts += [value_text(v, t.dtype) for v in t.contiguous().reshape(-1).tolist()]
    return " ".join(parts)
