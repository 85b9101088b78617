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
                 (self.op_autograd, 10), (self.op_functional, 3), (self.op_pattern, 3)]
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
