"""Batch orders of torch.utils.data.DataLoader(TensorDataset(arange(n)), batch_size, shuffle,
drop_last, generator) for tests/test_dataloader.c: writes tests/data/dataloader.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_dataloader.py. Each case is a line
    case <n> <batch_size> <shuffle> <drop_last> <own_generator> <seed> <epochs>
then per epoch the batches, one line each ("batch i j k ..."), "end", and after the epochs a line
    after <value>
with torch.randint(0, 2**62, ()) drawn from the default generator: what the epochs left of its stream
(each iter() draws a base seed, a shuffling sampler its own seed, or from own_generator).
"""
import torch
from torch.utils.data import DataLoader, TensorDataset

CASES = [  # n, batch_size, shuffle, drop_last, own_generator, seed, epochs
    (10, 3, True, False, False, 0, 2), (10, 3, True, True, False, 0, 2), (12, 4, True, False, False, 1, 2),
    (12, 4, True, True, False, 7, 1), (1, 1, True, False, False, 3, 2), (5, 8, True, False, False, 4, 1),
    (5, 8, True, True, False, 4, 1), (100, 16, True, False, False, 12345, 3), (3000, 64, True, True, False, 42, 1),
    (10, 3, False, False, False, 0, 2), (10, 3, False, True, False, 5, 1),
    (10, 3, True, False, True, 0, 2), (12, 4, True, True, True, 9, 2), (9, 3, True, True, True, 2, 2),
    (50000, 100, True, False, False, 2**40 + 3, 1),
]

lines = []
for n, bs, shuffle, drop_last, own, seed, epochs in CASES:
    lines.append(f"case {n} {bs} {int(shuffle)} {int(drop_last)} {int(own)} {seed} {epochs}")
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed + 1) if own else None
    loader = DataLoader(TensorDataset(torch.arange(n)), batch_size=bs, shuffle=shuffle, drop_last=drop_last,
                        generator=g)
    for _ in range(epochs):
        for (batch,) in loader:
            lines.append("batch " + " ".join(str(int(i)) for i in batch))
        lines.append("end")
    lines.append(f"after {int(torch.randint(0, 2**62, ()))}")
with open("tests/data/dataloader.txt", "w") as f:
    f.write("\n".join(lines) + "\n")
