#!/usr/bin/python3
"""A differential-testing campaign: random programs run in PyTorch and in cgrad, compared.

  nice -n 10 /usr/bin/python3 tools/difftest/campaign.py --seed 1 --count 20000 --out /tmp/dt

generates COUNT programs from SEED (tools/difftest/gen.py), runs them in batches through PyTorch
and through build/tools/difftest (make difftest), compares the transcripts
(tools/difftest/compare.py; gen.py and the PyTorch side run in child processes, so a PyTorch
crash costs one program), minimizes one failing program per kind of failure (delta debugging:
drop statements while it still fails the same way) and writes OUT/summary.txt and
OUT/failures/*.prog with both transcripts.

  --corpus DIR N    also writes N of the passing programs to DIR as regression tests:
                    seedS.prog and PyTorch's transcript seedS.expected
  --programs FILE   runs the programs of a batch file instead of generating them (say the open
                    findings, tools/difftest/open.prog); OUT/still_failing.prog gets the others,
                    and with --corpus DIR N the passing ones go to DIR/fixed_NAME.prog
"""
import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402
import run_torch  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_BINARY = os.path.join(ROOT, 'build/tools/difftest')


def split_transcript(lines):
    """{program number: its lines} of a transcript."""
    out, cur = {}, None
    for line in lines:
        if line.startswith('#prog'):
            cur = int(line.split()[1])
            out[cur] = []
        elif cur is not None and line:
            out[cur].append(line)
    return out


def batch_text(progs):
    return ''.join('#prog %d\n' % i + ''.join(l + '\n' for l in lines) for i, lines in progs)


def run_torch_progs(progs):
    lines = run_torch.run_batch(batch_text(progs).splitlines(True))
    return split_transcript(lines)


def generate_batch(seed, n, first):
    """gen.py's programs first..first+n-1, made in a child process: a PyTorch crash (PyTorch 1.13
    has memory bugs a random program can reach) loses only the program that crashed, whose number
    goes to the second list."""
    progs, crashed = [], []
    while n > 0:
        p = subprocess.run(['/usr/bin/python3', os.path.join(ROOT, 'tools/difftest/gen.py'), str(seed), str(n),
                            str(first)], capture_output=True, text=True)
        part = sorted(split_transcript(p.stdout.splitlines()).items())
        progs += part
        done = part[-1][0] + 1 if part else first
        if p.returncode == 0:
            break
        crashed.append(done)
        n -= done + 1 - first
        first = done + 1
    return progs, crashed


def run_torch_batch(progs):
    """PyTorch's transcripts, from a child process, and the programs PyTorch itself died on (its
    memory bugs): after a crash the batch runs again one program at a time, so one costs only itself."""
    got = run_torch_batch_plain(progs)
    if got is not None:
        return got, []
    got, crashed = {}, []
    for prog in progs:
        one = run_torch_batch_plain([prog])
        if one is None:
            crashed.append(prog[0])
        else:
            got.update(one)
    return got, crashed


def run_torch_batch_plain(progs):
    """PyTorch's transcripts of progs, or None when the child process died."""
    with tempfile.NamedTemporaryFile('w', suffix='.batch', delete=False) as f:
        f.write(batch_text(progs))
    try:
        p = subprocess.run(['/usr/bin/python3', os.path.join(ROOT, 'tools/difftest/run_torch.py'), f.name],
                           capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    return split_transcript(p.stdout.splitlines()) if p.returncode == 0 else None


def run_cgrad(binary, progs, timeout=120):
    """{program: transcript lines} from cgrad, and {program: 'crash ...' | 'timeout'} for the
    programs that killed the interpreter (it is restarted after each)."""
    got, dead = {}, {}
    todo = list(progs)
    while todo:
        with tempfile.NamedTemporaryFile('w', suffix='.batch', delete=False) as f:
            f.write(batch_text(todo))
            path = f.name
        try:
            p = subprocess.run([binary, path], capture_output=True, text=True, timeout=timeout,
                               errors='replace')
            out, rc, err = p.stdout, p.returncode, p.stderr
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode(errors='replace') if isinstance(e.stdout, bytes) else (e.stdout or '')
            rc, err = 'timeout', ''
        finally:
            os.unlink(path)
        part = split_transcript(out.splitlines())
        got.update(part)
        if rc == 0:
            break
        last = max(part) if part else todo[0][0]
        why = [l for l in err.splitlines() if 'ERROR: AddressSanitizer' in l or 'runtime error' in l]
        dead[last] = 'timeout' if rc == 'timeout' else 'crash (exit %s) %s' % (rc, (why or err.strip().splitlines()[-1:] or [''])[0])
        todo = [(i, l) for i, l in todo if i > last]
    return got, dead


def check(binary, prog):
    """The first difference of one program (number, lines), or None."""
    i, lines = prog
    exp = run_torch_progs([prog]).get(i, [])
    got, dead = run_cgrad(binary, [prog], timeout=30)
    if i in dead:
        return ('crash' if dead[i].startswith('crash') else 'timeout', -1, dead[i], '')
    return compare.compare(exp, got.get(i, []), lines)


def minimize(binary, prog, cls):
    """Drops statements (chunks, then one at a time) while the program still fails with cls."""
    i, lines = prog
    same = lambda ls: (lambda r: r is not None and r[0] == cls)(check(binary, (i, ls)))
    # cut everything after the failing statement first
    r = check(binary, prog)
    if r and r[0] not in ('crash', 'timeout') and r[1] >= 0:
        k = r[2].split(':', 1)[0].rstrip('HW')
        if k.isdigit() and same(lines[:int(k) + 1]):
            lines = lines[:int(k) + 1]
    n = 2
    while len(lines) > 1:
        chunk = max(1, len(lines) // n)
        removed = False
        for s in range(len(lines) - chunk, -1, -chunk):
            cand = lines[:s] + lines[s + chunk:]
            if cand and same(cand):
                lines = cand
                removed = True
        if not removed:
            if chunk == 1:
                break
            n *= 2
    return lines


def signature(result, lines):
    cls, idx, e, g = result
    op = ''
    k = e.split(':', 1)[0].rstrip('HW') if cls not in ('crash', 'timeout') else ''
    ops = compare.statement_ops(lines)
    if k.isdigit() and int(k) < len(ops):
        op = ops[int(k)]
    msg = ''
    if cls in ('message', 'missing error', 'spurious error', 'warning'):
        msg = (e if 'err' in e or cls == 'warning' else g).split(': ', 2)[-1]
        msg = re.sub(r'[0-9]+', 'N', re.sub(r'dtype (long int|float|double|bool)', 'dtype D', msg))[:60]
    return '%s | %s | %s' % (cls, op, msg)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=1000)
    ap.add_argument('--first', type=int, default=0)
    ap.add_argument('--batch', type=int, default=250)
    ap.add_argument('--out', default='/tmp/difftest')
    ap.add_argument('--binary', default=DEFAULT_BINARY,
                    help='the interpreter, e.g. an ASan build: make BUILD=build-asan CFLAGS=... difftest')
    ap.add_argument('--no-minimize', action='store_true')
    ap.add_argument('--corpus', nargs=2, metavar=('DIR', 'N'))
    ap.add_argument('--programs', metavar='FILE')
    args = ap.parse_args()
    os.environ.setdefault('ASAN_OPTIONS', 'detect_leaks=0')  # leaks: valgrind on the corpus
    os.makedirs(os.path.join(args.out, 'failures'), exist_ok=True)
    counts = collections.Counter()
    sigs = collections.OrderedDict()
    opcount = collections.Counter()
    passing = []
    t0 = time.time()
    done = 0
    if args.programs:
        text = open(args.programs).read()
        given = sorted(split_transcript(text.splitlines()).items())
        args.first, args.count = 0, len(given)
    for first in range(args.first, args.first + args.count, args.batch):
        n = min(args.batch, args.first + args.count - first)
        if args.programs:
            progs = given[first:first + n]
        else:
            progs, crashed = generate_batch(args.seed, n, first)
            if crashed:
                counts['pytorch crash'] += len(crashed)
                sigs.setdefault('pytorch crash | gen.py %d COUNT FIRST |' % args.seed, []).extend(
                    (i, ['# PyTorch crashed while gen.py made program %d' % i], ('pytorch crash', -1, '', ''))
                    for i in crashed)
        for _, lines in progs:
            opcount.update(compare.statement_ops(lines))
        exp, torch_crashed = run_torch_batch(progs)
        got, dead = run_cgrad(args.binary, progs)
        for i, lines in progs:
            if i in torch_crashed:  # PyTorch's own crash: left out, as gen.py's
                counts['pytorch crash'] += 1
                sigs.setdefault('pytorch crash | run_torch.py |', []).append(
                    (i, lines, ('pytorch crash', -1, '', '')))
                continue
            if i in dead:
                r = ('crash' if dead[i].startswith('crash') else 'timeout', -1, dead[i], '')
            else:
                r = compare.compare(exp.get(i, []), got.get(i, []), lines)
            cls = r[0] if r else 'ok'
            counts[cls] += 1
            if cls in ('ok', 'ulp'):
                passing.append((i, lines))
                continue
            sig = signature(r, lines)
            sigs.setdefault(sig, []).append((i, lines, r))
        done += n
        sys.stderr.write('%d programs, %.0fs: %s\n' % (done, time.time() - t0, dict(counts)))
    if args.programs:
        failing = [(i, lines) for items in sigs.values() for i, lines, _ in items]
        with open(os.path.join(args.out, 'still_failing.prog'), 'w') as f:
            f.write(batch_text(sorted(failing)))
    write_summary(args, counts, sigs, opcount, done, time.time() - t0)
    if args.corpus:
        name = 'fixed_' + os.path.splitext(os.path.basename(args.programs))[0] if args.programs else 'seed%d' % args.seed
        write_corpus(args.corpus[0], int(args.corpus[1]), passing, name, args.binary)


def write_summary(args, counts, sigs, opcount, done, secs):
    fails = os.path.join(args.out, 'failures')
    with open(os.path.join(args.out, 'summary.txt'), 'w') as f:
        f.write('campaign: seed %d, programs %d..%d (%d), %.0f s\n' % (args.seed, args.first, args.first + done - 1,
                                                                    done, secs))
        f.write('command: nice -n 10 /usr/bin/python3 tools/difftest/campaign.py --seed %d --first %d --count %d%s\n\n'
                % (args.seed, args.first, done, ' --binary ' + args.binary if args.binary != DEFAULT_BINARY else ''))
        f.write('programs per class:\n')
        for cls, n in counts.most_common():
            f.write('  %-16s %d\n' % (cls, n))
        f.write('\nops covered (%d): %s\n\n' % (len(opcount), ' '.join('%s:%d' % kv for kv in sorted(opcount.items()))))
        f.write('failures by signature (class | op | message):\n')
        for k, (sig, items) in enumerate(sorted(sigs.items(), key=lambda kv: -len(kv[1]))):
            i, lines, r = min(items, key=lambda it: len(it[1]))
            if not args.no_minimize and k < 80 and r[0] != 'pytorch crash':
                lines = minimize(args.binary, (i, lines), r[0])
                r = check(args.binary, (i, lines)) or r
            name = 'f%03d' % k
            with open(os.path.join(fails, name + '.prog'), 'w') as p:
                p.write('#prog %d\n' % i + ''.join(l + '\n' for l in lines))
            f.write('\n[%s] %d programs: %s\n' % (name, len(items), sig))
            f.write('  program (seed %d, #%d, minimized):\n' % (args.seed, i))
            f.write(''.join('    ' + l + '\n' for l in lines))
            if r[0] in ('crash', 'timeout'):
                f.write('  cgrad:   %s\n' % r[2][:400])
            else:
                f.write('  pytorch: %s\n  cgrad:   %s\n' % (r[2][:400], r[3][:400]))
    sys.stderr.write(open(os.path.join(args.out, 'summary.txt')).read()[:3000])


def valgrind_clean(binary, prog):
    with tempfile.NamedTemporaryFile('w', suffix='.batch', delete=False) as f:
        f.write(batch_text([prog]))
    try:
        r = subprocess.run(['valgrind', '-q', '--error-exitcode=99', '--leak-check=full', binary, f.name],
                           capture_output=True, timeout=120)
        return r.returncode == 0
    finally:
        os.unlink(f.name)


def is_fixed_corpus(name):
    return os.path.basename(name).startswith('fixed_')


def write_corpus(directory, n, passing, name, binary):
    """Regression programs, spread over the passing ones that valgrind finds clean, with PyTorch's transcripts."""
    os.makedirs(directory, exist_ok=True)
    step = max(1, len(passing) // max(2 * n, 1))
    chosen = []
    for prog in passing[::step]:
        if len(chosen) == n:
            break
        if valgrind_clean(binary, prog):
            chosen.append(prog)
        else:
            sys.stderr.write('corpus: program %d is not valgrind-clean, left out\n' % prog[0])
    name = os.path.join(directory, name)
    if is_fixed_corpus(name) and os.path.exists(name + '.prog'):  # fixed_*: the earlier fixes stay
        earlier = sorted(split_transcript(open(name + '.prog').read().splitlines()).items())
        chosen = earlier + [p for p in chosen if p[0] not in dict(earlier)]
    with open(name + '.prog', 'w') as f:
        f.write(batch_text(chosen))
    # PyTorch's transcript from a fresh process, as the test runs the corpus in one
    exp = subprocess.run(['/usr/bin/python3', os.path.join(ROOT, 'tools/difftest/run_torch.py'), name + '.prog'],
                         capture_output=True, text=True, check=True).stdout
    with open(name + '.expected', 'w') as f:
        f.write(exp)


if __name__ == '__main__':
    main()
