"""Golden data for tests/test_generator.c: torch.Generator streams, states and the default
generator beside them, in tests/data/generator.txt.

Run with /usr/bin/python3 (PyTorch 1.13 on x86-64 with AVX2). The test executes the lines in
order, on one current generator g (made by 'new'), so every state carries over as it does here:

  new SEED                          g = torch.Generator().manual_seed(SEED)
  fresh                             g = torch.Generator() (PyTorch's default seed)
  seed SEED                         g.manual_seed(SEED)
  initial_seed = S                  g.initial_seed()
  rand|randn DTYPE N = TENSOR       torch.rand(N, dtype=DTYPE, generator=g)
  randint LOW HIGH N = TENSOR
  randperm N DTYPE = TENSOR
  uniform|normal DTYPE A B N = TENSOR   torch.zeros(N, dtype=DTYPE).uniform_(A, B, generator=g)
  state = HEX                       bytes(g.get_state())
  save / restore                    s = g.get_state() / g.set_state(s)
  default_seed S / default_rand N = TENSOR   torch.manual_seed(S) / torch.rand(N)
  default_state = HEX               bytes(torch.get_rng_state())
  error set_state SIZE|bad_left | MESSAGE

Floats are written with float.hex so that the tests compare bits exactly."""
import os
import struct

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "generator.txt")
DT = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}
lines = []
g = None
saved = None


def tensor_text(t):
    vals = t.contiguous().reshape(-1).tolist()
    body = [str(int(v)) for v in vals] if t.dtype == torch.int64 else [float.hex(float(v)) for v in vals]
    return " ".join([DT[t.dtype], str(t.dim())] + [str(s) for s in t.shape] + body)


def new(seed):
    global g
    g = torch.Generator().manual_seed(seed)
    lines.append(f"new {seed}")


def fresh():
    global g
    g = torch.Generator()
    lines.append("fresh")


def seed(s):
    g.manual_seed(s)
    lines.append(f"seed {s}")


def initial_seed():
    lines.append(f"initial_seed = {g.initial_seed()}")


def draw(kind, dtype, n):
    fn = torch.rand if kind == "rand" else torch.randn
    lines.append(f"{kind} {DT[dtype]} {n} = {tensor_text(fn(n, dtype=dtype, generator=g))}")


def randint(low, high, n):
    lines.append(f"randint {low} {high} {n} = {tensor_text(torch.randint(low, high, (n,), generator=g))}")


def randperm(n, dtype):
    lines.append(f"randperm {n} {DT[dtype]} = {tensor_text(torch.randperm(n, dtype=dtype, generator=g))}")


def fill(kind, dtype, a, b, n):
    t = torch.zeros(n, dtype=dtype)
    (t.uniform_ if kind == "uniform" else t.normal_)(a, b, generator=g)
    lines.append(f"{kind} {DT[dtype]} {float.hex(a)} {float.hex(b)} {n} = {tensor_text(t)}")


def state():
    lines.append("state = " + bytes(g.get_state().tolist()).hex())


def save():
    global saved
    saved = g.get_state()
    lines.append("save")


def restore():
    g.set_state(saved)
    lines.append("restore")


def default_seed(s):
    torch.manual_seed(s)
    lines.append(f"default_seed {s}")


def default_rand(n):
    lines.append(f"default_rand {n} = {tensor_text(torch.rand(n))}")


def default_state():
    lines.append("default_state = " + bytes(torch.get_rng_state().tolist()).hex())


def error(what, arg, fn):
    try:
        fn()
        raise SystemExit(f"expected an error: {what}")
    except RuntimeError as e:
        lines.append(f"error {what} {arg} | {e}")


def main():
    default_seed(0)
    new(42)
    initial_seed()
    state()
    draw("rand", torch.float32, 5)
    default_rand(3)  # the default generator's stream is its own
    draw("randn", torch.float32, 20)  # the 16-block path
    draw("randn", torch.float64, 3)  # per element: leaves a cached second sample
    state()  # with the cached normal
    save()
    draw("randn", torch.float64, 1)
    draw("rand", torch.float64, 4)
    randint(-5, 5, 8)
    randint(0, 2**40, 3)
    randperm(10, torch.int64)
    randperm(6, torch.float32)
    restore()  # the same draws again
    draw("randn", torch.float64, 1)
    draw("rand", torch.float64, 4)
    default_rand(3)
    torch.randn(5, dtype=torch.float64)  # leaves the default generator a cached normal
    lines.append("default_randn64 5")
    default_state()
    fill("uniform", torch.float32, -2.0, 3.0, 7)
    fill("normal", torch.float64, 1.0, 0.5, 5)
    fill("normal", torch.float32, 0.0, 2.0, 17)
    for _ in range(3):  # past a twist (624 words)
        draw("rand", torch.float64, 150)
    state()
    seed(2**64 - 1)
    initial_seed()
    draw("rand", torch.float32, 3)
    fresh()
    initial_seed()
    draw("randn", torch.float32, 4)
    state()
    new(7)
    error("set_state", 10, lambda: g.set_state(torch.zeros(10, dtype=torch.uint8)))
    bad = bytearray(bytes(g.get_state().tolist()))
    struct.pack_into("<i", bad, 8, 0)
    error("set_state", "bad_left", lambda: g.set_state(torch.tensor(list(bad), dtype=torch.uint8)))
    draw("rand", torch.float32, 3)  # a failed set_state changed nothing
    with open(OUT, "w") as f:
        f.write("# torch.Generator streams (tools/gen_generator.py, PyTorch %s)\n" % torch.__version__)
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
