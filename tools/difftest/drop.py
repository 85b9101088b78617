#!/usr/bin/python3
"""Drops programs from a corpus file pair: drop.py tests/difftest/seed2 345 [...] (program numbers)."""
import re
import sys


def drop(path, numbers):
    text = open(path).read()
    parts = re.split(r'(?m)^(?=#prog )', text)
    keep = [p for p in parts if not (p.startswith('#prog ') and int(p.split()[1]) in numbers)]
    open(path, 'w').write(''.join(keep))


if __name__ == '__main__':
    base, nums = sys.argv[1], {int(n) for n in sys.argv[2:]}
    for ext in ('.prog', '.expected'):
        drop(base + ext, nums)
