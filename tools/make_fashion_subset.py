#!/usr/bin/python3
"""Writes the Fashion-MNIST subset that `make train` uses by default (examples/data/fashion-mnist-subset/):
the first 2,000 training and the first 500 test images with their labels, as uncompressed IDX files
(MNIST's layout and names, so cg_fashion_mnist_load reads them as it reads the full set, and a build
without zlib reads them too). Source: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist)."""
import gzip
import os
import struct

SRC = "/usr/share/datasets/fashion-mnist"
DST = os.path.join(os.path.dirname(__file__), "..", "examples", "data", "fashion-mnist-subset")


def subset(name, n):
    data = gzip.open(os.path.join(SRC, name + ".gz")).read()
    ndim = data[3]
    sizes = list(struct.unpack(">%dI" % ndim, data[4:4 + 4 * ndim]))
    row = 1
    for s in sizes[1:]:
        row *= s
    assert data[2] == 0x08 and sizes[0] >= n
    sizes[0] = n
    header = data[:4] + struct.pack(">%dI" % ndim, *sizes)
    body = data[4 + 4 * ndim:4 + 4 * ndim + n * row]
    with open(os.path.join(DST, name), "wb") as f:
        f.write(header + body)


os.makedirs(DST, exist_ok=True)
for split, n in (("train", 2000), ("t10k", 500)):
    subset(split + "-images-idx3-ubyte", n)
    subset(split + "-labels-idx1-ubyte", n)
