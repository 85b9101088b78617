"""Golden data for the recurrent layers: writes tests/data/rnn.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_rnn.py. Each case is built right after
manual_seed(seed), its inputs drawn with randn after it (a module is in training mode: dropout draws
follow); lines:
    param <case> <key> <tensor>            state_dict() entries, in order
    input <case> <tensor|None>             the forward's arguments (input, h0[, c0]), None for hx=None
    output <case> <tensor>                 output, h_n[, c_n] (cells: h'[, c'])
    grad <case> <key> <tensor>             the parameter's .grad after backward of the loss
    igrad <case> <i> <tensor>              the .grad of the i-th input (given ones only)
    error <case> <Type>: <message>         what the call raises (cases built the same way in test_rnn.c)
The first line names OpenBLAS's kernels (core) the products ran on.
The loss is sum over the outputs k of (output_k * (k + 1)).sum(), so each output counts.
The cases are built the same way in tests/test_rnn.c (same names).
"""
import ctypes
import os
import sys
import warnings

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
from golden import tensor_text  # noqa: E402

# name: (constructor, input shape, hidden shape (h's and c's for a projecting LSTM) or None)
CASES = {
    "rnn_tanh": (lambda: nn.RNN(3, 4), (5, 2, 3), None),
    "rnn_relu_2l": (lambda: nn.RNN(3, 4, num_layers=2, nonlinearity="relu"), (5, 2, 3), (2, 2, 4)),
    "rnn_bi_nobias": (lambda: nn.RNN(3, 4, bidirectional=True, bias=False), (4, 3, 3), (2, 3, 4)),
    "lstm": (lambda: nn.LSTM(3, 4), (5, 2, 3), (1, 2, 4)),
    "lstm_bi_2l": (lambda: nn.LSTM(3, 4, num_layers=2, bidirectional=True), (5, 2, 3), None),
    "lstm_bf_nobias": (lambda: nn.LSTM(3, 4, batch_first=True, bias=False), (2, 5, 3), (1, 2, 4)),
    "lstm_unbatched": (lambda: nn.LSTM(3, 4, bidirectional=True), (5, 3), (2, 4)),
    "gru": (lambda: nn.GRU(3, 4), (5, 2, 3), (1, 2, 4)),
    "gru_bi_bf_2l": (lambda: nn.GRU(3, 4, num_layers=2, bidirectional=True, batch_first=True), (2, 6, 3), None),
    "gru_unbatched": (lambda: nn.GRU(3, 4, batch_first=True), (5, 3), (1, 4)),
    "gru_wide": (lambda: nn.GRU(8, 24, num_layers=2), (4, 5, 8), None),
    "lstm_wide": (lambda: nn.LSTM(8, 24), (4, 5, 8), (1, 5, 24)),
    "rnn_cell": (lambda: nn.RNNCell(3, 4), (2, 3), (2, 4)),
    "rnn_cell_relu": (lambda: nn.RNNCell(3, 4, nonlinearity="relu"), (3,), None),
    "lstm_cell": (lambda: nn.LSTMCell(3, 4), (2, 3), (2, 4)),
    "lstm_cell_unbatched": (lambda: nn.LSTMCell(3, 4, bias=False), (3,), None),
    "gru_cell": (lambda: nn.GRUCell(3, 4), (2, 3), (2, 4)),
    "lstm_proj": (lambda: nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2), (4, 2, 3),
                  ((4, 2, 2), (4, 2, 5))),
    # dropout between layers in training: bernoulli draws after the inputs'
    "lstm_dropout_3l": (lambda: nn.LSTM(3, 4, num_layers=3, dropout=0.5), (5, 2, 3), None),
    "gru_dropout_bi_bf": (lambda: nn.GRU(3, 4, num_layers=2, bidirectional=True, batch_first=True, dropout=0.3),
                          (2, 6, 3), (4, 2, 4)),
}

ERRORS = {
    "bad_input_size": lambda: nn.LSTM(4, 5)(torch.randn(2, 3, 3)),
    "input_4d": lambda: nn.LSTM(4, 5)(torch.randn(2, 3, 4, 1)),
    "lstm_h_size": lambda: nn.LSTM(4, 5)(torch.randn(2, 3, 4), (torch.zeros(2, 3, 5), torch.zeros(1, 3, 5))),
    "lstm_c_size": lambda: nn.LSTM(4, 5)(torch.randn(2, 3, 4), (torch.zeros(1, 3, 5), torch.zeros(1, 2, 5))),
    "lstm_hx_dims": lambda: nn.LSTM(4, 5)(torch.randn(2, 3, 4), (torch.zeros(1, 3, 5), torch.zeros(3, 5))),
    "empty_sequence": lambda: nn.LSTM(4, 5)(torch.randn(0, 3, 4)),
    "gru_h_size": lambda: nn.GRU(4, 5)(torch.randn(2, 3, 4), torch.zeros(2, 3, 5)),
    "gru_h_dims": lambda: nn.GRU(4, 5)(torch.randn(2, 3, 4), torch.zeros(3, 5)),
    "gru_unbatched_h_dims": lambda: nn.GRU(4, 5)(torch.randn(2, 4), torch.zeros(1, 3, 5)),
    "rnn_dtype": lambda: nn.RNN(4, 5)(torch.randn(2, 3, 4).double()),
    "bad_nonlinearity": lambda: nn.RNN(4, 5, nonlinearity="sig"),
    "bad_dropout": lambda: nn.RNN(4, 5, dropout=1.5),
    "hidden_zero": lambda: nn.GRU(4, 0),
    "cell_3d": lambda: nn.LSTMCell(4, 5)(torch.randn(2, 3, 4)),
    "cell_input_size": lambda: torch.lstm_cell(torch.randn(2, 3), (torch.zeros(2, 5), torch.zeros(2, 5)),
                                               torch.randn(20, 4), torch.randn(20, 5)),
    "cell_batch": lambda: torch.gru_cell(torch.randn(2, 4), torch.zeros(3, 5), torch.randn(15, 4), torch.randn(15, 5)),
    "cell_hidden_size": lambda: torch.gru_cell(torch.randn(2, 4), torch.zeros(2, 6), torch.randn(15, 4),
                                               torch.randn(15, 5)),
    "cell_c_batch": lambda: torch.lstm_cell(torch.randn(2, 4), (torch.zeros(2, 5), torch.zeros(3, 5)),
                                            torch.randn(20, 4), torch.randn(20, 5)),
    "gru_proj": lambda: nn.GRU(4, 5, proj_size=2),
    "proj_negative": lambda: nn.LSTM(4, 5, proj_size=-1),
    "proj_too_big": lambda: nn.LSTM(4, 5, proj_size=5),
    "proj_h_size": lambda: nn.LSTM(3, 5, proj_size=2)(torch.randn(4, 2, 3), (torch.zeros(1, 2, 5), torch.zeros(1, 2, 5))),
    "cell_1d": lambda: torch.rnn_tanh_cell(torch.randn(4), torch.zeros(2, 5), torch.randn(5, 4), torch.randn(5, 5)),
}


def main():
    blas = ctypes.CDLL("libopenblas.so.0")  # the one PyTorch loaded: its kernels decide the products' bits
    blas.openblas_get_corename.restype = ctypes.c_char_p
    lines = ["# blas " + blas.openblas_get_corename().decode(), "# " + __doc__.strip().splitlines()[0]]
    for seed, (name, (make, xshape, hshape)) in enumerate(CASES.items()):
        torch.manual_seed(seed)
        m = make()
        for key, value in m.state_dict().items():
            lines.append(f"param {name} {key} {tensor_text(value)}")
        lstm = isinstance(m, (nn.LSTM, nn.LSTMCell))
        x = torch.randn(xshape, requires_grad=True)
        inputs = [x]
        if hshape is not None:
            hc = hshape if isinstance(hshape[0], tuple) else (hshape, hshape)
            inputs.append(torch.randn(hc[0], requires_grad=True))
            if lstm:
                inputs.append(torch.randn(hc[1], requires_grad=True))
        for t in inputs:
            lines.append(f"input {name} {tensor_text(t)}")
        if hshape is None:
            lines.append(f"input {name} None")
        hx = None if hshape is None else (tuple(inputs[1:]) if lstm else inputs[1])
        result = m(x, hx)
        if isinstance(m, nn.RNNCellBase):
            outs = list(result) if lstm else [result]
        else:
            outs = [result[0]] + (list(result[1]) if lstm else [result[1]])
        for o in outs:
            lines.append(f"output {name} {tensor_text(o)}")
        sum((o * (k + 1)).sum() for k, o in enumerate(outs)).backward()
        for key, p in m.named_parameters():
            lines.append(f"grad {name} {key} {tensor_text(p.grad)}")
        for i, t in enumerate(inputs):
            lines.append(f"igrad {name} {i} {tensor_text(t.grad)}")
    for name, call in ERRORS.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                call()
            lines.append(f"error {name} (none)")
        except Exception as e:  # noqa: BLE001
            lines.append(f"error {name} {type(e).__name__}: {e}")
    with open("tests/data/rnn.txt", "w") as f:
        f.write("\n".join(lines) + "\n")


main()
