"""Golden data for tests/test_lr_scheduler.c: PyTorch 1.13's OneCycleLR, ReduceLROnPlateau,
MultiplicativeLR, ConstantLR, PolynomialLR, CosineAnnealingWarmRestarts and CyclicLR over two param groups (lr 0.1 and 0.05), the lr and momentum (SGD's and
RMSprop's momentum, Adam's beta1) of each group after construction and after each step. Writes
tests/data/lr_scheduler.txt:
    sched <Kind> <Optimizer> key=value ... | lr0,lr1,m0,m1 lr0,lr1,m0,m1 ...
        (lists are comma-separated; ReduceLROnPlateau's metrics=... are the values its steps get)
    overstep <Kind> <Optimizer> key=value ... | <Python exception>   stepping OneCycleLR once too often
    error <Kind> <Optimizer> key=value ... | <Python exception>       a constructor that refuses its options
    chain <Kind> SGD key=value ... | <second> | lr0,lr1,m0,m1 ...   two schedulers on one SGD optimizer,
        both stepped each step (the second LambdaLR(1 - 0.01 epoch) or CosineAnnealingLR(T_max=3)): the
        second's base lrs are the group's initial_lr that the first set, not its lr now
    compose <Sequential|Chained> <n> SGD [milestones=...] | <Kind> SGD key=value ... | (n of them) | records
        SequentialLR or ChainedScheduler over n schedulers made in that order on one SGD optimizer
    compose-error ... | <Python exception>      a composite that refuses its schedulers

Run from the repository root with /usr/bin/python3 tools/gen_lr_scheduler.py.
"""
import torch

S = torch.optim.lr_scheduler
STEPS = 30
METRICS_A = [1.0, 0.9, 0.95, 0.95, 0.91, 0.9, 0.92, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7, 0.75, 0.75, 0.75, 0.75]
METRICS_B = [0.1, 0.2, 0.25, 0.26, 0.3, 0.31, 0.31, 0.5, 0.5, 0.5, 0.55, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]

CASES = [
    ("OneCycleLR", "SGD", dict(max_lr=0.1, total_steps=20)),
    ("OneCycleLR", "Adam", dict(max_lr=0.01, epochs=4, steps_per_epoch=5, anneal_strategy="linear")),
    ("OneCycleLR", "SGD", dict(max_lr=0.3, total_steps=25, pct_start=0.25, three_phase=True, div_factor=10.0,
                               final_div_factor=100.0)),
    ("OneCycleLR", "SGD", dict(max_lr=[0.1, 0.2], total_steps=15, cycle_momentum=False)),
    ("OneCycleLR", "RMSprop", dict(max_lr=0.05, total_steps=12, base_momentum=0.5, max_momentum=0.8,
                                   anneal_strategy="linear", three_phase=True)),
    ("OneCycleLR", "Adam", dict(max_lr=0.02, total_steps=7, pct_start=0.5)),
    ("ReduceLROnPlateau", "SGD", dict(patience=2, metrics=METRICS_A)),
    ("ReduceLROnPlateau", "SGD", dict(mode="max", threshold_mode="abs", threshold=0.02, patience=1, cooldown=2,
                                      factor=0.5, metrics=METRICS_B)),
    ("ReduceLROnPlateau", "Adam", dict(patience=0, factor=0.3, min_lr=[0.01, 0.004], metrics=METRICS_A)),
    ("ReduceLROnPlateau", "SGD", dict(patience=0, factor=0.9, eps=0.006, threshold=0.1, metrics=METRICS_A)),
    ("MultiplicativeLR", "SGD", dict(lr_lambda="0.9")),
    ("MultiplicativeLR", "Adam", dict(lr_lambda="1 - 0.01 * epoch")),
    ("ConstantLR", "SGD", dict()),
    ("ConstantLR", "Adam", dict(factor=0.5, total_iters=3)),
    ("PolynomialLR", "SGD", dict()),
    ("PolynomialLR", "SGD", dict(total_iters=8, power=2.5)),
    ("PolynomialLR", "Adam", dict(total_iters=4, power=0.5)),
    ("CosineAnnealingWarmRestarts", "SGD", dict(T_0=5)),
    ("CosineAnnealingWarmRestarts", "Adam", dict(T_0=3, T_mult=2, eta_min=0.001)),
    ("CyclicLR", "SGD", dict(base_lr=0.01, max_lr=0.1, step_size_up=4)),
    ("CyclicLR", "SGD", dict(base_lr=[0.01, 0.02], max_lr=[0.1, 0.05], step_size_up=3, step_size_down=5,
                             mode="triangular2")),
    ("CyclicLR", "RMSprop", dict(base_lr=0.001, max_lr=0.01, step_size_up=2, mode="exp_range", gamma=0.9,
                                 base_momentum=0.1, max_momentum=0.5)),
    ("CyclicLR", "Adam", dict(base_lr=0.001, max_lr=0.01, step_size_up=5, cycle_momentum=False)),
    ("CyclicLR", "SGD", dict(base_lr=0.01, max_lr=0.1, step_size_up=3, scale_fn="1 / (1 + 0.1 * x)",
                             scale_mode="iterations")),
    ("CyclicLR", "SGD", dict(base_lr=0.01, max_lr=0.1, step_size_up=2, step_size_down=1, scale_fn="0.5 ** x")),
]
ERRORS = [
    ("OneCycleLR", "SGD", dict(max_lr=0.1)),
    ("OneCycleLR", "SGD", dict(max_lr=0.1, total_steps=-3)),
    ("OneCycleLR", "SGD", dict(max_lr=0.1, epochs=0, steps_per_epoch=5)),
    ("OneCycleLR", "SGD", dict(max_lr=0.1, epochs=2, steps_per_epoch=-1)),
    ("OneCycleLR", "SGD", dict(max_lr=0.1, total_steps=10, pct_start=1.5)),
    ("OneCycleLR", "SGD", dict(max_lr=0.1, total_steps=10, anneal_strategy="square")),
    ("OneCycleLR", "Adagrad", dict(max_lr=0.1, total_steps=10)),
    ("ReduceLROnPlateau", "SGD", dict(factor=1.0)),
    ("ReduceLROnPlateau", "SGD", dict(mode="middle")),
    ("ReduceLROnPlateau", "SGD", dict(threshold_mode="relative")),
    ("ConstantLR", "SGD", dict(factor=1.5)),
    ("CosineAnnealingWarmRestarts", "SGD", dict(T_0=0)),
    ("CosineAnnealingWarmRestarts", "SGD", dict(T_0=2, T_mult=0)),
    ("CyclicLR", "SGD", dict(base_lr=0.01, max_lr=0.1, step_size_up=0)),
    ("CyclicLR", "SGD", dict(base_lr=0.01, max_lr=0.1, mode="triangle")),
    ("CyclicLR", "Adam", dict(base_lr=0.01, max_lr=0.1)),
]
# (Sequential or Chained, milestones, [(Kind, options)]): PyTorch's documented examples and more
COMPOSES = [
    ("Sequential", [2], [("ConstantLR", dict(factor=0.1, total_iters=2)), ("ExponentialLR", dict(gamma=0.9))]),
    ("Sequential", [4, 9], [("LinearLR", dict(start_factor=0.25, total_iters=3)), ("CosineAnnealingLR", dict(T_max=5)),
                            ("StepLR", dict(step_size=2, gamma=0.5))]),
    ("Sequential", [3], [("ConstantLR", dict(factor=0.5, total_iters=2)), ("CosineAnnealingWarmRestarts", dict(T_0=3))]),
    ("Sequential", [5], [("PolynomialLR", dict(total_iters=4, power=2.0)), ("MultiStepLR", dict(milestones=[0, 3, 7]))]),
    ("Sequential", [3, 6], [("ExponentialLR", dict(gamma=0.8)), ("LambdaLR", dict(lr_lambda="1 - 0.01 * epoch")),
                            ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=2))]),
    ("Chained", None, [("ConstantLR", dict(factor=0.1, total_iters=2)), ("ExponentialLR", dict(gamma=0.9))]),
    ("Chained", None, [("LinearLR", dict(start_factor=0.5, total_iters=4)),
                       ("MultiStepLR", dict(milestones=[3, 6], gamma=0.5)), ("PolynomialLR", dict(total_iters=8))]),
]
COMPOSE_ERRORS = [
    ("Sequential", [2, 4], [("ConstantLR", dict(factor=0.1, total_iters=2)), ("ExponentialLR", dict(gamma=0.9))]),
    ("Sequential", [], []),
]
OPTIMIZERS = {"SGD": lambda g: torch.optim.SGD(g, lr=0.1, momentum=0.9),
              "Adam": lambda g: torch.optim.Adam(g, lr=0.1),
              "RMSprop": lambda g: torch.optim.RMSprop(g, lr=0.1, momentum=0.3),
              "Adagrad": lambda g: torch.optim.Adagrad(g, lr=0.1)}


def make(kind, optim, opts):
    p, q = torch.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    opt = OPTIMIZERS[optim]([{"params": [p]}, {"params": [q], "lr": 0.05}])
    return opt, make_on(opt, kind, opts)


def make_on(opt, kind, opts):
    kw = {k: v for k, v in opts.items() if k != "metrics"}
    if "lr_lambda" in opts:
        kw["lr_lambda"] = eval("lambda epoch: " + opts["lr_lambda"])
    if "scale_fn" in opts:
        kw["scale_fn"] = eval("lambda x: " + opts["scale_fn"])
    return getattr(S, kind)(opt, **kw)


def record(opt):
    moms = [g["betas"][0] if "betas" in g else g.get("momentum", 0.0) for g in opt.param_groups]
    return ",".join(repr(float(v)) for v in [g["lr"] for g in opt.param_groups] + moms)


def opts_text(opts):
    def text(v):
        if isinstance(v, bool):
            return str(int(v))
        if isinstance(v, list):
            return ",".join(repr(x) for x in v)
        return v.replace(" ", "") if isinstance(v, str) else repr(v)
    return " ".join(f"{k}={text(v)}" for k, v in opts.items())


def main():
    out = ["# tools/gen_lr_scheduler.py: PyTorch " + torch.__version__]
    for kind, optim, opts in CASES:
        opt, sched = make(kind, optim, opts)
        records = [record(opt)]
        steps = len(opts["metrics"]) if "metrics" in opts else opts.get("total_steps", STEPS) if kind == "OneCycleLR" else STEPS
        if kind == "OneCycleLR" and "total_steps" not in opts:
            steps = opts["epochs"] * opts["steps_per_epoch"]
        for i in range(steps):
            opt.step()
            sched.step(opts["metrics"][i]) if "metrics" in opts else sched.step()
            records.append(record(opt))
        line = f"sched {kind} {optim} {opts_text(opts)} | " + " ".join(records)
        out.append(line)
        if kind == "OneCycleLR":
            try:
                sched.step()
                raise SystemExit("no error")
            except ValueError as e:
                out.append(f"overstep {kind} {optim} {opts_text(opts)} | ValueError: {e}")
    chains = [("LinearLR", dict(start_factor=0.5, total_iters=4), "LambdaLR"),
              ("LinearLR", dict(start_factor=0.25, total_iters=3), "CosineAnnealingLR"),
              ("OneCycleLR", dict(max_lr=0.5, total_steps=12), "LambdaLR")]
    for first, first_opts, second in chains:
        p, q = torch.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
        opt = OPTIMIZERS["SGD"]([{"params": [p]}, {"params": [q], "lr": 0.05}])
        s1 = getattr(S, first)(opt, **first_opts)
        s2 = (S.LambdaLR(opt, lambda epoch: 1 - 0.01 * epoch) if second == "LambdaLR"
              else S.CosineAnnealingLR(opt, T_max=3))
        records = [record(opt)]
        for _ in range(10):
            opt.step()
            s1.step()
            s2.step()
            records.append(record(opt))
        out.append(f"chain {first} SGD {opts_text(first_opts)} | {second} | " + " ".join(records))
    for compose, milestones, children in COMPOSES + COMPOSE_ERRORS:
        p, q = torch.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
        opt = OPTIMIZERS["SGD"]([{"params": [p]}, {"params": [q], "lr": 0.05}])
        scheds = [make_on(opt, kind, opts) for kind, opts in children]
        head = f"{compose} {len(children)} SGD" + (f" milestones={','.join(map(str, milestones))}" if milestones else "")
        head += "".join(f" | {kind} SGD {opts_text(opts)}" for kind, opts in children)
        try:
            sched = S.SequentialLR(opt, scheds, milestones) if compose == "Sequential" else S.ChainedScheduler(scheds)
        except (ValueError, IndexError) as e:
            out.append(f"compose-error {head} | {type(e).__name__}: {e}")
            continue
        records = [record(opt)]
        for _ in range(STEPS):
            opt.step()
            sched.step()
            assert sched.get_last_lr() == [g["lr"] for g in opt.param_groups]
            records.append(record(opt))
        out.append(f"compose {head} | " + " ".join(records))
    for kind, optim, opts in ERRORS:
        try:
            make(kind, optim, opts)
            raise SystemExit(f"{kind} {opts} did not fail")
        except (ValueError, ZeroDivisionError) as e:  # cgrad has no ZeroDivisionError: a ValueError
            out.append(f"error {kind} {optim} {opts_text(opts)} | ValueError: {e}")
    with open("tests/data/lr_scheduler.txt", "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
