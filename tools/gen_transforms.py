#!/usr/bin/python3
"""Golden values for tests/test_transforms.c: torchvision's ToTensor (byte tensor .to(float32).div(255))
and Normalize (tensor.sub(mean).div(std), mean and std as float32 [C, 1, 1]) on every byte value, as
float32 bits in hex. torchvision is not installed here: these are the operations its 0.14 runs."""
import os
import torch

out = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "transforms.txt")
b = torch.arange(256, dtype=torch.uint8).reshape(16, 16)
x = b.to(torch.float32).div(255).unsqueeze(0)
mean, std = (0.2860,), (0.3530,)
m = torch.as_tensor(mean, dtype=torch.float32).view(-1, 1, 1)
s = torch.as_tensor(std, dtype=torch.float32).view(-1, 1, 1)
y = x.sub(m).div(s)
# Three channels with their own statistics.
x3 = torch.stack([x[0], x[0].flip(0), x[0].t()])
m3, s3 = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
y3 = x3.sub(torch.as_tensor(m3).view(-1, 1, 1)).div(torch.as_tensor(s3).view(-1, 1, 1))


def bits(t):
    return " ".join("%08x" % v for v in t.contiguous().view(torch.int32).flatten().tolist() for v in [v & 0xffffffff])


with open(out, "w") as f:
    f.write("# tools/gen_transforms.py, PyTorch %s\n" % torch.__version__)
    f.write("to_tensor %s\n" % bits(x))
    f.write("normalize %s\n" % bits(y))
    f.write("normalize3 %s\n" % bits(y3))
