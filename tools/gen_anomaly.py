"""The texts tests/test_anomaly.c expects, as PyTorch 1.13 prints them: run with /usr/bin/python3.
Python's traceback in the "Error detected in" warning becomes the C call site in cgrad."""
import warnings
import torch

warnings.simplefilter("always")
warnings.showwarning = lambda message, *rest: print("warning:", str(message).split(" (Triggered internally")[0])


def backward(y):
    try:
        y.sum().backward()
    except RuntimeError as e:
        print("error:", e)


a = torch.tensor([0., 1.], requires_grad=True)
torch.autograd.set_detect_anomaly(True)
backward(a / a)
torch.autograd.set_detect_anomaly(False)
x = torch.tensor([0., 1.], requires_grad=True)
with torch.autograd.detect_anomaly():
    backward(x.sqrt() * 0)
y = x.sqrt() * 0
torch.autograd.set_detect_anomaly(True)
backward(y)
e = (x * 1).exp()
e.mul_(2)
backward(e)
torch.autograd.set_detect_anomaly(False)
