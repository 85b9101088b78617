"""Golden lines for ops called with a few arguments (tests/golden_ops.h reads them).

Each line is
    <op> <nargs> <args...> <ninputs> (<layout> <tensor>)... OK <noutputs> <tensor>...
or the same head followed by 'ERR <Kind>: <message>'. An argument is an int or a float (repr), a
layout is C (the tensor as written) or T (the tensor's last two dims transposed: a strided view).
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from golden import tensor_text  # noqa: E402,F401


def line(op, args, inputs, run):
    """inputs: (layout, tensor) pairs; run(*views) returns a tensor or a tuple of them."""
    head = [op, str(len(args))] + [repr(a) if isinstance(a, float) else str(int(a)) for a in args]
    head.append(str(len(inputs)))
    views = []
    for layout, t in inputs:
        head += [layout, tensor_text(t)]
        views.append(t.transpose(-1, -2) if layout == "T" else t)
    try:
        out = run(*views)
        outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
        tail = "OK " + str(len(outs)) + " " + " ".join(tensor_text(o) for o in outs)
    except Exception as e:  # noqa: BLE001 - every PyTorch error is a golden message
        tail = f"ERR {type(e).__name__}: {e}"
    return " ".join(head) + " " + tail


def write(path, title, lines):
    with open(path, "w") as f:
        f.write("# " + title + "\n")
        for l in lines:
            f.write(l + "\n")
