"""Golden data for modules and nn.init: writes tests/data/nn.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_nn.py. Lines:
    param <model> <seed> <key> <tensor>      state_dict() of <model> built right after manual_seed(seed)
    forward <model> <seed> <input> <output>  model(input) in train mode (no layer here has train-only behaviour)
    grad <model> <seed> <key> <tensor>       the parameter's .grad after model(input).sum().backward()
    init <case> <seed> <tensor>              the tensor nn.init.<case> fills right after manual_seed(seed)
    gain <nonlinearity> <param|None> <gain>  nn.init.calculate_gain
    error <case> <Type>: <message>           load_state_dict on a mutated state_dict (cases in test_nn.c)
The models and init cases are built the same way in tests/test_nn.c (same names).
"""
import math
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
from golden import tensor_text  # noqa: E402


class Net(nn.Module):
    """A module with named children, for keys such as features.3.bias."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(4, 8, 3), nn.Tanh(), nn.AvgPool2d(2))
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(nn.Linear(32, 10), nn.Sigmoid(), nn.Linear(10, 3, bias=False))

    def forward(self, x):
        return self.classifier(self.flatten(self.features(x)))


MODELS = {
    "mlp": (lambda: nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3)), (2, 5)),
    "net": (Net, (2, 1, 12, 12)),
    "conv1d": (lambda: nn.Sequential(nn.Conv1d(2, 6, 3, stride=2), nn.Identity(),
                                     nn.Conv1d(6, 3, 2, groups=3, bias=False), nn.Flatten(0, -1),
                                     nn.Unflatten(0, (3, -1))), (2, 9)),
    "emb": (lambda: nn.Sequential(nn.Embedding(10, 3), nn.Flatten(), nn.Linear(6, 2)), None),
    "convt": (lambda: nn.Sequential(nn.ConvTranspose2d(2, 4, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
                                    nn.ConvTranspose2d(4, 2, (2, 3), groups=2, bias=False, dilation=2)), (2, 2, 3, 3)),
    "pools": (lambda: nn.Sequential(nn.Conv2d(2, 3, 3), nn.AdaptiveMaxPool2d((5, 4)), nn.AdaptiveAvgPool2d(3),
                                    nn.Flatten(2, 3), nn.MaxPool1d(2, stride=1), nn.AvgPool1d(3, padding=1),
                                    nn.AdaptiveAvgPool2d(1)), (2, 2, 9, 8)),
    "convt1d": (lambda: nn.Sequential(nn.ConvTranspose1d(3, 4, 3, stride=2), nn.Tanh(),
                                      nn.ConvTranspose1d(4, 2, 2, padding=1)), (3, 5)),
}

INITS = {
    "uniform": lambda: nn.init.uniform_(torch.empty(3, 4), -1.0, 2.0),
    "uniform_f64": lambda: nn.init.uniform_(torch.empty(7, dtype=torch.float64)),
    "normal": lambda: nn.init.normal_(torch.empty(2, 5), 0.5, 2.0),
    "constant": lambda: nn.init.constant_(torch.empty(2, 3), 0.3),
    "zeros": lambda: nn.init.zeros_(torch.empty(2, 2)),
    "ones": lambda: nn.init.ones_(torch.empty(3)),
    "eye": lambda: nn.init.eye_(torch.empty(3, 5)),
    "xavier_uniform": lambda: nn.init.xavier_uniform_(torch.empty(4, 6, 3), gain=2.0),
    "xavier_normal": lambda: nn.init.xavier_normal_(torch.empty(5, 3)),
    "kaiming_uniform": lambda: nn.init.kaiming_uniform_(torch.empty(6, 3, 2, 2)),
    "kaiming_uniform_fan_out_relu": lambda: nn.init.kaiming_uniform_(torch.empty(6, 3, 2, 2), mode="fan_out",
                                                                     nonlinearity="relu"),
    "kaiming_normal": lambda: nn.init.kaiming_normal_(torch.empty(4, 7)),
    "kaiming_normal_a": lambda: nn.init.kaiming_normal_(torch.empty(4, 7), a=0.2, nonlinearity="leaky_relu"),
}

GAINS = [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
         ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("selu", None)]

lines = [__doc__.strip().splitlines()[0]]
lines = ["# " + lines[0]]
for name, (make, shape) in MODELS.items():
    for seed in (0, 7):
        torch.manual_seed(seed)
        model = make()
        for key, value in model.state_dict().items():
            lines.append(f"param {name} {seed} {key} {tensor_text(value)}")
        x = torch.randint(0, 10, (4, 2)) if shape is None else torch.randn(shape)
        y = model(x)
        lines.append(f"forward {name} {seed} {tensor_text(x)} {tensor_text(y)}")
        y.sum().backward()
        for key, p in model.named_parameters():
            lines.append(f"grad {name} {seed} {key} {tensor_text(p.grad)}")
for name, fill in INITS.items():
    for seed in (0, 3):
        torch.manual_seed(seed)
        lines.append(f"init {name} {seed} {tensor_text(fill())}")
for nonlinearity, param in GAINS:
    lines.append(f"gain {nonlinearity} {param} {nn.init.calculate_gain(nonlinearity, param)!r}")


def load_error(mutate):
    model = MODELS["mlp"][0]()
    sd = dict(model.state_dict())
    strict = mutate(sd)
    try:
        model.load_state_dict(sd, strict=strict)
        return "OK"
    except Exception as e:  # noqa: BLE001 - the message is the golden value
        return f"{type(e).__name__}: {e}".replace("\n", "\\n").replace("\t", "\\t")


def drop_bias(sd):
    del sd["0.bias"]
    return True


def extra(sd):
    sd["3.weight"] = torch.zeros(1)
    sd["0.foo"] = torch.zeros(1)
    return True


def mismatch(sd):
    sd["2.weight"] = torch.zeros(3, 3)
    return True


def everything(sd, strict=True):
    drop_bias(sd)
    extra(sd)
    mismatch(sd)
    return strict


ERRORS = {"missing": drop_bias, "unexpected": extra, "mismatch": mismatch, "all": everything,
          "all_nonstrict": lambda sd: everything(sd, False),
          "missing_nonstrict": lambda sd: not drop_bias(sd)}
for name, mutate in ERRORS.items():
    lines.append(f"error {name} {load_error(mutate)}")

with open("tests/data/nn.txt", "w") as f:
    f.write("\n".join(lines) + "\n")
