"""Golden data for tests/test_init.c: nn.init.trunc_normal_, orthogonal_ and dirac_ from PyTorch
1.13. Writes tests/data/init.txt; its first line names the OpenBLAS kernels PyTorch's LAPACK ran on
('# blas CORE THREADS'), then one record per line:
    init <case> <seed> <tensor> | <next>     the tensor nn.init fills right after manual_seed(seed),
                                             and torch.rand(3) drawn after it (the generator moved
                                             on as PyTorch's did)
    warn <case> | <message>                  the warning the case gives
    error <case> | <Python exception>        a call that fails
The cases are built the same way in tests/test_init.c (same names).

Run from the repository root with /usr/bin/python3 tools/gen_init.py.
"""
import ctypes
import warnings

import torch
from torch import nn

from golden import tensor_text

f64 = torch.float64
CASES = {
    "trunc_normal": lambda: nn.init.trunc_normal_(torch.empty(3, 4)),
    "trunc_normal_wide": lambda: nn.init.trunc_normal_(torch.empty(1000), 0.5, 2.0, -1.0, 3.0),
    "trunc_normal_tail": lambda: nn.init.trunc_normal_(torch.empty(500), 0.0, 0.1, 0.25, 0.3),
    "trunc_normal_f64": lambda: nn.init.trunc_normal_(torch.empty(300, dtype=f64), -1.0, 0.5, -2.0, 0.0),
    "trunc_normal_far": lambda: nn.init.trunc_normal_(torch.empty(6), 5.0, 1.0, -1.0, 1.0),
    "orthogonal": lambda: nn.init.orthogonal_(torch.empty(3, 5)),
    "orthogonal_tall": lambda: nn.init.orthogonal_(torch.empty(5, 3)),
    "orthogonal_square": lambda: nn.init.orthogonal_(torch.empty(6, 6), 2.0),
    "orthogonal_conv": lambda: nn.init.orthogonal_(torch.empty(4, 2, 3, 3)),
    "orthogonal_f64": lambda: nn.init.orthogonal_(torch.empty(7, 5, dtype=f64), 0.5),
    "orthogonal_64x32": lambda: nn.init.orthogonal_(torch.empty(64, 32)),
    "orthogonal_20x200": lambda: nn.init.orthogonal_(torch.empty(20, 200)),
    "orthogonal_150x140": lambda: nn.init.orthogonal_(torch.empty(150, 140)),
    "orthogonal_f64_140x150": lambda: nn.init.orthogonal_(torch.empty(140, 150, dtype=f64)),
    "orthogonal_row": lambda: nn.init.orthogonal_(torch.empty(1, 4)),
    "dirac_1d": lambda: nn.init.dirac_(torch.empty(4, 2, 3)),
    "dirac_2d_groups": lambda: nn.init.dirac_(torch.empty(6, 4, 3, 3), 2),
    "dirac_3d_f64": lambda: nn.init.dirac_(torch.empty(2, 3, 3, 2, 3, dtype=f64)),
}
ERRORS = {
    "orthogonal_1d": lambda: nn.init.orthogonal_(torch.empty(4)),
    "dirac_2d": lambda: nn.init.dirac_(torch.empty(3, 3)),
    "dirac_groups": lambda: nn.init.dirac_(torch.empty(6, 4, 3), 4),
}


def main():
    blas = ctypes.CDLL("libopenblas.so.0")  # the one PyTorch loaded: orthogonal_'s bits are its kernels'
    blas.openblas_get_corename.restype = ctypes.c_char_p
    out = ["# blas %s %d" % (blas.openblas_get_corename().decode(), blas.openblas_get_num_threads()),
           "# tools/gen_init.py: PyTorch " + torch.__version__]
    for seed, (name, make) in enumerate(CASES.items()):
        torch.manual_seed(seed)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            t = make()
        after = torch.rand(3)
        out.append(f"init {name} {seed} {tensor_text(t)} | {tensor_text(after)}")
        for w in caught:
            out.append(f"warn {name} | {w.message}")
    for name, make in ERRORS.items():
        try:
            make()
            raise SystemExit(f"{name} did not fail")
        except ValueError as e:
            out.append(f"error {name} | ValueError: {e}")
    with open("tests/data/init.txt", "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
