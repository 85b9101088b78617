"""Compares a cgrad transcript with PyTorch's, statement by statement (see README.md).

compare(expected, got, tolerant) returns None when they agree, else (class, line number,
expected line, got line). Floats must match bit for bit, except in a program that uses an op
whose float results are not bit-identical between libm and PyTorch's SLEEF, or that come from BLAS
kernels chosen per machine (TRANSCENDENTAL):
there 16 ULP, or 1e-5 of the tensor's largest magnitude (for gradients also 16 ULP of 1.0), are
tolerated and reported as 'ulp'.
"""
import re
import struct

# Ops whose float results may differ in the last bits (libm vs SLEEF, fused reductions).
TRANSCENDENTAL = {'exp', 'log', 'log1p', 'sin', 'cos', 'tan', 'tanh', 'sigmoid', 'pow', 'pown', 'rpown',
                  'softmax', 'log_softmax', 'bce', 'ce', 'nll', 'norm', 'var', 'std', 'randn', 'normal_',
                  'jacobian', 'hessian', 'vjp', 'jvp', 'vhp', 'hvp', 'exp_', 'log_', 'log1p_', 'sin_', 'cos_',
                  'tan_', 'tanh_', 'sigmoid_', 'pow_', 'pown_',
                  # BLAS products: PyTorch's bits depend on the OpenBLAS kernels the machine picks
                  'dot', 'mv', 'mm', 'bmm', 'matmul',
                  # nn.functional: libm/SLEEF inside (exp, log, log1p, erf, tanh, sqrt of norms)
                  'erf', 'elu', 'selu', 'celu', 'silu', 'gelu', 'softplus', 'mish', 'logsigmoid', 'softmin', 'glu',
                  'tanhshrink', 'soft_margin', 'multilabel_soft_margin', 'bce_prob', 'kl_div', 'poisson_nll',
                  'gaussian_nll', 'normalize', 'cosine_similarity', 'pairwise_distance', 'triplet_margin',
                  'cosine_embedding', 'sdpa',
                  # and BLAS: convolutions (im2col + gemm), linear layers
                  'conv1d', 'conv2d', 'conv_transpose1d', 'conv_transpose2d', 'linear', 'bilinear',
                  # the norms' backward is composed of cgrad ops: another summation order than ATen's
                  # fused kernels (FINDINGS.md round 10)
                  'layer_norm', 'batch_norm', 'group_norm', 'instance_norm'}
# PyTorch's own internal assertions (FINDINGS.md D62): where PyTorch fails one, any error of cgrad's agrees.
PYTORCH_ASSERTS = ('saved_for INTERNAL ASSERT FAILED at "./torch/csrc/autograd/saved_variable.cpp":146, please report a '
                   'bug to PyTorch. No grad_fn for non-leaf saved tensor',)
GRAD_OPS = {'printgrad', 'grad', 'jacobian', 'hessian', 'vjp', 'jvp', 'vhp', 'hvp'}

DESC = re.compile(r'T (\S+) \[([^\]]*)\] st=\[([^\]]*)\] off=(\d+) rg=(\d) leaf=(\d) fn=(\S+) v=([-\d]+) data=\[([^\]]*)\]')


def tolerant_program(lines):
    return any(len(l.split()) > 1 and l.split()[1] in TRANSCENDENTAL for l in lines)


def _ordered(bits, width):
    sign = 1 << (width - 1)
    return -(bits & (sign - 1)) if bits & sign else bits


def _close(e, g, dtype, scale, floor=False):
    if e == g:
        return True
    if e == 'nan' or g == 'nan' or dtype not in ('float32', 'float64'):
        return False
    width = 32 if dtype == 'float32' else 64
    ei, gi = int(e, 16), int(g, 16)
    if abs(_ordered(ei, width) - _ordered(gi, width)) <= 16:
        return True
    fmt = ('<I', '<f') if width == 32 else ('<Q', '<d')
    ev = struct.unpack(fmt[1], struct.pack(fmt[0], ei))[0]
    gv = struct.unpack(fmt[1], struct.pack(fmt[0], gi))[0]
    if ev in (float('inf'), float('-inf')) or gv in (float('inf'), float('-inf')):
        return False
    # a gradient often cancels O(1) terms (1 - tanh(x)**2, y * (g - sum(g * y))), which magnifies a
    # last-bit difference of libm and SLEEF far beyond the result's own ULP: 16 ULP of 1.0 pass
    if floor and abs(ev - gv) <= 16 * (2.0 ** -23 if width == 32 else 2.0 ** -52):
        return True
    # float32 precision for float64 too: float32 results of libm/SLEEF ops reach float64 through to()
    return abs(ev - gv) <= 1e-5 * scale


def _scale(vals, dtype):
    fmt = ('<I', '<f') if dtype == 'float32' else ('<Q', '<d')
    m = 0.0
    for v in vals:
        if v != 'nan':
            x = abs(struct.unpack(fmt[1], struct.pack(fmt[0], int(v, 16)))[0])
            if x != float('inf'):
                m = max(m, x)
    return m


def compare_desc(e, g, tolerant, is_grad):
    """The class of the first difference between two descriptors, '' if none, 'ulp' if only within tolerance."""
    me, mg = DESC.fullmatch(e), DESC.fullmatch(g)
    if not me or not mg:
        return 'text' if e != g else ''
    de, dg = me.groups(), mg.groups()
    if de[0] != dg[0] or de[1] != dg[1]:
        return 'dtype/shape'
    if de[8] != dg[8]:
        ve, vg = de[8].split(','), dg[8].split(',')
        if not tolerant or len(ve) != len(vg) or de[0] not in ('float32', 'float64'):
            return 'gradient' if is_grad else 'value'
        scale = _scale(ve, de[0])
        if not all(_close(a, b, de[0], scale, is_grad) for a, b in zip(ve, vg)):
            return 'gradient' if is_grad else 'value'
        ulp = True
    else:
        ulp = False
    if de[6] != dg[6]:
        return 'node name'
    if de[4:6] != dg[4:6]:
        return 'autograd flags'
    if de[2:4] != dg[2:4]:
        return 'layout'
    if de[7] != dg[7]:
        return 'version'
    return 'ulp' if ulp else ''


def compare_line(e, g, tolerant, op):
    if e == g:
        return ''
    pe, pg = e.split(': ', 1), g.split(': ', 1)
    if pe[0].endswith('W') or pg[0].endswith('W'):
        return 'warning'
    if pe[0].endswith('H') != pg[0].endswith('H'):
        return 'hook'
    if len(pe) < 2 or len(pg) < 2 or pe[0] != pg[0]:
        return 'statement'
    tag, be, bg = pe[0], pe[1], pg[1]
    ee, eg = be.startswith('err '), bg.startswith('err ')
    if ee and not eg:
        return 'missing error'
    if eg and not ee:
        return 'spurious error'
    if ee and eg:
        te, me = be[4:].split(': ', 1) if ': ' in be else ('', be)
        tg, mg = bg[4:].split(': ', 1) if ': ' in bg else ('', bg)
        if me != mg and not me.startswith(PYTORCH_ASSERTS):
            return 'message'
        return 'error type' if te != tg and tg != '?' else ''  # '?': cgrad gave no kind
    if be == 'undef' or bg == 'undef':
        return 'statement'
    if be.startswith('repr ') or bg.startswith('repr '):
        return 'repr'
    is_grad = tag.endswith('H') or op in GRAD_OPS
    if be.startswith('item ') and bg.startswith('item '):
        return 'ulp' if tolerant and _item_close(be, bg) else 'value'
    if be.startswith('next ') or bg.startswith('next '):
        return 'node name'
    if be.startswith('retains ') or bg.startswith('retains '):
        return 'autograd flags'
    if be.startswith('list ') and bg.startswith('list '):  # copy_to: the values as a descriptor's
        vals = [v for v in be[5:].split(',') if v != 'nan']
        dt = 'float32' if vals and all(len(v) == 8 for v in vals) else \
            'float64' if vals and all(len(v) == 16 for v in vals) else 'int64'
        fake = 'T %s [] st=[] off=0 rg=0 leaf=0 fn=- v=0 data=[%s]'
        return compare_desc(fake % (dt, be[5:]), fake % (dt, bg[5:]), tolerant, False)
    if be.startswith('n=') and bg.startswith('n='):
        ce, cg = be.split(' ', 1), bg.split(' ', 1)
        if ce[0] != cg[0]:
            return 'value'
        be, bg = (ce[1] if len(ce) > 1 else ''), (cg[1] if len(cg) > 1 else '')
    if be.startswith('grad ') and bg.startswith('grad '):
        be, bg, is_grad = be[5:], bg[5:], True
    if tag.endswith('H'):
        be, bg = be.split(' ', 1)[1], bg.split(' ', 1)[1]
    if be.startswith('fn') and bg.startswith('fn'):  # the functional API: fn OUTS || RESULTS
        de, dg = ([d for d in re.split(r' (?=T |None)', x[2:].replace(' ||', '')) if d] for x in (be, bg))
    else:
        de, dg = be.split(' | '), bg.split(' | ')
    if len(de) != len(dg):
        return 'text'
    worst = ''
    for a, b in zip(de, dg):
        if a == b:
            continue
        if a == 'None' or b == 'None':
            return 'gradient' if is_grad else 'text'
        c = compare_desc(a, b, tolerant, is_grad)
        if c and c != 'ulp':
            return c
        worst = worst or c
    return worst


def _item_close(a, b):
    a, b = a.split()[1], b.split()[1]
    return _close(a, b, 'float64', abs(struct.unpack('<d', struct.pack('<Q', int(a, 16)))[0]) if a != 'nan' else 0) \
        if a != 'nan' and b != 'nan' else a == b


def statement_ops(lines):
    """The op of each program line, by statement number."""
    return [l.split()[1] for l in lines if l.strip() and not l.startswith('#')]


def compare(expected, got, prog_lines, tolerant=None):
    """First difference between the transcripts of one program: (class, index, e, g) or None;
    ('ulp', ...) when every difference is within the tolerance."""
    if tolerant is None:
        tolerant = tolerant_program(prog_lines)
    ops = statement_ops(prog_lines)
    ulp = None
    for i in range(max(len(expected), len(got))):
        e = expected[i] if i < len(expected) else '<end>'
        g = got[i] if i < len(got) else '<end>'
        if e == g:
            continue
        if g == '<end>' or e == '<end>':  # a dead interpreter is found by run_cgrad, not here
            c = 'warning' if g.split(':', 1)[0].endswith('W') or e.split(':', 1)[0].endswith('W') else 'statement'
            return (c, i, e, g)
        k = e.split(':', 1)[0].rstrip('HW')
        op = ops[int(k)] if k.isdigit() and int(k) < len(ops) else ''
        c = compare_line(e, g, tolerant, op)
        if c == 'ulp':
            ulp = ulp or ('ulp', i, e, g)
        elif c:
            return (c, i, e, g)
    return ulp
