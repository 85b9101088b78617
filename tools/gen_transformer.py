"""Golden data for the attention layers: writes tests/data/transformer.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_transformer.py. Case i is built right
after manual_seed(i) (MultiheadAttention cases, then TransformerEncoderLayer ones; grad enabled: the
path autograd sees, not the fused fast path PyTorch takes under no_grad in eval), inputs drawn after;
lines:
    param <case> <key> <tensor>       state_dict() entries, in order
    input <case> <tensor>             the forward's tensors in the order of the case's table (test_transformer.c)
    output <case> <tensor>            the output, then the attention weights when asked for
    grad <case> <key> <tensor>        the parameter's .grad after backward of the loss
    igrad <case> <i> <tensor>         the .grad of the i-th floating input
    error <case> <Type>: <message>    what the call raises
The loss is (output ** 2).sum() (+ (weights ** 2).sum()). The first line names OpenBLAS's kernels.
"""
import ctypes
import warnings

import torch
import torch.nn as nn

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from golden import tensor_text  # noqa: E402



# name: (constructor, identity of q/k/v, shapes, key_padding_mask maker, attn_mask maker, need_weights, average)
CASES = {
    "mha_self": (lambda: nn.MultiheadAttention(8, 2), "self", ((5, 3, 8),), None, None, True, True),
    "mha_bf_kpm": (lambda: nn.MultiheadAttention(8, 4, batch_first=True), "self", ((3, 5, 8),),
                   lambda: torch.tensor([[False] * 5, [False, False, False, True, True], [True] + [False] * 4]),
                   None, True, False),
    "mha_encdec_mask": (lambda: nn.MultiheadAttention(6, 3), "kv", ((4, 2, 6), (5, 2, 6)), None,
                        lambda: torch.randn(4, 5), True, True),
    "mha_separate_bool": (lambda: nn.MultiheadAttention(6, 2, bias=False), "separate", ((4, 2, 6), (5, 2, 6), (5, 2, 6)),
                          lambda: torch.tensor([[False, False, False, False, True], [False] * 5]),
                          lambda: torch.tensor([[j > i + 1 for j in range(5)] for i in range(4)]), False, True),
    "mha_unbatched": (lambda: nn.MultiheadAttention(8, 2), "self", ((5, 8),), None, None, True, True),
    "mha_3d_mask": (lambda: nn.MultiheadAttention(4, 2), "self", ((3, 2, 4),), None, lambda: torch.randn(4, 3, 3),
                    True, False),
    "mha_float_kpm": (lambda: nn.MultiheadAttention(8, 2, batch_first=True), "kv", ((2, 3, 8), (2, 4, 8)),
                      lambda: torch.randn(2, 4), None, True, True),
    "mha_wide": (lambda: nn.MultiheadAttention(32, 4), "self", ((9, 6, 32),), None, None, True, True),
}

# TransformerEncoderLayer cases (seeds go on after CASES'): name: (constructor, src shape, src_mask maker,
# src_key_padding_mask maker, train mode); the inputs are src, then the masks given.
ENCODER_CASES = {
    "tel": (lambda: nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0), (5, 3, 8), None, None, True),
    "tel_gelu_norm_first_bf": (lambda: nn.TransformerEncoderLayer(8, 2, 16, 0.0, "gelu", batch_first=True,
                                                                  norm_first=True), (3, 5, 8), None,
                               lambda: torch.tensor([[False] * 5, [False] * 3 + [True] * 2, [False] * 4 + [True]]), True),
    "tel_causal": (lambda: nn.TransformerEncoderLayer(6, 3, 12, 0.0, layer_norm_eps=1e-3), (4, 2, 6),
                   lambda: torch.triu(torch.full((4, 4), float("-inf")), 1), None, True),
    "tel_eval_dropout": (lambda: nn.TransformerEncoderLayer(8, 4, 16), (5, 2, 8), None, None, False),
    "tel_train_dropout": (lambda: nn.TransformerEncoderLayer(8, 2, 16, 0.25), (5, 3, 8), None, None, True),
}

ERRORS = {
    "query_4d": lambda: nn.MultiheadAttention(4, 2)(torch.randn(1, 2, 3, 4), torch.randn(1, 2, 3, 4),
                                                     torch.randn(1, 2, 3, 4)),
    "key_2d": lambda: nn.MultiheadAttention(4, 2)(torch.randn(3, 2, 4), torch.randn(3, 4), torch.randn(3, 4)),
    "embed_dim": lambda: nn.MultiheadAttention(4, 2)(torch.randn(3, 2, 6), torch.randn(3, 2, 6), torch.randn(3, 2, 6)),
    "kv_shape": lambda: nn.MultiheadAttention(4, 2)(torch.randn(3, 2, 4), torch.randn(3, 2, 4), torch.randn(5, 2, 4)),
    "mask_2d_shape": lambda: nn.MultiheadAttention(4, 2)(*[torch.randn(3, 2, 4)] * 3, attn_mask=torch.zeros(3, 4)),
    "mask_3d_shape": lambda: nn.MultiheadAttention(4, 2)(*[torch.randn(3, 2, 4)] * 3, attn_mask=torch.zeros(2, 3, 3)),
    "mask_1d": lambda: nn.MultiheadAttention(4, 2)(*[torch.randn(3, 2, 4)] * 3, attn_mask=torch.zeros(3)),
    "mask_dtype": lambda: nn.MultiheadAttention(4, 2)(*[torch.randn(3, 2, 4)] * 3,
                                                      attn_mask=torch.zeros(3, 3, dtype=torch.int64)),
    "kpm_shape": lambda: nn.MultiheadAttention(4, 2)(*[torch.randn(3, 2, 4)] * 3,
                                                     key_padding_mask=torch.zeros(2, 4, dtype=torch.bool)),
    "kpm_dims": lambda: nn.MultiheadAttention(4, 2)(*[torch.randn(3, 2, 4)] * 3,
                                                    key_padding_mask=torch.zeros(2, 3, 1, dtype=torch.bool)),
    "kpm_dtype": lambda: nn.MultiheadAttention(4, 2)(*[torch.randn(3, 2, 4)] * 3,
                                                     key_padding_mask=torch.zeros(2, 3, dtype=torch.int64)),
    "heads": lambda: nn.MultiheadAttention(6, 4),
    "tel_activation": lambda: nn.TransformerEncoderLayer(4, 2, activation="tanh"),
}


def main():
    blas = ctypes.CDLL("libopenblas.so.0")  # the one PyTorch loaded: its kernels decide the products' bits
    blas.openblas_get_corename.restype = ctypes.c_char_p
    lines = ["# blas " + blas.openblas_get_corename().decode(), "# " + __doc__.strip().splitlines()[0]]
    for seed, (name, (make, identity, shapes, kpm_make, mask_make, need_weights, average)) in enumerate(CASES.items()):
        torch.manual_seed(seed)
        m = make()
        for key, value in m.state_dict().items():
            lines.append(f"param {name} {key} {tensor_text(value)}")
        tensors = [torch.randn(s, requires_grad=True) for s in shapes]
        kpm = kpm_make() if kpm_make else None
        mask = mask_make() if mask_make else None
        for t in tensors + [t for t in (kpm, mask) if t is not None]:
            lines.append(f"input {name} {tensor_text(t)}")
        q = tensors[0]
        k = q if identity == "self" else tensors[1]
        v = k if identity in ("self", "kv") else tensors[2]
        out, w = m(q, k, v, key_padding_mask=kpm, attn_mask=mask, need_weights=need_weights,
                   average_attn_weights=average)
        outs = [out] + ([w] if need_weights else [])
        for o in outs:
            lines.append(f"output {name} {tensor_text(o)}")
        sum((o ** 2).sum() for o in outs).backward()
        for key, p in m.named_parameters():
            lines.append(f"grad {name} {key} {tensor_text(p.grad)}")
        for i, t in enumerate(tensors):
            lines.append(f"igrad {name} {i} {tensor_text(t.grad)}")
    for seed, (name, (make, shape, mask_make, kpm_make, train)) in enumerate(ENCODER_CASES.items(), len(CASES)):
        torch.manual_seed(seed)
        m = make()
        m.train(train)
        for key, value in m.state_dict().items():
            lines.append(f"param {name} {key} {tensor_text(value)}")
        src = torch.randn(shape, requires_grad=True)
        mask = mask_make() if mask_make else None
        kpm = kpm_make() if kpm_make else None
        for t in [src] + [t for t in (mask, kpm) if t is not None]:
            lines.append(f"input {name} {tensor_text(t)}")
        out = m(src, src_mask=mask, src_key_padding_mask=kpm)
        lines.append(f"output {name} {tensor_text(out)}")
        (out ** 2).sum().backward()
        for key, p in m.named_parameters():
            lines.append(f"grad {name} {key} {tensor_text(p.grad)}")
        lines.append(f"igrad {name} 0 {tensor_text(src.grad)}")
    for name, call in ERRORS.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                call()
            lines.append(f"error {name} (none)")
        except Exception as e:  # noqa: BLE001
            lines.append(f"error {name} {type(e).__name__}: {e}")
    with open("tests/data/transformer.txt", "w") as f:
        f.write("\n".join(lines) + "\n")


main()
