# Debian's PyTorch 1.13 lacks expecttest, which torch.testing._internal imports; op_db needs only these.
import unittest

ACCEPT = False


class TestCase(unittest.TestCase):
    pass
