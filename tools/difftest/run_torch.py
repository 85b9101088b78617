#!/usr/bin/python3
"""Runs a batch of difftest programs in PyTorch (the oracle) and prints their transcripts.

Usage: /usr/bin/python3 tools/difftest/run_torch.py BATCH > TRANSCRIPT

The language and the transcript format are described in tools/difftest/README.md; the C side is
tools/difftest/interp.c. One process runs the whole batch (importing torch takes a second); each
program starts from a fresh variable table, grad mode on, and each statement is isolated.
"""
import contextlib
import math
import re
import struct
import sys
import warnings

import torch

DTYPES = {'f32': torch.float32, 'f64': torch.float64, 'i64': torch.int64, 'bool': torch.bool}
DTYPE_NAMES = {torch.float32: 'float32', torch.float64: 'float64', torch.int64: 'int64', torch.bool: 'bool'}
# Warnings given once per process: whether one shows depends on the programs before, so neither side prints them.
ONCE_WARNINGS = ('Using backward() with create_graph=True will create a reference cycle',)


# The functions of the functional API statements (interp.c's functions[]).
FUNCTIONS = {
    'mulsum': lambda a, b: (a * b).sum(),
    'expmul': lambda a, b: a.exp() * b,
    'two': lambda a: (a * a, a.sin()),
    'const': lambda a, b: a * 2,
    'tanhsum': lambda a: a.tanh().sum(),
    'cube': lambda a, b: (a ** 3).sum() + (a * b).sum(),
}


def shares_storage(a, b):
    """Whether a and b view the same memory (cg_shares_storage): the same storage object."""
    return a.storage()._cdata == b.storage()._cdata


def as_bytes(t):
    return t.detach().contiguous().view(-1).view(torch.uint8)


class Undef(Exception):
    pass


def fbits64(x):
    if math.isnan(x):
        return 'nan'
    return '%016x' % struct.unpack('<Q', struct.pack('<d', x))[0]


def values(t):
    d = t.detach()
    if d._is_zerotensor():  # PyTorch's storage-less zeros (some backward formulas give them)
        d = torch.zeros(d.shape, dtype=d.dtype)
    d = d.contiguous().reshape(-1)
    if d.dtype == torch.float32:
        bits = d.view(torch.int32).tolist()
        nan = torch.isnan(d).tolist()
        return ','.join('nan' if n else '%08x' % (b & 0xffffffff) for b, n in zip(bits, nan))
    if d.dtype == torch.float64:
        bits = d.view(torch.int64).tolist()
        nan = torch.isnan(d).tolist()
        return ','.join('nan' if n else '%016x' % (b & 0xffffffffffffffff) for b, n in zip(bits, nan))
    if d.dtype == torch.bool:
        return ','.join('1' if v else '0' for v in d.tolist())
    return ','.join(str(v) for v in d.tolist())


def desc(t, data=True, version=True):
    """A tensor as one line; version=False for gradients, whose version counters are the engine's business."""
    if t is None:
        return 'None'
    fn = type(t.grad_fn).__name__ if t.grad_fn is not None else '-'
    return 'T %s [%s] st=[%s] off=%d rg=%d leaf=%d fn=%s v=%s data=[%s]' % (
        DTYPE_NAMES.get(t.dtype, str(t.dtype)), ','.join(map(str, t.shape)), ','.join(map(str, t.stride())),
        t.storage_offset(), int(t.requires_grad), int(t.is_leaf), fn, t._version if version else '-',
        values(t) if data else '*')


def escape(s):
    return s.replace('\\', '\\\\').replace('\n', '\\n')


def norm_message(msg):
    # PyTorch appends where a C++ warning was raised; cgrad has no such tail.
    i = msg.find(' (Triggered internally at')
    if i >= 0:
        msg = msg[:i]
    return escape(msg)


class Program:
    def __init__(self, out):
        self.env = {}
        self.out = out
        self.k = 0
        self.handles = []

    # ---- argument parsing ----
    def tensor(self, tok):
        if tok == 'None':
            return None
        if tok not in self.env or self.env[tok] is None and tok.startswith('t'):
            raise Undef()
        return self.env[tok]

    @contextlib.contextmanager
    def copy_slices_leaves_kept(self, wanted):
        """PyTorch 1.13's defect (FINDINGS.md, D60): autograd.grad, and backward(inputs=), through a
        CopySlices (an in-place op on a view) accumulate into the .grad of that op's other leaf operands,
        wanted or not (b = x * 1; b[0].mul_(a); autograd.grad(b.sum(), [x]) adds 1 to a.grad). The .grad
        of every leaf the call must not touch (all for autograd.grad; those not in inputs= for backward;
        backward without inputs= touches any) is put back as it was, also when the call fails."""
        if wanted is None:
            yield
            return
        keep = set(id(t) for t in wanted)
        saved = []
        for t in self.env.values():
            if not isinstance(t, torch.Tensor) or id(t) in keep:
                continue
            try:  # a stale multi-output or no_grad view's is_leaf raises; it is no leaf
                leaf = t.is_leaf
            except RuntimeError:
                continue
            if leaf and t.requires_grad:
                g = t.grad
                saved.append((t, g, None if g is None else g.detach().clone()))
        try:
            yield
        finally:
            with torch.no_grad():
                for t, g, values in saved:
                    if t.grad is not g:
                        t.grad = g
                    if g is not None and not torch.equal(as_bytes(g), as_bytes(values)):
                        g.copy_(values)

    def tlist(self, tok):
        assert tok[0] == '[' and tok[-1] == ']', tok
        inner = tok[1:-1]
        return [self.tensor(x) for x in inner.split(',')] if inner else []

    @staticmethod
    def ints(tok):
        inner = tok[1:-1]
        return [int(x) for x in inner.split(',')] if inner else []

    @staticmethod
    def index(tok):
        """[i] is Python's x[i], [i,j] x[i, j], [] x[()], as cgrad's index functions document."""
        ints = Program.ints(tok)
        return ints[0] if len(ints) == 1 else tuple(ints)

    @staticmethod
    def number(tok):
        if tok == 'None':
            return None
        kind, v = tok.split(':', 1)
        if kind == 'i':
            return int(v)
        if kind == 'b':
            return v == '1'
        return float(v)

    @staticmethod
    def fvalues(tok, dt):
        inner = tok[1:-1]
        if not inner:
            return []
        if dt in (torch.float32, torch.float64):
            return [float(x) for x in inner.split(',')]
        if dt == torch.bool:
            return [x == '1' for x in inner.split(',')]
        return [int(x) for x in inner.split(',')]

    # ---- running ----
    def emit(self, text):
        self.out.append('%d: %s' % (self.k, text))

    def hook(self, kind, tag):
        def fn(g):
            if kind == 'print':
                self.out.append('%dH: %s %s' % (self.k, tag, desc(g, version=False)))
                return None
            if kind == 'mul2':
                return g * 2
            return None
        return fn

    def run_line(self, line):
        toks = line.split()
        outs = [] if toks[0] == '-' else toks[0].split(',')
        op, args = toks[1], toks[2:]
        pos = [a for a in args if '=' not in a]
        kw = dict(a.split('=', 1) for a in args if '=' in a)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            try:
                res = self.execute(op, pos, kw)
                text = self.render(op, res, outs)
            except Undef:
                text = 'undef'
                for o in outs:
                    self.env[o] = None
            except Exception as e:  # every PyTorch error is data here
                text = 'err %s: %s' % (type(e).__name__, norm_message(str(e)))
                for o in outs:
                    self.env[o] = None
        self.emit(text)
        for w in caught:
            if not str(w.message).startswith(ONCE_WARNINGS):
                self.out.append('%dW: %s' % (self.k, norm_message(str(w.message))))

    def render(self, op, res, outs):
        if isinstance(res, str):
            return res
        if res is None and not outs:
            return 'ok'
        if isinstance(res, tuple):
            items = list(res)
            for o, r in zip(outs, items):
                self.env[o] = r
            return ' | '.join(desc(r, version=op != 'grad') for r in items)
        if outs:
            self.env[outs[0]] = res
        return desc(res, data=op not in ('empty', 'empty_like'))

    def functional(self, op, p, kw):
        """torch.autograd.functional's op of FUNCTIONS[p[0]]; a list of one tensor is a single Tensor."""
        f = FUNCTIONS[p[0]]
        ins = self.tlist(p[1])
        one = lambda xs: xs[0] if len(xs) == 1 else tuple(xs)
        func = lambda *a: f(*a)
        inputs = one(ins)
        opts = dict(create_graph=self.b(kw.get('create', '0')), strict=self.b(kw.get('strict', '0')))
        flat = lambda r: [r] if isinstance(r, torch.Tensor) or r is None else [x for y in r for x in flat(y)]
        if op in ('jacobian', 'hessian'):
            res = getattr(torch.autograd.functional, op)(func, inputs, **opts)
            return 'fn || ' + ' '.join(desc(r) for r in flat(res))
        v = one(self.tlist(kw['v'])) if 'v' in kw else None
        outs, res = getattr(torch.autograd.functional, op)(func, inputs, v, **opts)
        return 'fn ' + ' '.join(desc(r) for r in flat(outs)) + ' || ' + ' '.join(desc(r) for r in flat(res))

    @staticmethod
    def b(s):
        return s == '1'

    # ---- torch.nn.functional and torch.optim (interp.c's execute_nn) ----
    ACTIVATIONS = ('relu6', 'selu', 'silu', 'hardsigmoid', 'hardswish', 'mish', 'logsigmoid', 'softsign',
                   'tanhshrink')
    NN_LOSSES = {'bce_prob': 'binary_cross_entropy', 'l1': 'l1_loss', 'smooth_l1': 'smooth_l1_loss',
                 'huber': 'huber_loss', 'kl_div': 'kl_div', 'poisson_nll': 'poisson_nll_loss',
                 'gaussian_nll': 'gaussian_nll_loss', 'margin_ranking': 'margin_ranking_loss',
                 'hinge_embedding': 'hinge_embedding_loss', 'cosine_embedding': 'cosine_embedding_loss',
                 'triplet_margin': 'triplet_margin_loss', 'soft_margin': 'soft_margin_loss',
                 'multilabel_soft_margin': 'multilabel_soft_margin_loss'}
    OPTIMIZERS = {'sgd': 'SGD', 'adam': 'Adam', 'adamw': 'AdamW', 'rmsprop': 'RMSprop', 'adagrad': 'Adagrad',
                  'adadelta': 'Adadelta', 'adamax': 'Adamax', 'nadam': 'NAdam', 'radam': 'RAdam'}

    def loss(self, op, p, kw):
        """A loss statement: OP INPUT TARGET red=.. and the options as keywords (interp.c's loss_args)."""
        F = torch.nn.functional
        T = self.tensor
        a, t = T(p[0]), T(p[1])
        opts = {'reduction': kw.get('red', 'mean')}
        for key, name, conv in (('weight', 'weight', T), ('pos_weight', 'pos_weight', T), ('ignore', 'ignore_index', int),
                                ('smoothing', 'label_smoothing', float), ('beta', 'beta', float),
                                ('delta', 'delta', float), ('log_target', 'log_target', self.b),
                                ('log_input', 'log_input', lambda v: float(v) != 0), ('full', 'full', self.b),
                                ('eps', 'eps', float), ('margin', 'margin', float), ('p', 'p', float),
                                ('swap', 'swap', self.b)):
            if key in kw:
                opts[name] = conv(kw[key])
        if op in ('bce', 'mse', 'nll', 'ce'):
            fn = {'bce': F.binary_cross_entropy_with_logits, 'mse': F.mse_loss, 'nll': F.nll_loss,
                  'ce': F.cross_entropy}[op]
            return fn(a, t, **opts)
        fn = getattr(F, self.NN_LOSSES[op])
        if op == 'gaussian_nll':
            return fn(a, t, T(kw['var']) if 'var' in kw else None, **opts)
        if op in ('margin_ranking', 'cosine_embedding', 'triplet_margin'):  # (x1, x2, y) / (anchor, positive, negative)
            return fn(a, T(kw['x2']) if 'x2' in kw else None, t, **opts)
        return fn(a, t, **opts)

    def optimizer_step(self, op, p, kw):
        params = self.tlist(p[0])
        opts = {'lr': float(kw.get('lr', '0.01'))}
        extra = {'momentum': ('momentum', float), 'wd': ('weight_decay', float), 'nesterov': ('nesterov', self.b),
                 'amsgrad': ('amsgrad', self.b), 'maximize': ('maximize', self.b), 'centered': ('centered', self.b)}
        for key, (name, conv) in extra.items():
            if key in kw:
                opts[name] = conv(kw[key])
        opt = getattr(torch.optim, self.OPTIMIZERS[op])(params, **opts)
        for _ in range(int(kw.get('steps', '1'))):
            opt.step()
        return None

    @staticmethod
    def ints_arg(kw, key):
        return tuple(Program.ints(kw[key])) if key in kw else None

    def execute_nn(self, op, p, kw):
        F = torch.nn.functional
        T = self.tensor
        ints = self.ints
        if op in self.ACTIVATIONS:
            return getattr(F, op)(T(p[0]))
        if op == 'erf':
            return torch.erf(T(p[0]))
        if op in self.NN_LOSSES:
            return self.loss(op, p, kw)
        if op in self.OPTIMIZERS:
            return self.optimizer_step(op, p, kw)
        if op in ('leaky_relu', 'elu', 'celu'):
            return getattr(F, op)(T(p[0]), float(p[1]))
        if op in ('hardtanh', 'softplus'):
            return getattr(F, op)(T(p[0]), float(p[1]), float(p[2]))
        if op == 'gelu':
            return F.gelu(T(p[0]), approximate=p[1])
        if op in ('softmin', 'glu'):
            return getattr(F, op)(T(p[0]), int(p[1]))
        if op == 'prelu':
            return F.prelu(T(p[0]), T(p[1]))
        if op == 'normalize':
            return F.normalize(T(p[0]), float(p[1]), int(p[2]), float(p[3]))
        if op == 'cosine_similarity':
            return F.cosine_similarity(T(p[0]), T(p[1]), int(p[2]), float(p[3]))
        if op == 'pairwise_distance':
            return F.pairwise_distance(T(p[0]), T(p[1]), float(p[2]), float(p[3]), self.b(p[4]))
        if op == 'linear':
            return F.linear(T(p[0]), T(p[1]), T(p[2]))
        if op == 'bilinear':
            return F.bilinear(T(p[0]), T(p[1]), T(p[2]), T(p[3]))
        if op == 'layer_norm':
            return F.layer_norm(T(p[0]), ints(p[1]), T(p[2]), T(p[3]), float(p[4]))
        if op in ('batch_norm', 'instance_norm'):
            return getattr(F, op)(T(p[0]), T(p[1]), T(p[2]), T(p[3]), T(p[4]), self.b(p[5]), float(p[6]),
                                  float(p[7]))
        if op == 'group_norm':
            return F.group_norm(T(p[0]), int(p[1]), T(p[2]), T(p[3]), float(p[4]))
        if op in ('dropout', 'dropout2d'):
            return getattr(F, op)(T(p[0]), float(p[1]), self.b(p[2]))
        if op in ('conv1d', 'conv2d'):
            opts = {k: v for k, v in (('stride', self.ints_arg(kw, 'stride')), ('padding', self.ints_arg(kw, 'padding')),
                                      ('dilation', self.ints_arg(kw, 'dilation'))) if v is not None}
            if 'padstr' in kw:
                opts['padding'] = kw['padstr']
            if 'groups' in kw and int(kw['groups']) != 0:
                opts['groups'] = int(kw['groups'])
            return getattr(F, op)(T(p[0]), T(p[1]), T(p[2]), **opts)
        if op in ('conv_transpose1d', 'conv_transpose2d'):
            opts = {k: v for k, v in (('stride', self.ints_arg(kw, 'stride')), ('padding', self.ints_arg(kw, 'padding')),
                                      ('output_padding', self.ints_arg(kw, 'outpad')),
                                      ('dilation', self.ints_arg(kw, 'dilation'))) if v is not None}
            if 'groups' in kw and int(kw['groups']) != 0:
                opts['groups'] = int(kw['groups'])
            return getattr(F, op)(T(p[0]), T(p[1]), T(p[2]), **opts)
        if op in ('max_pool1d', 'max_pool2d'):
            opts = {k: v for k, v in (('stride', self.ints_arg(kw, 'stride')), ('padding', self.ints_arg(kw, 'padding')),
                                      ('dilation', self.ints_arg(kw, 'dilation'))) if v is not None}
            two = self.b(kw.get('indices', '0'))
            res = getattr(F, op)(T(p[0]), tuple(ints(p[1])), ceil_mode=self.b(kw.get('ceil', '0')),
                                 return_indices=two, **opts)
            return tuple(res) if two else res
        if op in ('avg_pool1d', 'avg_pool2d'):
            opts = {k: v for k, v in (('stride', self.ints_arg(kw, 'stride')),
                                      ('padding', self.ints_arg(kw, 'padding'))) if v is not None}
            if 'divisor' in kw and int(kw['divisor']) != 0:
                opts['divisor_override'] = int(kw['divisor'])
            return getattr(F, op)(T(p[0]), tuple(ints(p[1])), ceil_mode=self.b(kw.get('ceil', '0')),
                                  count_include_pad=not self.b(kw.get('exclude', '0')), **opts)
        size = ints(p[1]) if op.startswith('adaptive') else None
        size = size[0] if size and len(size) == 1 else tuple(size or ())  # one int: a square output
        if op == 'adaptive_avg_pool2d':
            return F.adaptive_avg_pool2d(T(p[0]), size)
        if op == 'adaptive_max_pool2d':
            two = self.b(kw.get('indices', '0'))
            res = F.adaptive_max_pool2d(T(p[0]), size, return_indices=two)
            return tuple(res) if two else res
        if op == 'embedding':
            return F.embedding(T(p[0]), T(p[1]), padding_idx=int(kw['pad']) if 'pad' in kw else None)
        if op == 'one_hot':
            return F.one_hot(T(p[0]), int(p[1]))
        if op == 'pad':
            mode = p[2]
            if mode == 'constant':
                return F.pad(T(p[0]), ints(p[1]), mode, float(p[3]))
            return F.pad(T(p[0]), ints(p[1]), mode)
        if op == 'interpolate':
            opts = {'mode': kw.get('mode', 'nearest')}
            if 'size' in kw:
                sz = ints(kw['size'])
                opts['size'] = sz[0] if len(sz) == 1 else tuple(sz)
            if 'scale' in kw:
                sc = [float(x) for x in kw['scale'][1:-1].split(',')]
                opts['scale_factor'] = sc[0] if len(sc) == 1 else tuple(sc)
            if 'align' in kw:
                opts['align_corners'] = self.b(kw['align'])
            return F.interpolate(T(p[0]), **opts)
        if op == 'sdpa':
            mask = T(kw['mask']) if 'mask' in kw else None
            return F._scaled_dot_product_attention(T(p[0]), T(p[1]), T(p[2]), attn_mask=mask,
                                                   is_causal=self.b(kw.get('causal', '0')))[0]
        raise SystemExit('run_torch: unknown op ' + op)

    def execute(self, op, p, kw):
        T = self.tensor
        N = self.number
        D = lambda s: DTYPES[s]
        I = int
        b = lambda s: s == '1'

        # ---- creation ----
        if op == 'tensor':
            dt = D(p[0])
            shape = self.ints(p[1])
            rg = len(p) > 3 and b(p[3])
            if rg and not dt.is_floating_point:
                torch.tensor([], dtype=dt, requires_grad=True)  # torch.tensor's own message
            # clone: a fresh tensor, not a view of the flat one
            t = torch.tensor(self.fvalues(p[2], dt), dtype=dt).reshape(shape).clone()
            return t.requires_grad_(True) if rg else t
        if op == 'scalar':
            return torch.scalar_tensor(float(p[0]), dtype=D(p[1]))
        if op in ('zeros', 'ones', 'empty'):
            return getattr(torch, op)(self.ints(p[1]), dtype=D(p[0]))
        if op == 'full':
            return torch.full(self.ints(p[1]), float(p[2]), dtype=D(p[0]))
        if op == 'fulln':
            return torch.full(self.ints(p[1]), N(p[2]), dtype=D(p[0]))
        if op in ('zeros_like', 'ones_like', 'empty_like'):
            return getattr(torch, op)(T(p[0]))
        if op == 'full_like':
            return torch.full_like(T(p[0]), N(p[1]))
        if op == 'arange':
            return torch.arange(float(p[0]), float(p[1]), float(p[2]), dtype=D(p[3]))
        if op == 'linspace':
            return torch.linspace(float(p[0]), float(p[1]), I(p[2]), dtype=D(p[3]))
        if op == 'eye':  # m = -1: m=None
            return torch.eye(I(p[0]), dtype=D(p[2])) if I(p[1]) == -1 else torch.eye(I(p[0]), I(p[1]), dtype=D(p[2]))
        if op == 'seed':
            torch.manual_seed(I(p[0]))
            return None
        if op in ('rand', 'randn'):
            return getattr(torch, op)(self.ints(p[1]), dtype=D(p[0]))
        if op == 'randint':
            return torch.randint(I(p[0]), I(p[1]), self.ints(p[2]))
        if op in ('uniform_', 'normal_'):
            t = T(p[0])
            getattr(t, op)(float(p[1]), float(p[2]))
            return desc(t)
        if op == 'item':
            return 'item ' + fbits64(float(T(p[0]).item()))

        # ---- views and shape ----
        if op in ('view', 'reshape', 'expand', 'permute'):
            return getattr(T(p[0]), op)(self.ints(p[1]))
        if op == 'flatten':
            return torch.flatten(T(p[0]), I(p[1]), I(p[2]))
        if op == 'squeeze':
            return torch.squeeze(T(p[0]))
        if op == 'squeeze_dim':
            return torch.squeeze(T(p[0]), I(p[1]))
        if op in ('unsqueeze', 'select'):
            return getattr(torch, op)(T(p[0]), *map(I, p[1:]))
        if op == 'transpose':
            return torch.transpose(T(p[0]), I(p[1]), I(p[2]))
        if op == 't':
            return torch.t(T(p[0]))
        if op == 'at':
            return T(p[0])[self.index(p[1])]
        if op == 'slice':
            t, d = T(p[0]), I(p[1])
            if t.dim() > 0 and d < 0:
                d += t.dim()
            s = slice(I(p[2]), I(p[3]), I(p[4]))
            if d > 0 and s.step > 0:  # t[:, a:b] would record a SliceBackward0 for the ':' too
                return torch.ops.aten.slice(t, d, s.start, s.stop, s.step)
            return t[s] if d == 0 else t[(slice(None),) * d + (s,)]
        if op == 'narrow':
            return torch.narrow(T(p[0]), I(p[1]), I(p[2]), I(p[3]))
        if op in ('unbind', 'split', 'chunk'):
            t = T(p[0])
            if op == 'unbind':
                pieces = torch.unbind(t, I(p[1]))
                k = I(p[2])
            elif op == 'split':
                pieces = torch.split(t, I(p[1]), I(p[2]))
                k = I(p[3])
            else:
                pieces = torch.chunk(t, I(p[1]), I(p[2]))
                k = I(p[3])
            text = 'n=%d' % len(pieces)
            self.env[self.cur_outs[0]] = pieces[k] if k < len(pieces) else None
            return text + (' ' + desc(pieces[k]) if k < len(pieces) else '')
        if op == 'contiguous':
            return T(p[0]).contiguous()
        if op == 'clone':
            return torch.clone(T(p[0]))
        if op == 'to':
            return T(p[0]).to(D(p[1]))

        # ---- elementwise ----
        binary = {'add': torch.add, 'sub': torch.sub, 'mul': torch.mul, 'div': torch.div, 'pow': torch.pow,
                  'maximum': torch.maximum, 'minimum': torch.minimum, 'eq': torch.eq, 'ne': torch.ne,
                  'lt': torch.lt, 'le': torch.le, 'gt': torch.gt, 'ge': torch.ge,
                  'dot': torch.dot, 'mv': torch.mv, 'mm': torch.mm, 'bmm': torch.bmm, 'matmul': torch.matmul}
        if op in binary:
            return binary[op](T(p[0]), T(p[1]))
        numeric = {'addn': lambda a, n: a + n, 'subn': lambda a, n: a - n, 'rsubn': lambda a, n: n - a,
                   'muln': lambda a, n: a * n, 'divn': lambda a, n: a / n, 'rdivn': lambda a, n: n / a,
                   'pown': lambda a, n: a ** n, 'rpown': lambda a, n: n ** a,
                   'eqn': lambda a, n: a == n, 'nen': lambda a, n: a != n, 'ltn': lambda a, n: a < n,
                   'len': lambda a, n: a <= n, 'gtn': lambda a, n: a > n, 'gen': lambda a, n: a >= n}
        if op in numeric:
            return numeric[op](T(p[0]), N(p[1]))
        if op == 'where':
            return torch.where(T(p[0]), T(p[1]), T(p[2]))
        if op in ('clamp', 'clamp_'):
            lo, hi = N(p[1]), N(p[2])
            if op == 'clamp':
                return torch.clamp(T(p[0]), lo, hi)
            t = T(p[0])
            t.clamp_(lo, hi)
            return desc(t)
        unary = ('neg', 'exp', 'log', 'log1p', 'sqrt', 'abs', 'sign', 'sin', 'cos', 'tan', 'tanh', 'sigmoid', 'relu')
        if op in unary:
            return getattr(torch, op)(T(p[0]))

        # ---- in place ----
        if op in ('add_', 'sub_', 'mul_', 'div_', 'copy_', 'pow_'):
            t = T(p[0])
            getattr(t, op)(T(p[1]))
            return desc(t)
        if op in ('addn_', 'subn_', 'muln_', 'divn_', 'pown_', 'fill_'):
            t = T(p[0])
            getattr(t, op[:-2] + '_' if op != 'fill_' else op)(N(p[1]))
            return desc(t)
        if op in ('zero_', 'neg_', 'exp_', 'log_', 'log1p_', 'sqrt_', 'abs_', 'sign_', 'sin_', 'cos_', 'tan_',
                  'tanh_', 'sigmoid_', 'relu_'):
            t = T(p[0])
            getattr(t, op)()
            return desc(t)
        if op in ('add_alpha', 'sub_alpha'):
            return getattr(torch, op[:3])(T(p[0]), T(p[1]), alpha=N(p[2]))
        if op in ('add_alpha_', 'sub_alpha_'):
            t = T(p[0])
            getattr(t, op[:3] + '_')(T(p[1]), alpha=N(p[2]))
            return desc(t)
        if op in ('addcmul', 'addcdiv'):
            return getattr(torch, op)(T(p[0]), T(p[1]), T(p[2]), value=N(p[3]))
        if op in ('addcmul_', 'addcdiv_'):
            t = T(p[0])
            getattr(t, op)(T(p[1]), T(p[2]), value=N(p[3]))
            return desc(t)
        if op in ('lerp', 'lerpn'):
            return torch.lerp(T(p[0]), T(p[1]), T(p[2]) if op == 'lerp' else N(p[2]))
        if op in ('lerp_', 'lerpn_'):
            t = T(p[0])
            t.lerp_(T(p[1]), T(p[2]) if op == 'lerp_' else N(p[2]))
            return desc(t)
        if op == 'clamp_t':
            return torch.clamp(T(p[0]), T(p[1]), T(p[2]))
        if op == 'clamp_t_':
            t = T(p[0])
            t.clamp_(T(p[1]), T(p[2]))
            return desc(t)
        if op == 'randperm':
            return torch.randperm(I(p[0]), dtype=D(p[1]))
        if op == 'scatter':
            return torch.scatter(T(p[0]), I(p[1]), T(p[2]), T(p[3]))
        if op == 'masked_fill_t':
            return torch.masked_fill(T(p[0]), T(p[1]), T(p[2]))
        if op in ('jacobian', 'hessian', 'vjp', 'jvp', 'vhp', 'hvp'):
            return self.functional(op, p, kw)
        if op in ('gradcheck', 'gradgradcheck'):
            ins = self.tlist(p[1])
            try:
                getattr(torch.autograd, op)(FUNCTIONS[p[0]], tuple(ins))
                return 'check ok'
            except Exception as e:  # the message up to its first comma, as interp.c prints it
                return 'err %s: %s' % (type(e).__name__, re.split('[,\n]', str(e))[0])
        if op == 'result_type':
            return 'dtype ' + DTYPE_NAMES[torch.result_type(T(p[0]), T(p[1]))]
        if op == 'promote_types':
            return 'dtype ' + DTYPE_NAMES[torch.promote_types(D(p[0]), D(p[1]))]
        if op == 'is_contiguous':
            return 'bool %d' % T(p[0]).is_contiguous()
        if op == 'shares':
            a, b = T(p[0]), T(p[1])
            return 'bool %d' % shares_storage(a, b)
        if op == 'rmhook':
            t = T(p[0])
            k = I(p[1])
            if k >= len(self.handles):
                return 'nohook'
            self.handles[k].remove()
            return None
        if op == 'retains':
            return 'retains %d' % int(T(p[0]).retains_grad)
        if op == 'get_at':
            return 'item ' + fbits64(float(T(p[0])[self.index(p[1])].item()))
        if op == 'set_at':
            t = T(p[0])
            t[self.index(p[1])] = float(p[2])
            return desc(t)
        if op == 'copy_to':
            return 'list ' + values(T(p[0]).detach().to(D(p[1])))

        # ---- reductions ----
        if op in ('sum', 'mean', 'var', 'std'):
            t = T(p[0])
            dims = self.ints(kw['dims']) if 'dims' in kw else None
            dims = dims or None  # no dims: every dim, as in cgrad's C API
            extra = {}
            if op in ('var', 'std'):
                extra['unbiased'] = not b(kw.get('biased', '0'))
            if dims is None:
                return getattr(torch, op)(t, **extra)
            return getattr(torch, op)(t, dims, keepdim=b(kw.get('keepdim', '0')), **extra)
        if op == 'norm':
            t = T(p[0])
            dims = self.ints(kw['dims']) if 'dims' in kw else None
            return torch.norm(t, float(p[1]), dims, keepdim=b(kw.get('keepdim', '0')))
        if op in ('prod', 'max', 'min', 'argmax', 'argmin'):
            return getattr(torch, op)(T(p[0]))
        if op in ('prod_dim', 'argmax_dim', 'argmin_dim'):
            return getattr(torch, op[:-4])(T(p[0]), I(p[1]), keepdim=b(p[2]))
        if op in ('max_dim', 'min_dim'):
            r = getattr(torch, op[:-4])(T(p[0]), I(p[1]), keepdim=b(p[2]))
            return (r[0], r[1])

        # ---- joining and indexing ----
        if op in ('cat', 'stack'):
            return getattr(torch, op)(self.tlist(p[0]), I(p[1]))
        if op in ('index_select', 'gather'):
            return getattr(torch, op)(T(p[0]), I(p[1]), T(p[2]))
        if op == 'scatter_add':
            return torch.scatter_add(T(p[0]), I(p[1]), T(p[2]), T(p[3]))
        if op == 'masked_fill':
            return torch.masked_fill(T(p[0]), T(p[1]), N(p[2]))

        # ---- losses ----
        if op in ('bce', 'mse', 'nll', 'ce'):
            return self.loss(op, p, kw)
        if op in ('softmax', 'log_softmax'):
            return getattr(torch, op)(T(p[0]), I(p[1]))

        # ---- autograd ----
        if op == 'requires_grad_':
            return T(p[0]).requires_grad_(b(p[1]))
        if op == 'printgrad':
            return 'grad ' + desc(T(p[0]).grad, version=False)
        if op == 'set_grad':
            t = T(p[0])
            t.grad = T(p[1])
            return None
        if op == 'retain_grad':
            T(p[0]).retain_grad()
            return None
        if op == 'zero_grad':
            for t in self.tlist(p[0]):
                if t.grad is not None:
                    if t.grad.grad_fn is not None:
                        t.grad.detach_()
                    else:
                        t.grad.requires_grad_(False)
                    t.grad.zero_()
            return None
        if op == 'nextfns':
            fn = T(p[0]).grad_fn
            if fn is None:
                return 'next -'
            return 'next ' + ' '.join('%s/%d' % (type(f).__name__ if f is not None else 'None', nr)
                                      for f, nr in fn.next_functions)
        if op == 'backward':
            t = T(p[0])
            opts = dict(grad_tensors=T(kw['grad']) if 'grad' in kw else None,
                        retain_graph=True if b(kw.get('retain', '0')) else None,
                        create_graph=b(kw.get('create', '0')))
            if 'inputs' in kw:
                opts['inputs'] = self.tlist(kw['inputs'])
            with self.copy_slices_leaves_kept(opts.get('inputs', None)):
                torch.autograd.backward(t, **opts)
            return None
        if op == 'grad':
            outputs = self.tlist(p[0])
            inputs = self.tlist(p[1])
            gouts = self.tlist(kw['gouts']) if 'gouts' in kw else None
            create = b(kw.get('create', '0'))
            with self.copy_slices_leaves_kept([]):
                res = torch.autograd.grad(outputs, inputs, grad_outputs=gouts,
                                          retain_graph=True if b(kw.get('retain', '0')) else None,
                                          create_graph=create, allow_unused=b(kw.get('unused', '0')))
            return tuple(res)
        if op == 'nograd':
            torch.set_grad_enabled(False)
            return None
        if op == 'enablegrad':
            torch.set_grad_enabled(True)
            return None
        if op == 'detach':
            return T(p[0]).detach()
        if op == 'detach_':
            t = T(p[0])
            t.detach_()
            return desc(t)
        if op == 'data':
            return T(p[0]).data
        if op == 'hook':
            self.handles.append(T(p[0]).register_hook(self.hook(p[1], p[0])))
            return None
        if op == 'repr':
            return 'repr ' + escape(repr(T(p[0])))
        return self.execute_nn(op, p, kw)


DEFAULT_SEED = 67280421310721  # interp.c seeds cgrad's default generator with it too


def run_batch(lines):
    out = []
    prog = None
    for raw in lines:
        line = raw.rstrip('\n')
        if line.startswith('#prog'):
            torch.set_grad_enabled(True)
            # both sides' default generators start each program from one seed (torch.Generator()'s
            # default): unseeded, each process draws its own, and random results could not agree
            torch.manual_seed(DEFAULT_SEED)
            prog = Program(out)
            out.append(line)
            continue
        if not line.strip() or line.startswith('#'):
            continue
        toks = line.split()
        prog.cur_outs = [] if toks[0] == '-' else toks[0].split(',')
        prog.run_line(line)
        prog.k += 1
    torch.set_grad_enabled(True)
    return out


def main():
    torch.set_num_threads(1)
    with open(sys.argv[1]) as f:
        lines = f.readlines()
    sys.stdout.write('\n'.join(run_batch(lines)) + '\n')


if __name__ == '__main__':
    main()
