#!/usr/bin/python3
"""Random difftest programs over cgrad's public API, guided by PyTorch.

Each statement is chosen from the tensors the program has so far, as PyTorch actually computed
them (dtype, shape, requires_grad), so most statements are valid and reach deep into autograd;
a share of them is made invalid on purpose (bad dims, mismatched shapes, wrong dtypes, in-place
on leaves, second backward) to compare the errors and their messages.

Usage: /usr/bin/python3 tools/difftest/gen.py SEED COUNT [FIRST] > BATCH
"""
import math
import random
import struct
import sys
import warnings

import torch

sys.dont_write_bytecode = True
sys.path.insert(0, __import__('os').path.dirname(__file__))
from run_torch import DEFAULT_SEED, Program  # noqa: E402

FLOAT_SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 3.0, -2.0, 1e-45, -1e-45, 1e-38, 1e38, 3.4e38, -3.4e38,
                 math.inf, -math.inf, math.nan, 1e-7, 100.0, 0.1, 1e300, 5e-324, 1e-310]
INT_SPECIAL = [0, 1, -1, 2, 3, -3, 7, 100, 2 ** 31, 2 ** 53 + 1, 2 ** 62, -2 ** 63, 2 ** 63 - 1]


def f32(x):
    try:
        return struct.unpack('<f', struct.pack('<f', x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def fmt_float(x):
    return repr(float(x))


def fmt_ints(xs):
    return '[' + ','.join(str(int(x)) for x in xs) + ']'


def fmt_list(names):
    return '[' + ','.join(names) + ']'


class Gen:
    def __init__(self, rng):
        self.r = rng
        self.lines = []
        self.prog = Program([])
        self.prog.k = 0
        self.nvar = 0
        self.backwards = 0

    # ---- bookkeeping ----
    def new(self):
        self.nvar += 1
        return 't%d' % (self.nvar - 1)

    def emit(self, outs, op, *args):
        line = ' '.join([','.join(outs) if outs else '-', op] + [str(a) for a in args])
        self.lines.append(line)
        self.prog.cur_outs = list(outs)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            self.prog.run_line(line)
        self.prog.k += 1
        return outs[0] if outs else None

    def live(self, pred=lambda t: True):
        def ok(t):
            try:
                return isinstance(t, torch.Tensor) and pred(t)
            except Exception:  # PyTorch refuses to look at some tensors (grad_fn of a bad view)
                return False
        return [n for n, t in self.prog.env.items() if ok(t)]

    def t(self, name):
        return self.prog.env[name]

    def pick(self, pred=lambda t: True):
        names = self.live(pred)
        return self.r.choice(names) if names else None

    # ---- random pieces ----
    def chance(self, p):
        return self.r.random() < p

    def shape(self, maxdims=4):
        nd = self.r.choice([0, 1, 1, 2, 2, 2, 3, 3, 4][:maxdims * 2 + 1])
        return [self.r.choice([0, 1, 1, 2, 2, 3, 3, 4]) if self.chance(0.9) else self.r.choice([1, 2, 3])
                for _ in range(nd)]

    def dtype(self, floating=False):
        if floating:
            return self.r.choice(['f32', 'f32', 'f64'])
        return self.r.choice(['f32', 'f32', 'f32', 'f64', 'f64', 'i64', 'bool'])

    def value(self, dt):
        r = self.r
        if dt in ('f32', 'f64'):
            if self.chance(0.1):
                v = r.choice(FLOAT_SPECIAL)
            elif self.chance(0.5):
                v = r.choice([-3, -2, -1, 0, 1, 2, 3, 4, 0.5, -0.5, 0.25, 1.5])
            else:
                v = round(r.gauss(0, 2), r.choice([1, 2, 6, 17]))
            return fmt_float(f32(v) if dt == 'f32' else float(v))
        if dt == 'i64':
            return str(r.choice(INT_SPECIAL) if self.chance(0.05) else r.randint(-4, 6))
        return str(r.randint(0, 1))

    def number(self, kinds='ifb'):
        k = self.r.choice(kinds)
        if k == 'i':
            return 'i:%d' % (self.r.choice(INT_SPECIAL) if self.chance(0.08) else self.r.randint(-3, 4))
        if k == 'b':
            return 'b:%d' % self.r.randint(0, 1)
        if self.chance(0.1):
            return 'f:' + fmt_float(self.r.choice(FLOAT_SPECIAL))
        return 'f:' + fmt_float(self.r.choice([0.5, -1.5, 2.0, 3.0, -0.0, 0.0, 1.0, 0.25, 2.5, -2.0, 1e-3]))

    def dim(self, t, allow_bad=True):
        nd = t.dim()
        if allow_bad and self.chance(0.04):
            return self.r.choice([nd, -nd - 1, 5, -7])
        if nd == 0:
            return self.r.choice([0, -1])
        return self.r.randint(-nd, nd - 1)

    def dims(self, t):
        nd = t.dim()
        if nd == 0:
            return self.r.choice([[0], [-1]])
        k = self.r.randint(1, nd)
        ds = self.r.sample(range(nd), k)
        ds = [d - nd if self.chance(0.3) else d for d in ds]
        if self.chance(0.03):
            ds.append(ds[0])
        if self.chance(0.03):
            ds.append(nd + 1)
        return ds

    # ---- creation ----
    def leaf(self, dt=None, shape=None, rg=None):
        dt = dt or self.dtype()
        shape = self.shape() if shape is None else shape
        n = 1
        for s in shape:
            n *= s
        vals = [self.value(dt) for _ in range(n)]
        if rg is None:
            rg = dt in ('f32', 'f64') and self.chance(0.7)
        if self.chance(0.02):
            rg = True  # requires_grad on an integer tensor: an error
        name = self.new()
        self.emit([name], 'tensor', dt, fmt_ints(shape), '[' + ','.join(vals) + ']', int(rg))
        return name

    def like(self, name, dt=None, shape=None, rg=None):
        t = self.t(name)
        return self.leaf(dt or self.dtype_name(t), list(t.shape) if shape is None else shape, rg)

    @staticmethod
    def dtype_name(t):
        return {torch.float32: 'f32', torch.float64: 'f64', torch.int64: 'i64', torch.bool: 'bool'}[t.dtype]

    def broadcast_partner(self, name):
        """A tensor whose shape broadcasts with name's (sometimes one that does not)."""
        t = self.t(name)
        shape = list(t.shape)
        if self.chance(0.05):
            return self.leaf(shape=[s + 1 for s in shape] or [2])
        cands = self.live(lambda u: _broadcastable(u.shape, t.shape))
        if cands and self.chance(0.6):
            return self.r.choice(cands)
        if shape and self.chance(0.4):
            shape = shape[self.r.randint(0, len(shape)):]
        shape = [1 if self.chance(0.25) else s for s in shape]
        dt = self.dtype_name(t) if self.chance(0.6) else self.dtype()
        return self.leaf(dt=dt, shape=shape)

    def op_create(self):
        r = self.r
        c = r.randrange(10)
        dt = self.dtype()
        if c <= 2:
            return self.leaf()
        if c == 3:
            return self.emit([self.new()], 'scalar', self.value('f64'), dt)
        if c == 4:
            op = r.choice(['zeros', 'ones', 'empty', 'full', 'fulln'])
            args = [dt, fmt_ints(self.shape())]
            if op == 'full':
                args.append(self.value('f64'))
            if op == 'fulln':
                args.append(self.number())
            name = self.emit([self.new()], op, *args)
            if op == 'empty':  # its values are whatever memory held: fill it before use
                self.emit([], 'fill_', name, self.number())
            return name
        if c == 5:
            src = self.pick()
            if src is None:
                return None
            op = r.choice(['zeros_like', 'ones_like', 'empty_like', 'full_like'])
            name = self.emit([self.new()], op, src, *([self.number()] if op == 'full_like' else []))
            if op == 'empty_like':
                self.emit([], 'zero_', name)
            return name
        if c == 6:
            start = r.choice([0, 1, -2, 0.5, -1.5, 3])
            end = r.choice([0, 4, 5, 2.5, -3, 10])
            step = r.choice([1, 1, 2, 0.5, -1, -0.75, 0 if self.chance(0.2) else 1])
            return self.emit([self.new()], 'arange', fmt_float(start), fmt_float(end), fmt_float(step), dt)
        if c == 7:
            return self.emit([self.new()], 'linspace', fmt_float(r.choice([0, -1, 2.5, 1e-3])),
                             fmt_float(r.choice([1, 10, -4, 0.3])), r.choice([0, 1, 2, 5, 7, -1]), dt)
        if c == 8:
            return self.emit([self.new()], 'eye', r.choice([0, 1, 2, 3]), r.choice([0, 1, 3, 4, -1]), dt)
        self.emit([], 'seed', r.randint(0, 1000))
        op = r.choice(['rand', 'randn', 'randint', 'randperm'])
        if op == 'randperm':
            return self.emit([self.new()], op, r.choice([0, 1, 3, 5, 20, -1]), r.choice(['i64', 'f32', 'f64']))
        if op == 'randint':
            return self.emit([self.new()], 'randint', r.choice([0, -3]), r.choice([1, 5, 100]), fmt_ints(self.shape()))
        return self.emit([self.new()], op, self.dtype(), fmt_ints(self.shape()))

    # ---- views ----
    def op_view(self):
        r = self.r
        a = self.pick()
        if a is None:
            return None
        t = self.t(a)
        shape = list(t.shape)
        nd = len(shape)
        op = r.choice(['view', 'reshape', 'expand', 'permute', 'flatten', 'squeeze', 'squeeze_dim', 'unsqueeze',
                       'transpose', 't', 'select', 'at', 'slice', 'narrow', 'unbind', 'split', 'chunk',
                       'contiguous', 'clone', 'to', 'transpose', 'slice', 'expand'])
        o = [self.new()]
        if op in ('view', 'reshape'):
            new = _refactor(r, shape)
            if self.chance(0.3) and new:
                new[r.randrange(len(new))] = -1
            if self.chance(0.05):
                new = new + [2]
            return self.emit(o, op, a, fmt_ints(new))
        if op == 'expand':
            new = [r.choice([1, 2, 3]) for _ in range(r.randint(0, 2))] + \
                  [r.choice([2, 3, -1]) if s == 1 else (s if self.chance(0.95) else s + 1) for s in shape]
            return self.emit(o, op, a, fmt_ints(new))
        if op == 'permute':
            p = list(range(nd))
            r.shuffle(p)
            if self.chance(0.05):
                p = p + [0]
            return self.emit(o, op, a, fmt_ints(p))
        if op == 'flatten':
            d0, d1 = sorted([self.dim(t), self.dim(t)], key=lambda d: d % max(nd, 1))
            return self.emit(o, op, a, d0, d1)
        if op in ('squeeze', 't', 'contiguous', 'clone'):
            return self.emit(o, op, a)
        if op == 'squeeze_dim':
            return self.emit(o, op, a, self.dim(t))
        if op == 'unsqueeze':
            return self.emit(o, op, a, r.randint(-nd - 1, nd) if self.chance(0.97) else nd + 2)
        if op == 'transpose':
            return self.emit(o, op, a, self.dim(t), self.dim(t))
        if op == 'select':
            d = self.dim(t)
            size = shape[d] if -nd <= d < nd and nd else 1
            return self.emit(o, op, a, d, r.randint(-size - 1, size))
        if op == 'at':
            idx = [r.randint(-s, s - 1) if s and self.chance(0.95) else s for s in shape[:r.randint(0, nd)]]
            if self.chance(0.03):
                idx.append(0)
            return self.emit(o, op, a, fmt_ints(idx))
        if op == 'slice':
            if nd == 0:
                return self.emit(o, op, a, 0, 0, 1, 1)
            d = r.randrange(nd)
            size = shape[d]
            start = r.randint(-size - 1, size + 1)
            end = r.choice([r.randint(-size - 1, size + 1), 2 ** 62, size])
            step = r.choice([1, 1, 2, 3]) if self.chance(0.97) else r.choice([0, -1])
            return self.emit(o, op, a, d if self.chance(0.7) else d - nd, start, end, step)
        if op == 'narrow':
            d = self.dim(t)
            size = shape[d] if -nd <= d < nd and nd else 1
            start = r.randint(-size, size)
            length = r.randint(0, max(0, size - (start % size if size else 0))) if self.chance(0.9) else size + 1
            return self.emit(o, op, a, d, start, length)
        if op == 'unbind':
            d = self.dim(t)
            return self.emit(o, op, a, d, r.randint(0, 2))
        if op == 'split':
            return self.emit(o, op, a, r.choice([1, 2, 3, 0 if self.chance(0.2) else 1, -1 if self.chance(0.1) else 2]),
                             self.dim(t), r.randint(0, 2))
        if op == 'chunk':
            return self.emit(o, op, a, r.choice([1, 2, 3, 0 if self.chance(0.2) else 2]), self.dim(t), r.randint(0, 2))
        return self.emit(o, 'to', a, self.dtype())

    # ---- elementwise ----
    def op_elementwise(self):
        r = self.r
        a = self.pick()
        if a is None:
            return None
        c = r.randrange(10)
        o = [self.new()]
        if c <= 2:
            op = r.choice(['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge',
                           'add', 'mul', 'sub', 'div'])
            b = self.broadcast_partner(a)
            if self.chance(0.5):
                a, b = b, a
            return self.emit(o, op, a, b)
        if c <= 4:
            op = r.choice(['addn', 'subn', 'rsubn', 'muln', 'divn', 'rdivn', 'pown', 'rpown',
                           'eqn', 'nen', 'ltn', 'len', 'gtn', 'gen'])
            return self.emit(o, op, a, self.number())
        if c == 5:
            t = self.t(a)
            cond = self.pick(lambda u: u.dtype == torch.bool and _broadcastable(u.shape, t.shape))
            if cond is None or self.chance(0.3):
                cond = self.emit([self.new()], r.choice(['gtn', 'ltn', 'eqn']), a, self.number('if'))
            b = self.broadcast_partner(a)
            return self.emit(o, 'where', cond, a, b)
        if c == 6 and self.chance(0.5):
            op = r.choice(['add_alpha', 'sub_alpha', 'addcmul', 'addcdiv', 'lerp', 'lerpn', 'clamp_t'])
            b = self.broadcast_partner(a)
            if op in ('add_alpha', 'sub_alpha'):
                return self.emit(o, op, a, b, self.number())
            if op in ('addcmul', 'addcdiv'):
                return self.emit(o, op, a, b, self.broadcast_partner(a), self.number())
            if op == 'lerpn':
                return self.emit(o, op, a, b, self.number('if'))
            w = self.broadcast_partner(a)
            if op == 'clamp_t':
                return self.emit(o, op, a, b if self.chance(0.8) else 'None', w if self.chance(0.8) else 'None')
            return self.emit(o, op, a, b, w)
        if c == 6:
            lo = self.number('if') if self.chance(0.8) else self.r.choice(['None', 'f:-inf', 'f:inf'])
            hi = self.number('if') if self.chance(0.8) else self.r.choice(['None', 'f:inf', 'f:nan'])
            return self.emit(o, 'clamp', a, lo, hi)
        op = r.choice(['neg', 'exp', 'log', 'log1p', 'sqrt', 'abs', 'sign', 'sin', 'cos', 'tan', 'tanh', 'sigmoid',
                       'relu'])
        return self.emit(o, op, a)

    # ---- in place ----
    def op_inplace(self):
        r = self.r
        # mostly on non-leaves or tensors that do not require grad, so that the op succeeds
        a = self.pick(lambda u: not (u.is_leaf and u.requires_grad)) if self.chance(0.9) else self.pick()
        if a is None:
            return None
        op = r.choice(['add_', 'sub_', 'mul_', 'div_', 'copy_', 'addn_', 'muln_', 'fill_', 'zero_', 'clamp_',
                       'add_', 'mul_', 'copy_', 'pow_', 'subn_', 'divn_', 'pown_', 'unary_', 'unary_', 'add_alpha_',
                       'sub_alpha_', 'addcmul_', 'addcdiv_', 'lerp_', 'lerpn_', 'clamp_t_', 'set_at'])
        if op in ('add_', 'sub_', 'mul_', 'div_', 'copy_', 'pow_'):
            return self.emit([], op, a, self.broadcast_partner(a))
        if op in ('addn_', 'muln_', 'fill_', 'subn_', 'divn_', 'pown_'):
            return self.emit([], op, a, self.number())
        if op == 'zero_':
            return self.emit([], op, a)
        if op == 'unary_':
            return self.emit([], r.choice(['neg_', 'exp_', 'log_', 'log1p_', 'sqrt_', 'abs_', 'sign_', 'sin_', 'cos_',
                                           'tan_', 'tanh_', 'sigmoid_', 'relu_']), a)
        if op in ('add_alpha_', 'sub_alpha_'):
            return self.emit([], op, a, self.broadcast_partner(a), self.number())
        if op in ('addcmul_', 'addcdiv_'):
            return self.emit([], op, a, self.broadcast_partner(a), self.broadcast_partner(a), self.number())
        if op == 'lerp_':
            return self.emit([], op, a, self.broadcast_partner(a), self.broadcast_partner(a))
        if op == 'lerpn_':
            return self.emit([], op, a, self.broadcast_partner(a), self.number('if'))
        if op == 'clamp_t_':
            return self.emit([], op, a, self.broadcast_partner(a), self.broadcast_partner(a) if self.chance(0.7) else 'None')
        if op == 'set_at':
            t = self.t(a)
            idx = [r.randint(-s, s - 1) if s and self.chance(0.95) else s for s in t.shape]
            return self.emit([], op, a, fmt_ints(idx), self.value('f64'))
        return self.emit([], op, a, self.number('if') if self.chance(0.9) else 'None',
                         self.number('if') if self.chance(0.8) else self.r.choice(['None', 'f:inf']))

    # ---- reductions ----
    def op_reduce(self):
        r = self.r
        a = self.pick()
        if a is None:
            return None
        t = self.t(a)
        o = [self.new()]
        op = r.choice(['sum', 'sum', 'mean', 'mean', 'var', 'std', 'norm', 'prod', 'prod_dim', 'max', 'min',
                       'max_dim', 'min_dim', 'argmax', 'argmin', 'argmax_dim', 'argmin_dim'])
        if op in ('sum', 'mean', 'var', 'std', 'norm'):
            args = [a]
            if op == 'norm':
                args.append(fmt_float(r.choice([0, 1, 2, 2, 3, 0.5, math.inf, -math.inf])))
            if self.chance(0.6):
                args.append('dims=' + fmt_ints(self.dims(t)))
                if self.chance(0.5):
                    args.append('keepdim=1')
            if op in ('var', 'std') and self.chance(0.5):
                args.append('biased=1')
            return self.emit(o, op, *args)
        if op in ('prod', 'max', 'min', 'argmax', 'argmin'):
            return self.emit(o, op, a)
        if op in ('max_dim', 'min_dim'):
            return self.emit([o[0], self.new()], op, a, self.dim(t), int(self.chance(0.4)))
        if op in ('argmax_dim', 'argmin_dim') and t.dim() == 0 and t.dtype == torch.bool:
            op = op[:-4]  # PyTorch 1.13 reads past a 0-dim bool's sizes there: it "works" by chance (D52)
            return self.emit(o, op, a)
        return self.emit(o, op, a, self.dim(t), int(self.chance(0.4)))

    # ---- linear algebra ----
    def op_linalg(self):
        r = self.r
        dt = self.dtype(floating=self.chance(0.9))
        n, m, k, bsz = (r.choice([0, 1, 2, 3, 4]) for _ in range(4))
        op = r.choice(['dot', 'mv', 'mm', 'bmm', 'matmul', 'matmul'])
        bad = self.chance(0.06)
        if op == 'dot':
            a, b = self.leaf(dt, [n]), self.leaf(dt if not bad else self.dtype(), [n + bad])
        elif op == 'mv':
            a, b = self.leaf(dt, [n, m]), self.leaf(dt, [m + bad])
        elif op == 'mm':
            a, b = self.leaf(dt, [n, m]), self.leaf(dt, [m + bad, k])
        elif op == 'bmm':
            a, b = self.leaf(dt, [bsz, n, m]), self.leaf(dt, [bsz, m + bad, k])
        else:
            sa = [r.choice([1, 2]) for _ in range(r.randint(0, 2))] + [n, m][r.randint(0, 1):]
            sb = [r.choice([1, 2]) for _ in range(r.randint(0, 2))] + [m + bad, k][:r.randint(1, 2)]
            a, b = self.leaf(dt, sa), self.leaf(dt, sb)
        if self.chance(0.3):
            a = self.emit([self.new()], 'mul', a, self.leaf(dt, [], rg=True))
        return self.emit([self.new()], op, a, b)

    # ---- joining and indexing ----
    def op_index(self):
        r = self.r
        a = self.pick(lambda u: u.dim() > 0) if self.chance(0.95) else self.pick()
        if a is None:
            return None
        t = self.t(a)
        shape = list(t.shape)
        nd = len(shape)
        d = self.dim(t)
        dd = d % nd if nd and -nd <= d < nd else 0
        o = [self.new()]
        op = r.choice(['cat', 'cat', 'stack', 'index_select', 'gather', 'scatter_add', 'masked_fill', 'softmax',
                       'log_softmax', 'scatter', 'masked_fill_t'])
        if op == 'cat':
            other = list(shape)
            if other:
                other[dd] = r.choice([0, 1, 2])
            if self.chance(0.05) and other:
                other[(dd + 1) % nd] += 1
            b = self.leaf(self.dtype_name(t) if self.chance(0.8) else None, other)
            items = [a, b] + ([a] if self.chance(0.3) else [])
            return self.emit(o, op, fmt_list(items), d)
        if op == 'stack':
            b = self.like(a) if self.chance(0.95) else self.leaf()
            return self.emit(o, op, fmt_list([a, b]), r.randint(-nd - 1, nd))
        if op == 'index_select':
            # a 0-dim input takes one index at most: PyTorch 1.13 writes past its output for more
            if nd == 0:
                return self.emit(o, op, a, d, self.emit([self.new()], 'tensor', 'i64', '[1]', '[0]'))
            size = shape[dd] if nd else 1
            idx = self.leaf('i64', [r.randint(0, 4)], rg=False) if self.chance(0.1) else \
                self.emit([self.new()], 'tensor', 'i64', fmt_ints([k := r.randint(0, 4)]),
                          fmt_ints([r.randint(-1 if self.chance(0.03) else 0, max(size - 1, 0)) for _ in range(k)]))
            return self.emit(o, op, a, d, idx)
        if op in ('gather', 'scatter_add', 'scatter'):
            size = shape[dd] if nd else 1
            ishape = [r.randint(0, s) for s in shape]
            if ishape:
                ishape[dd] = r.randint(0, 3)
            n = 1
            for s in ishape:
                n *= s
            vals = [r.randint(0, max(size - 1, 0)) if self.chance(0.98) else size for _ in range(n)]
            idx = self.emit([self.new()], 'tensor', 'i64', fmt_ints(ishape), fmt_ints(vals))
            if op == 'gather':
                return self.emit(o, op, a, d, idx)
            src = self.leaf(self.dtype_name(t) if self.chance(0.9) else None, ishape)
            return self.emit(o, op, a, d, idx, src)
        if op == 'masked_fill_t':
            m = self.emit([self.new()], r.choice(['gtn', 'ltn']), a, self.number('if'))
            v = self.leaf(self.dtype_name(t) if self.chance(0.8) else None, [] if self.chance(0.9) else [1])
            return self.emit(o, op, a, m, v)
        if op == 'masked_fill':
            m = self.pick(lambda u: u.dtype == torch.bool and _broadcastable(u.shape, t.shape) and
                          len(u.shape) <= len(t.shape))
            if m is None or self.chance(0.4):
                m = self.emit([self.new()], r.choice(['gtn', 'ltn']), a, self.number('if'))
            return self.emit(o, op, a, m, self.number())
        return self.emit(o, op, a, d)

    # ---- losses ----
    def op_loss(self):
        r = self.r
        dt = self.dtype(floating=True)
        red = 'red=' + r.choice(['mean', 'sum', 'none'])
        op = r.choice(['bce', 'mse', 'nll', 'ce'])
        o = [self.new()]
        if op in ('bce', 'mse'):
            x = self.pick(lambda u: u.is_floating_point())
            if x is None:
                x = self.leaf(dt)
            shape = list(self.t(x).shape)
            if op == 'mse' and self.chance(0.2) and shape:
                shape = shape[1:]
            y = self.leaf(self.dtype_name(self.t(x)) if self.chance(0.95) else None, shape, rg=self.chance(0.3))
            return self.emit(o, op, x, y, red)
        n, c = r.choice([0, 1, 2, 3]), r.choice([1, 2, 3])
        shape = [n, c] if self.chance(0.8) else [c]
        x = self.leaf(dt, shape, rg=True)
        if op == 'nll' and self.chance(0.5):
            x = self.emit([self.new()], 'log_softmax', x, len(shape) - 1)
        tshape = [n] if len(shape) == 2 else []
        cnt = n if len(shape) == 2 else 1
        vals = [r.choice(list(range(c)) + [-100]) if self.chance(0.97) else c for _ in range(cnt)]
        y = self.emit([self.new()], 'tensor', 'i64' if self.chance(0.95) else 'f32', fmt_ints(tshape), fmt_ints(vals))
        return self.emit(o, op, x, y, red)

    # ---- torch.nn.functional and torch.optim ----
    def floating(self, pred=lambda t: True):
        """An existing floating tensor (pred), or None."""
        return self.pick(lambda u: u.is_floating_point() and pred(u))

    def nn_input(self, ndim, dt=None, sizes=None):
        """A float leaf of ndim dims (sizes: fixed ones, None for random), or sometimes an existing
        tensor of that many dims."""
        if sizes is None and self.chance(0.3):
            old = self.floating(lambda u: u.dim() == ndim)
            if old is not None:
                return old
        dt = dt or self.dtype(floating=True)
        shape = [s if s is not None else self.r.choice([1, 2, 2, 3, 3, 4, 0 if self.chance(0.1) else 2])
                 for s in (sizes or [None] * ndim)]
        return self.leaf(dt, shape, rg=self.chance(0.8))

    def opt_leaf(self, dt, shape, p=0.7, rg=None):
        """A leaf of shape, or None (PyTorch's default) with probability 1 - p."""
        if not self.chance(p):
            return 'None'
        return self.leaf(dt, shape, rg=self.chance(0.7) if rg is None else rg)

    def op_activation(self):
        r = self.r
        a = self.floating() if self.chance(0.7) else None
        a = a or self.leaf(self.dtype(floating=True), self.shape(), rg=True)
        op = r.choice(['leaky_relu', 'hardtanh', 'relu6', 'elu', 'selu', 'celu', 'silu', 'gelu', 'softplus',
                       'hardsigmoid', 'hardswish', 'mish', 'logsigmoid', 'softsign', 'tanhshrink', 'softmin', 'glu',
                       'erf', 'prelu', 'normalize', 'cosine_similarity', 'pairwise_distance'])
        o = [self.new()]
        t = self.t(a)
        if op == 'leaky_relu':
            return self.emit(o, op, a, fmt_float(r.choice([0.01, 0.2, -0.5, 0.0, 1.5])))
        if op == 'hardtanh':
            lo = r.choice([-1.0, -2.0, 0.0, 0.5])
            return self.emit(o, op, a, fmt_float(lo), fmt_float(lo + r.choice([2.0, 0.5, 0.0, -1.0])))
        if op in ('elu', 'celu'):
            return self.emit(o, op, a, fmt_float(r.choice([1.0, 0.5, 2.0, 0.0 if op == 'elu' else 1.0])))
        if op == 'gelu':
            return self.emit(o, op, a, r.choice(['none', 'tanh', 'none']))
        if op == 'softplus':
            return self.emit(o, op, a, fmt_float(r.choice([1.0, 2.0, 0.5, -1.0])), fmt_float(r.choice([20.0, 1.0, 0.0])))
        if op in ('softmin', 'glu'):
            return self.emit(o, op, a, self.dim(t))
        if op == 'prelu':
            c = t.shape[1] if t.dim() >= 2 else 1
            w = self.leaf(self.dtype_name(t), [r.choice([1, c, c + 1])] if self.chance(0.97) else [], rg=self.chance(0.7))
            return self.emit(o, op, a, w)
        if op == 'normalize':
            return self.emit(o, op, a, fmt_float(r.choice([2.0, 1.0, 3.0, math.inf])), self.dim(t),
                             fmt_float(r.choice([1e-12, 1e-12, 0.5])))
        if op in ('cosine_similarity', 'pairwise_distance'):
            b = self.broadcast_partner(a)
            if op == 'cosine_similarity':
                return self.emit(o, op, a, b, self.dim(t), fmt_float(r.choice([1e-8, 1e-8, 0.5])))
            return self.emit(o, op, a, b, fmt_float(r.choice([2.0, 1.0, 3.0, 0.5])), fmt_float(r.choice([1e-6, 0.0])),
                             int(self.chance(0.3)))
        return self.emit(o, op, a)

    def op_norm(self):
        r = self.r
        dt = self.dtype(floating=True)
        op = r.choice(['layer_norm', 'batch_norm', 'batch_norm', 'group_norm', 'instance_norm', 'dropout', 'dropout2d'])
        o = [self.new()]
        if op == 'layer_norm':
            x = self.nn_input(r.randint(1, 3), dt)
            t = self.t(x)
            dt = self.dtype_name(t)
            k = r.randint(1, t.dim())
            shape = list(t.shape[t.dim() - k:])
            if self.chance(0.04):
                shape[0] += 1
            return self.emit(o, op, x, fmt_ints(shape), self.opt_leaf(dt, shape), self.opt_leaf(dt, shape),
                             fmt_float(r.choice([1e-5, 1e-5, 0.1])))
        if op in ('dropout', 'dropout2d'):
            x = self.nn_input(r.choice([3, 4]) if op == 'dropout2d' else r.randint(0, 3), dt)
            self.emit([], 'seed', r.randint(0, 1000))
            return self.emit(o, op, x, fmt_float(r.choice([0.5, 0.2, 0.0, 1.0, 0.9, 1.5 if self.chance(0.1) else 0.5])),
                             int(self.chance(0.8)))
        n, c = r.choice([1, 2, 3, 0 if self.chance(0.1) else 2]), r.choice([1, 2, 3, 4])
        spatial = [r.choice([1, 2, 3]) for _ in range(r.choice([0, 1, 1, 2]) if op != 'instance_norm' else r.choice([1, 2]))]
        x = self.leaf(dt, [n, c] + spatial, rg=self.chance(0.8))
        cc = c if self.chance(0.96) else c + 1
        if op == 'group_norm':
            g = r.choice([d for d in range(1, c + 1) if c % d == 0] + ([3] if self.chance(0.05) else []))
            w = self.opt_leaf(dt, [cc])
            # PyTorch 1.13's backward with a bias but no weight fails ("tensor does not have a device",
            # FINDINGS.md D61): no bias without a weight
            b = self.opt_leaf(dt, [cc]) if w != 'None' else 'None'
            return self.emit(o, op, x, g, w, b, fmt_float(r.choice([1e-5, 0.1])))
        training = int(self.chance(0.6)) if op == 'batch_norm' else int(self.chance(0.8))
        need = not training
        rm = self.opt_leaf(dt, [cc], p=1.0 if need else 0.7, rg=False)
        rv = 'None' if rm == 'None' else self.leaf(dt, [cc], rg=False)
        if rv != 'None':
            self.emit([], 'abs_', rv)  # a variance
        out = self.emit(o, op, x, rm, rv, self.opt_leaf(dt, [cc]), self.opt_leaf(dt, [cc]), training,
                        fmt_float(r.choice([0.1, 0.5, 0.0])), fmt_float(r.choice([1e-5, 1e-3])))
        for s in (rm, rv):  # the running statistics, updated in place
            if s != 'None':
                self.emit([self.new()], 'clone', s)
        return out

    LOSS_REDUCTIONS = ['mean', 'sum', 'none']

    def op_nn_loss(self):
        r = self.r
        dt = self.dtype(floating=True)
        op = r.choice(['bce', 'bce_prob', 'mse', 'l1', 'nll', 'ce', 'smooth_l1', 'huber', 'kl_div', 'poisson_nll',
                       'gaussian_nll', 'margin_ranking', 'hinge_embedding', 'cosine_embedding', 'triplet_margin',
                       'soft_margin', 'multilabel_soft_margin'])
        kw = ['red=' + r.choice(self.LOSS_REDUCTIONS + (['batchmean'] if op == 'kl_div' else []))]
        o = [self.new()]
        shape = self.shape(maxdims=3)
        if op in ('nll', 'ce'):
            n, c = r.choice([0, 1, 2, 3]), r.choice([1, 2, 3, 4])
            extra = [r.choice([1, 2])] if self.chance(0.2) else []
            xs = ([n, c] + extra) if self.chance(0.85) else [c]
            x = self.leaf(dt, xs, rg=True)
            if op == 'nll':
                x = self.emit([self.new()], 'log_softmax', x, 1 if len(xs) > 1 else 0)
            ts = [n] + extra if len(xs) > 1 else []
            cnt = 1
            for s in ts:
                cnt *= s
            ignore = r.choice([-100, -100, 0, 1, -1])
            if self.chance(0.3):
                kw.append('ignore=%d' % ignore)
            vals = [r.choice(list(range(c)) + [ignore]) if self.chance(0.97) else c for _ in range(cnt)]
            if op == 'ce' and self.chance(0.2):  # class probabilities
                y = self.emit([self.new()], 'softmax', self.leaf(dt, xs, rg=False), 1 if len(xs) > 1 else 0)
            else:
                y = self.emit([self.new()], 'tensor', 'i64', fmt_ints(ts), fmt_ints(vals))
            if self.chance(0.3):
                kw.append('weight=' + self.leaf(dt, [c if self.chance(0.95) else c + 1], rg=False))
            if op == 'ce' and self.chance(0.3):
                kw.append('smoothing=' + fmt_float(r.choice([0.1, 0.5, 1.0, 0.0])))
            return self.emit(o, op, x, y, *kw)
        x = self.nn_input(len(shape), dt, shape) if self.chance(0.8) else (self.floating() or self.leaf(dt, shape))
        shape = list(self.t(x).shape)
        dt = self.dtype_name(self.t(x))
        tshape = shape if self.chance(0.95) else shape[1:] + [2]
        target = lambda: self.leaf(dt, tshape, rg=self.chance(0.3))
        if op in ('bce', 'bce_prob', 'multilabel_soft_margin'):
            if op == 'bce_prob':
                x = self.emit([self.new()], 'sigmoid', x)
            y = self.emit([self.new()], 'sigmoid', target()) if self.chance(0.7) else target()
            if self.chance(0.3):
                kw.append('weight=' + self.leaf(dt, shape[-1:] if self.chance(0.5) else shape, rg=False))
            if op == 'bce' and self.chance(0.3):
                kw.append('pos_weight=' + self.leaf(dt, shape[-1:], rg=False))
            return self.emit(o, op, x, y, *kw)
        if op in ('smooth_l1', 'huber'):
            if self.chance(0.6):
                kw.append('%s=%s' % ('beta' if op == 'smooth_l1' else 'delta', fmt_float(r.choice([1.0, 0.5, 0.0, 2.0]))))
            return self.emit(o, op, x, target(), *kw)
        if op == 'kl_div':
            x = self.emit([self.new()], 'log_softmax', x, -1) if shape and self.chance(0.6) else x
            if self.chance(0.4):
                kw.append('log_target=1')
            return self.emit(o, op, x, target(), *kw)
        if op == 'poisson_nll':
            if self.chance(0.4):
                kw.append('log_input=0')
            if self.chance(0.3):
                kw.append('full=1')
            if self.chance(0.2):
                kw.append('eps=' + fmt_float(r.choice([1e-8, 0.5])))
            y = self.emit([self.new()], 'abs', target())
            return self.emit(o, op, x, y, *kw)
        if op == 'gaussian_nll':
            vs = shape if self.chance(0.8) else shape[:-1] + [1] if shape else []
            v = self.emit([self.new()], 'abs', self.leaf(dt, vs, rg=self.chance(0.5)))
            kw.append('var=' + v)
            if self.chance(0.3):
                kw.append('full=1')
            if self.chance(0.2):
                kw.append('eps=' + fmt_float(r.choice([1e-6, 0.5])))
            return self.emit(o, op, x, target(), *kw)
        signs = lambda s: self.emit([self.new()], 'sign', self.leaf(dt, s, rg=False))
        if op in ('margin_ranking', 'hinge_embedding', 'soft_margin'):
            if op != 'soft_margin' and self.chance(0.4):
                kw.append('margin=' + fmt_float(r.choice([0.0, 0.5, 1.0, -1.0])))
            if op == 'margin_ranking':
                kw.append('x2=' + self.leaf(dt, shape, rg=self.chance(0.7)))
            return self.emit(o, op, x, signs(tshape), *kw)
        if op == 'cosine_embedding':
            n, d = r.choice([0, 1, 2, 3]), r.choice([1, 2, 3])
            s = [n, d] if self.chance(0.8) else [d]
            x = self.leaf(dt, s, rg=True)
            kw.append('x2=' + self.leaf(dt, s, rg=self.chance(0.7)))
            if self.chance(0.4):
                kw.append('margin=' + fmt_float(r.choice([0.0, 0.5, -0.5])))
            return self.emit(o, op, x, signs(s[:1] if len(s) == 2 else []), *kw)
        if op == 'triplet_margin':
            s = [r.choice([1, 2, 3]), r.choice([1, 2, 3])][r.randint(0, 1):]
            x = self.leaf(dt, s, rg=True)
            kw.append('x2=' + self.leaf(dt, s, rg=self.chance(0.7)))
            if self.chance(0.4):
                kw.append('margin=' + fmt_float(r.choice([0.0, 0.5, 2.0])))
            if self.chance(0.3):
                kw.append('p=' + fmt_float(r.choice([1.0, 3.0])))
            if self.chance(0.3):
                kw.append('swap=1')
            return self.emit(o, op, x, self.leaf(dt, s, rg=self.chance(0.7)), *kw)
        return self.emit(o, op, x, target(), *kw)

    def op_conv(self):
        r = self.r
        dt = self.dtype(floating=True)
        op = r.choice(['conv1d', 'conv2d', 'conv2d', 'conv_transpose1d', 'conv_transpose2d', 'max_pool1d',
                       'max_pool2d', 'max_pool2d', 'avg_pool1d', 'avg_pool2d', 'avg_pool2d', 'adaptive_avg_pool2d',
                       'adaptive_max_pool2d'])
        nsp = 1 if '1d' in op else 2
        batched = self.chance(0.8)
        n, c = r.choice([1, 2, 0 if self.chance(0.1) else 1]), r.choice([1, 2, 3, 4])
        sp = [r.choice([1, 2, 3, 4, 5]) for _ in range(nsp)]
        x = self.leaf(dt, ([n] if batched else []) + [c] + sp, rg=self.chance(0.8))
        if self.chance(0.2):
            x = self.emit([self.new()], 'transpose', x, -1, -2)
            sp = sp[::-1] if nsp == 2 else sp
            if nsp == 1:
                c, sp = sp[0], [c]
        o = [self.new()]
        ints = lambda lo, hi: fmt_ints([r.randint(lo, hi) for _ in range(nsp)] if self.chance(0.7) else [r.randint(lo, hi)])
        kw = []
        if op.startswith('conv'):
            groups = r.choice([1, 1, 1, 2, c]) if self.chance(0.95) else 0
            g = groups or 1
            cout = g * r.choice([1, 2])
            ks = [r.randint(1, 3) for _ in range(nsp)]
            if op.startswith('conv_transpose'):
                wshape = [c, cout // g] + ks
            else:
                wshape = [cout, max(c // g, 1) if self.chance(0.97) else c + 1] + ks
            w = self.leaf(dt, wshape, rg=self.chance(0.8))
            bias = self.opt_leaf(dt, [cout if not op.startswith('conv_transpose') else cout], p=0.6)
            if self.chance(0.4):
                kw.append('stride=' + ints(1, 3))
            if self.chance(0.4) and not (op in ('conv1d', 'conv2d') and self.chance(0.2)):
                kw.append('padding=' + ints(0, 2))
            elif op in ('conv1d', 'conv2d') and self.chance(0.3) and not any(k.startswith('stride') for k in kw):
                kw.append('padstr=' + r.choice(['same', 'valid']))
            if self.chance(0.3):
                kw.append('dilation=' + ints(1, 2))
            if op.startswith('conv_transpose') and self.chance(0.3):
                kw.append('outpad=' + ints(0, 1))
            if groups != 1:
                kw.append('groups=%d' % groups)
            return self.emit(o, op, x, w, bias, *kw)
        if op.startswith('adaptive'):
            if op == 'adaptive_max_pool2d' and self.chance(0.4):
                o.append(self.new())
                kw.append('indices=1')
            return self.emit(o, op, x, ints(1, 4), *kw)
        k = ints(1, 3)
        if self.chance(0.4):
            kw.append('stride=' + ints(1, 3))
        if self.chance(0.4):
            kw.append('padding=' + ints(0, 1))
        if self.chance(0.3):
            kw.append('ceil=1')
        if op.startswith('max'):
            if self.chance(0.3):
                kw.append('dilation=' + ints(1, 2))
            if self.chance(0.4):
                o.append(self.new())
                kw.append('indices=1')
        else:
            if self.chance(0.3):
                kw.append('exclude=1')
            if op == 'avg_pool2d' and self.chance(0.2):
                kw.append('divisor=%d' % r.choice([1, 3, 0]))
        return self.emit(o, op, x, k, *kw)

    def op_nn_misc(self):
        r = self.r
        dt = self.dtype(floating=True)
        op = r.choice(['embedding', 'one_hot', 'pad', 'pad', 'interpolate', 'interpolate', 'sdpa', 'linear', 'linear',
                       'bilinear', 'optim'])
        o = [self.new()]
        if op in ('embedding', 'one_hot'):
            num = r.choice([1, 2, 3, 5])
            ishape = self.shape(maxdims=2)
            cnt = 1
            for s in ishape:
                cnt *= s
            idx = self.emit([self.new()], 'tensor', 'i64', fmt_ints(ishape),
                            fmt_ints([r.randint(0, num - 1) if self.chance(0.97) else num for _ in range(cnt)]))
            if op == 'one_hot':
                return self.emit(o, op, idx, r.choice([num, num, -1, 0 if self.chance(0.1) else num]))
            w = self.leaf(dt, [num, r.choice([1, 2, 3])], rg=self.chance(0.8))
            kw = ['pad=%d' % r.choice([0, 1, -1, num - 1])] if self.chance(0.3) else []
            return self.emit(o, op, idx, w, *kw)
        if op == 'pad':
            mode = r.choice(['constant', 'constant', 'reflect', 'replicate'])
            nd = r.randint(1, 3) if mode != 'constant' else r.randint(0, 4)
            x = self.nn_input(nd + (r.choice([1, 2]) if mode != 'constant' else 0), dt)
            nd = min(nd, self.t(x).dim()) if mode != 'constant' else nd
            lo = -1 if self.chance(0.2) else 0
            pads = [r.randint(lo, 2) for _ in range(2 * max(nd, 1 if mode != 'constant' else 0))]
            if self.chance(0.04):
                pads.append(1)
            return self.emit(o, op, x, fmt_ints(pads), mode, fmt_float(r.choice([0.0, 1.5, -1.0])))
        if op == 'interpolate':
            mode = r.choice(['nearest', 'nearest', 'linear', 'bilinear'])
            nsp = {'linear': 1, 'bilinear': 2}.get(mode, r.randint(1, 3))
            x = self.nn_input(2 + nsp, dt)
            kw = ['mode=' + mode]
            if self.chance(0.5):
                kw.append('size=' + fmt_ints([r.randint(1, 5) for _ in range(nsp if self.chance(0.8) else 1)]))
            else:
                kw.append('scale=[' + ','.join(fmt_float(r.choice([2.0, 0.5, 1.5, 3.0]))
                                               for _ in range(nsp if self.chance(0.5) else 1)) + ']')
            if mode != 'nearest' and self.chance(0.5):
                kw.append('align=%d' % r.randint(0, 1))
            return self.emit(o, op, x, *kw)
        if op == 'sdpa':
            b, l, s, e = r.choice([1, 2]), r.randint(1, 3), r.randint(1, 3), r.randint(1, 4)
            pre = [b] if self.chance(0.7) else []
            q, k = self.leaf(dt, pre + [l, e], rg=True), self.leaf(dt, pre + [s, e], rg=self.chance(0.7))
            v = self.leaf(dt, pre + [s, r.randint(1, 3)], rg=self.chance(0.7))
            kw = []
            if self.chance(0.3):
                kw.append('causal=1')
            elif self.chance(0.3):
                m = self.leaf('bool', [l, s], rg=False)
                kw.append('mask=' + m)
            return self.emit(o, op, q, k, v, *kw)
        if op == 'linear':
            i, out = r.randint(0, 3), r.randint(1, 3)
            x = self.leaf(dt, [r.choice([1, 2, 3]) for _ in range(r.randint(0, 2))] + [i], rg=self.chance(0.8))
            w = self.leaf(dt, [out, i if self.chance(0.96) else i + 1], rg=self.chance(0.8))
            return self.emit(o, op, x, w, self.opt_leaf(dt, [out], p=0.7))
        if op == 'bilinear':
            n, i, j, out = r.randint(1, 3), r.randint(1, 3), r.randint(1, 3), r.randint(1, 3)
            x1, x2 = self.leaf(dt, [n, i], rg=True), self.leaf(dt, [n, j], rg=self.chance(0.7))
            w = self.leaf(dt, [out, i, j], rg=self.chance(0.8))
            return self.emit(o, op, x1, x2, w, self.opt_leaf(dt, [out], p=0.6))
        # an optimizer's steps on leaves with gradients
        params = [self.leaf(dt, self.shape(maxdims=2), rg=True) for _ in range(r.randint(1, 2))]
        loss = None
        for q in params:
            u = self.emit([self.new()], 'sum', self.emit([self.new()], r.choice(['mul', 'add']), q, q))
            loss = u if loss is None else self.emit([self.new()], 'add', loss, u)
        self.emit([], 'backward', loss)
        kind = r.choice(['sgd', 'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', 'adadelta', 'adamax', 'nadam', 'radam'])
        kw = ['lr=' + fmt_float(r.choice([0.1, 0.01, 1e-3, -1.0 if self.chance(0.1) else 0.1]))]
        if kind in ('sgd', 'rmsprop') and self.chance(0.5):
            kw.append('momentum=' + fmt_float(r.choice([0.9, 0.5])))
            if kind == 'sgd' and self.chance(0.4):
                kw.append('nesterov=1')
        if self.chance(0.3):
            kw.append('wd=' + fmt_float(r.choice([0.01, 0.1])))
        if kind in ('adam', 'adamw') and self.chance(0.3):
            kw.append('amsgrad=1')
        if kind == 'rmsprop' and self.chance(0.3):
            kw.append('centered=1')
        if self.chance(0.1):
            kw.append('maximize=1')
        kw.append('steps=%d' % r.randint(1, 3))
        self.emit([], kind, fmt_list(params), *kw)
        for q in params:
            self.emit([self.new()], 'detach', q)
        return None

    # ---- autograd ----
    def op_autograd(self):
        r = self.r
        c = r.randrange(18)
        a = self.pick()
        if a is None:
            return None
        t = self.t(a)
        if c == 0:
            return self.emit([self.new()], 'requires_grad_', a, int(self.chance(0.8)))
        if c == 1:
            return self.emit([], 'retain_grad', a)
        if c == 2:
            return self.emit([self.new()], r.choice(['detach', 'data']), a)
        if c == 3:
            return self.emit([], 'detach_', a)
        if c == 4:
            if self.chance(0.5):
                self.emit([], 'nograd')
                self.op_elementwise()
                return self.emit([], 'enablegrad')
            return self.emit([], 'nograd')
        if c == 5:
            return self.emit([], 'hook', a, r.choice(['print', 'mul2', 'none']))
        if c == 6:
            return self.emit([], 'nextfns', a)
        if c == 7:
            return self.emit([], 'repr', a)
        if c == 8:
            return self.emit([], 'item', a)
        if c == 9:
            return self.emit([], 'printgrad', a)
        if c == 10:
            g = self.pick(lambda u: u.shape == t.shape and u.dtype == t.dtype and not u.requires_grad)
            return self.emit([], 'set_grad', a, g or 'None')
        if c == 11:
            return self.emit([], 'zero_grad', fmt_list(self.live(lambda u: u.is_leaf)[:3]))
        if c == 12:
            return self.emit([], 'retains', a)
        if c == 13:
            idx = [r.randint(-s, s - 1) if s and self.chance(0.95) else s for s in t.shape]
            return self.emit([], 'get_at', a, fmt_ints(idx[:r.randint(0, len(idx))] if self.chance(0.1) else idx))
        if c == 14:
            return self.emit([], 'copy_to', a, self.dtype())
        if c == 15:
            k = r.randrange(6)
            if k == 0:
                return self.emit([], 'result_type', a, self.pick())
            if k == 1:
                return self.emit([], 'promote_types', self.dtype(), self.dtype())
            if k == 2:
                return self.emit([], 'is_contiguous', a)
            if k == 3:
                return self.emit([], 'shares', a, self.pick())
            if k == 4:
                return self.emit([], 'rmhook', a, r.randint(0, 1))
            self.emit([], 'seed', r.randint(0, 1000))
            return self.emit([], r.choice(['uniform_', 'normal_']), a, self.value('f64'), self.value('f64'))
        return self.finish()

    def op_functional(self):
        """torch.autograd.functional over run_torch.FUNCTIONS (name, inputs, scalar output)."""
        r = self.r
        name, arity, scalar = r.choice([('mulsum', 2, True), ('expmul', 2, False), ('two', 1, False),
                                        ('const', 2, False), ('tanhsum', 1, True), ('cube', 2, True)])
        dt = self.dtype(floating=self.chance(0.95))
        shape = self.shape(maxdims=2)
        ins = [self.leaf(dt, shape if self.chance(0.9) else self.shape(maxdims=2), rg=self.chance(0.5))
               for _ in range(arity)]
        kw = []
        if self.chance(0.3):
            kw.append('create=1')
        if self.chance(0.3):
            kw.append('strict=1')
        ops = ['jacobian', 'vjp', 'jvp', 'gradcheck'] + (['hessian', 'vhp', 'hvp', 'gradgradcheck'] if scalar else [])
        op = r.choice(ops)
        if op == 'gradgradcheck' and dt != 'f64':  # float32: passes or fails with the random grad_outputs
            op = 'gradcheck'
        # with no differentiable output PyTorch 1.13's gradgradcheck fails in its own Python (args[:-0]
        # is empty: "TypeError: <lambda>() missing 1 required positional argument"); cgrad checks nothing
        if op == 'gradgradcheck' and not torch.is_grad_enabled():
            op = 'gradcheck'
        if op in ('gradcheck', 'gradgradcheck'):
            return self.emit([], op, name, fmt_list(ins))
        if op in ('jacobian', 'hessian'):
            return self.emit([], op, name, fmt_list(ins), *kw)
        if op == 'vjp':
            outs = 2 if name == 'two' else 1
            like = shape if not scalar else []
            vs = [self.leaf(dt, like, rg=False) for _ in range(outs)]
        else:
            vs = [self.like(x, rg=False) for x in ins]
        if not (scalar and op == 'vjp' and self.chance(0.3)):
            kw.append('v=' + fmt_list(vs))
        return self.emit([], op, name, fmt_list(ins), *kw)

    def op_pattern(self):
        """Small scenes for the autograd errors: a saved tensor changed in place, a second backward,
        an implicit gradient of a non-scalar, requires_grad_ on a non-leaf, backward of a no_grad result."""
        r = self.r
        x = self.leaf(self.dtype(floating=True), self.shape(maxdims=2), rg=True)
        t = self.emit([self.new()], r.choice(['muln', 'addn']), x, self.number('if'))
        c = r.randrange(5)
        if c == 0:
            op = r.choice(['exp', 'tanh', 'sigmoid', 'sqrt', 'log', 'relu', 'mul', 'div', 'pow', 'pown'])
            args = [t] + ([x] if op in ('mul', 'div', 'pow') else [self.number('if')] if op == 'pown' else [])
            u = self.emit([self.new()], op, *args)
            target = r.choice([t, u, x])
            self.emit([], r.choice(['mul_', 'add_', 'copy_']), target, self.like(target, rg=False))
            s = self.emit([self.new()], 'sum', u)
            self.emit([], 'backward', s)
            self.emit([], 'printgrad', x)
        elif c == 1:
            op = r.choice(['mul', 'exp', 'sin'])
            s = self.emit([self.new()], 'sum', self.emit([self.new()], op, *([t, t] if op == 'mul' else [t])))
            self.emit([], 'backward', s, *(['retain=1'] if self.chance(0.4) else []))
            self.emit([], 'backward', s)
            self.emit([], 'printgrad', x)
        elif c == 2:
            self.emit([], 'backward', t)  # implicit gradient: only for one element
            self.emit([], 'printgrad', x)
        elif c == 3:
            self.emit([self.new()], 'requires_grad_', t, r.randint(0, 1))
        else:
            self.emit([], 'nograd')
            u = self.emit([self.new()], 'mul', x, x)
            self.emit([], 'enablegrad')
            self.emit([], 'backward', self.emit([self.new()], 'sum', u))
        return None

    def finish(self):
        """A backward or autograd.grad through what the program computed, then the gradients."""
        r = self.r
        outs = self.live(lambda u: u.requires_grad and u.grad_fn is not None)
        if not outs:
            outs = self.live(lambda u: u.requires_grad)
        if not outs:
            return None
        y = r.choice(outs)
        t = self.t(y)
        leaves = self.live(lambda u: u.requires_grad and u.is_leaf)
        if t.numel() != 1 and self.chance(0.8):
            y = self.emit([self.new()], r.choice(['sum', 'mean', 'sum']), y)
        kw = []
        if self.chance(0.3):
            kw.append('retain=1')
        create = self.chance(0.3)
        if create:
            kw.append('create=1')
        if self.chance(0.7) or not leaves:
            if self.t(y).numel() != 1 or self.chance(0.1):
                g = self.like(y, rg=False)
                kw.append('grad=' + g)
            if leaves and self.chance(0.15):
                kw.append('inputs=' + fmt_list(r.sample(leaves, r.randint(1, len(leaves)))))
            self.emit([], 'backward', y, *kw)
            for leaf in leaves:
                self.emit([], 'printgrad', leaf)
        else:
            ins = r.sample(leaves, r.randint(1, min(3, len(leaves))))
            if self.chance(0.3):
                kw.append('unused=1')
            if self.t(y).numel() != 1 or self.chance(0.1):
                kw.append('gouts=' + fmt_list([self.like(y, rg=False)]))
            gs = [self.new() for _ in ins]
            self.emit(gs, 'grad', fmt_list([y]), fmt_list(ins), *kw)
            if create:
                g = r.choice(gs)
                if isinstance(self.prog.env.get(g), torch.Tensor):
                    s = self.emit([self.new()], 'sum', self.emit([self.new()], 'mul', g, g))
                    self.emit([], 'backward', s)
                    for leaf in leaves:
                        self.emit([], 'printgrad', leaf)
        self.backwards += 1
        return None

    def program(self):
        r = self.r
        for _ in range(r.randint(1, 3)):
            self.leaf()
        steps = r.randint(4, 14)
        table = [(self.op_create, 5), (self.op_view, 18), (self.op_elementwise, 28), (self.op_inplace, 8),
                 (self.op_reduce, 12), (self.op_linalg, 4), (self.op_index, 8), (self.op_loss, 3),
                 (self.op_autograd, 10), (self.op_functional, 3), (self.op_pattern, 3),
                 (self.op_activation, 5), (self.op_norm, 4), (self.op_nn_loss, 4), (self.op_conv, 4),
                 (self.op_nn_misc, 4)]
        fns = [f for f, w in table for _ in range(w)]
        steps = [r.choice(fns) for _ in range(steps)]
        if self.chance(0.8):
            steps.append(self.finish)
        if self.chance(0.2):
            steps.append(self.finish)  # a second backward: freed buffers unless retained
        for step in steps:
            if self.nvar > 60:
                break
            try:
                step()
            except Exception:  # the generator looked at a tensor PyTorch will not show: go on
                pass
        return self.lines


def _broadcastable(s1, s2):
    for a, b in zip(reversed(list(s1)), reversed(list(s2))):
        if a != b and a != 1 and b != 1:
            return False
    return True


def _refactor(r, shape):
    n = 1
    for s in shape:
        n *= s
    if n == 0:
        return r.choice([[0], [0, 2], list(shape), [2, 0, 1]])
    out = []
    while n > 1:
        divs = [d for d in range(2, n + 1) if n % d == 0]
        d = r.choice(divs)
        out.append(d)
        n //= d
    if r.random() < 0.3:
        out.insert(r.randint(0, len(out)), 1)
    return out


def generate(seed, count, first=0):
    """count programs from seed, as (number, lines) pairs."""
    torch.set_num_threads(1)
    progs = []
    for i in range(first, first + count):
        rng = random.Random('%d/%d' % (seed, i))
        torch.set_grad_enabled(True)
        torch.manual_seed(DEFAULT_SEED)  # as run_torch.py starts each program
        try:
            lines = Gen(rng).program()
        except RecursionError:
            lines = []
        torch.set_grad_enabled(True)
        progs.append((i, lines))
    return progs


def write_batch(progs, f):
    for i, lines in progs:
        f.write('#prog %d\n' % i)
        for line in lines:
            f.write(line + '\n')


if __name__ == '__main__':
    # gen.py SEED COUNT [FIRST]: each program is written (and flushed) as soon as it is made, so a
    # PyTorch crash on one program still leaves the ones before it
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    first = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    for i in range(first, first + count):
        write_batch(generate(seed, 1, i), sys.stdout)
        sys.stdout.flush()
