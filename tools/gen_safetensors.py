"""safetensors files for tests/test_safetensors.c, written from the format's specification
(https://github.com/huggingface/safetensors: the safetensors package is not installed here).

Run from the repository root with /usr/bin/python3 tools/gen_safetensors.py. It writes the files the
Rust writer (safetensors.torch.save_file) writes for the same tensors and metadata: an 8-byte
little-endian header length, the JSON header as serde_json writes it (no spaces, "__metadata__"
first, tensors ordered by descending dtype, then name, non-ASCII characters as they are), padded
with spaces to a multiple of 8, then each tensor's little-endian bytes in that order.
  golden.safetensors  float32 (randn of seed 0 and arange / 7), float64, int64, bool, an empty
                      tensor and a name that needs JSON escapes; metadata {"format": "pt"}
  half.safetensors    a float16 tensor next to a float32 one (cgrad has no float16: refused)
With --verify FILE it reads FILE as safetensors and prints each tensor (a check by hand of a file
cgrad wrote).
"""
import json
import struct
import sys

import torch

DTYPES = {torch.bool: ("BOOL", 0), torch.uint8: ("U8", 4), torch.int8: ("I8", 5), torch.int16: ("I16", 11),
          torch.float16: ("F16", 13), torch.bfloat16: ("BF16", 14), torch.int32: ("I32", 15),
          torch.float32: ("F32", 17), torch.float64: ("F64", 19), torch.int64: ("I64", 20)}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: its bits are the high half of float32's
        return (t.float().view(torch.int32) >> 16).to(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def save(path, tensors, metadata=None):
    items = sorted(tensors.items(), key=lambda kv: (-DTYPES[kv[1].dtype][1], kv[0].encode()))
    header, blobs, at = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in items:
        b = tensor_bytes(t)
        header[name] = {"dtype": DTYPES[t.dtype][0], "shape": list(t.shape), "data_offsets": [at, at + len(b)]}
        blobs.append(b)
        at += len(b)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def verify(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    for name, info in header.items():
        if name == "__metadata__":
            print("metadata", info)
            continue
        dtype = {DTYPES[d][0]: d for d in DTYPES}[info["dtype"]]
        b, e = info["data_offsets"]
        raw = bytearray(data[8 + n + b:8 + n + e])
        t = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        print(repr(name), t.reshape(info["shape"]))


if len(sys.argv) == 3 and sys.argv[1] == "--verify":
    verify(sys.argv[2])
    sys.exit(0)

torch.manual_seed(0)
golden = {
    "weight": torch.randn(3, 4),
    "bias": torch.arange(4, dtype=torch.float32) / 7,
    "scale": torch.tensor(2.5, dtype=torch.float64) / 3,
    "steps": torch.tensor([-3, 0, 2**40 + 1], dtype=torch.int64),
    "mask": torch.tensor([[True, False], [False, True]]),
    "empty": torch.empty(0, 3),
    "layer.0\"q\\\u00e9\n": torch.tensor([1.0, -0.0], dtype=torch.float64),
}
save("tests/data/safetensors/golden.safetensors", golden, {"format": "pt"})
save("tests/data/safetensors/half.safetensors",
     {"a": torch.ones(2), "h": torch.tensor([1.5, -2.0], dtype=torch.float16)})
