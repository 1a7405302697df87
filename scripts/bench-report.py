#!/usr/bin/env python3
"""Turn the dirty_log_perf_test logs of scripts/bench.sh into runs.csv, table.txt and
bench.png in the same directory.

Fault counts come from KVM's statistics and are exact; times are compared only as ratios
between runs of the same boot.  Usage: bench-report.py BENCH_DIR
"""
import csv
import os
import re
import statistics
import sys

SETUPS = [  # (boot dir, setup, label)
    ("npt1-tdp0", "direct", "direct pages (npt=1 tdp_mmu=0)"),
    ("npt1-tdp0", "nested", "nested NPT (L2, npt=1 tdp_mmu=0)"),
    ("npt0", "direct", "shadow paging (npt=0)"),
    ("ept1-tdp0", "direct", "Intel direct pages, PML (ept=1)"),
    ("ept1-pml0", "direct", "Intel direct pages, no PML (pml=0)"),
]
WRITES = [100, 50, 5]

TIME = re.compile(r"^(Populate memory|Enabling dirty logging|Disabling dirty logging) time: ([\d.]+)s")
ITER_TIME = re.compile(r"^Iteration (\d+) (dirty memory|get dirty log) time: ([\d.]+)s")
FAULTS = re.compile(r"^(Populate memory|Iteration (\d+)) faults: taken (\d+), slow-path fixed (\d+), "
                    r"fast-path fixed (\d+), huge pages broken (\d+)")
MAPS = re.compile(r"^(Before|After) enabling dirty logging mappings: 4K (\d+), 2M (\d+)")
DIRTY = re.compile(r"^Iteration (\d+) dirty pages: (\d+)")


def parse(path):
    r = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            m = TIME.match(line)
            if m:
                r[{"Populate memory": "populate_s", "Enabling dirty logging": "enable_s",
                   "Disabling dirty logging": "disable_s"}[m.group(1)]] = float(m.group(2))
                continue
            m = ITER_TIME.match(line)
            if m:
                key = "dirty_s" if m.group(2) == "dirty memory" else "getlog_s"
                r[f"it{m.group(1)}_{key}"] = float(m.group(3))
                continue
            m = FAULTS.match(line)
            if m:
                p = f"it{m.group(2)}" if m.group(2) else "populate"
                for k, v in zip(("taken", "slow", "fast", "huge_broken"), m.groups()[2:]):
                    r[f"{p}_{k}"] = int(v)
                continue
            m = MAPS.match(line)
            if m:
                p = m.group(1).lower()
                r[f"{p}_4k"], r[f"{p}_2m"] = int(m.group(2)), int(m.group(3))
                continue
            m = DIRTY.match(line)
            if m:
                r[f"it{m.group(1)}_dirty_pages"] = int(m.group(2))
    return r


def spread(vals, fmt):
    if not vals:
        return "-"
    if len(vals) == 1 or min(vals) == max(vals):
        return fmt % vals[0]
    return (fmt % statistics.median(vals)) + " [" + (fmt % min(vals)) + "-" + (fmt % max(vals)) + "]"


def main():
    d = sys.argv[1]
    status = 0
    runs, missing = [], []
    for boot, setup, label in SETUPS:
        for w in WRITES:
            for e in (0, 1):
                rep = 1
                while True:
                    p = os.path.join(d, boot, f"{setup}-w{w}-e{e}-r{rep}.log")
                    if not os.path.exists(p):
                        break
                    r = parse(p)
                    if "it1_dirty_s" not in r or "it1_taken" not in r:
                        missing.append(p)
                    else:
                        r.update(setup=label, write_pct=w, eager=e, rep=rep)
                        runs.append(r)
                    rep += 1
    if missing:
        print("bench-report: incomplete logs: " + ", ".join(missing), file=sys.stderr)
        status = 1
    if not runs:
        print("bench-report: no results in " + d, file=sys.stderr)
        return 1

    keys = ["setup", "write_pct", "eager", "rep"] + sorted({k for r in runs for k in r} -
                                                           {"setup", "write_pct", "eager", "rep"})
    with open(os.path.join(d, "runs.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(runs)

    def sel(label, wpct, e):
        return [r for r in runs if r["setup"] == label and r["write_pct"] == wpct and r["eager"] == e]

    def pair(label, wpct):
        """Runs with eager off and on that ran back to back (same repetition)."""
        off = {r["rep"]: r for r in sel(label, wpct, 0)}
        on = {r["rep"]: r for r in sel(label, wpct, 1)}
        return [(off[k], on[k]) for k in sorted(off) if k in on]

    out = []
    out.append("Iteration 1 = the first pass over memory after dirty logging was enabled.")
    out.append("Faults are KVM's counts (exact); times are median [min-max] over repetitions.")
    out.append("")
    hdr = (f"{'setup':34} {'wr%':>4} {'eager':>5} | {'enable s':>22} | {'iter 1 s':>22} | {'iter 2 s':>22} | "
           f"{'it1 faults':>10} {'slow':>7} {'fast':>7} {'huge brk':>8} | {'2M before->after enable':>24}")
    out.append(hdr)
    out.append("-" * len(hdr))
    for _, _, label in SETUPS:
        for wpct in WRITES:
            for e in (0, 1):
                rs = sel(label, wpct, e)
                if not rs:
                    continue
                g = lambda k: [r[k] for r in rs if k in r]
                maps = sorted({f"{r.get('before_2m', '?')}->{r.get('after_2m', '?')}" for r in rs})
                out.append(f"{label:34} {wpct:>4} {'on' if e else 'off':>5} | "
                           f"{spread(g('enable_s'), '%.3f'):>22} | {spread(g('it1_dirty_s'), '%.3f'):>22} | "
                           f"{spread(g('it2_dirty_s'), '%.3f'):>22} | "
                           f"{spread(g('it1_taken'), '%d'):>10} {spread(g('it1_slow'), '%d'):>7} "
                           f"{spread(g('it1_fast'), '%d'):>7} {spread(g('it1_huge_broken'), '%d'):>8} | "
                           f"{','.join(maps):>24}")
        out.append("")

    out.append("Targets (per repetition, eager off and on run back to back in one boot):")
    verdicts = []
    for _, _, label in SETUPS:
        for wpct in WRITES:
            ps = pair(label, wpct)
            if not ps:
                continue
            broken = [on["it1_huge_broken"] for _, on in ps]
            it_ratio = [on["it1_dirty_s"] / on["it2_dirty_s"] for _, on in ps if on.get("it2_dirty_s")]
            f_ratio = [off["it1_taken"] / max(on["it1_taken"], 1) for off, on in ps]
            t_ratio = [off["it1_dirty_s"] / on["it1_dirty_s"] for off, on in ps]
            cost = [on["enable_s"] - off["enable_s"] for off, on in ps]
            saved = [off["it1_dirty_s"] - on["it1_dirty_s"] for off, on in ps]
            cost_share = [c / s for c, s in zip(cost, saved) if s > 0]
            v = [
                ("iter-1 huge pages broken with eager on = 0", max(broken) == 0, spread(broken, "%d")),
                ("iter-1 time / iter-2 time with eager on <= 1.2", bool(it_ratio) and max(it_ratio) <= 1.2,
                 spread(it_ratio, "%.2f")),
                ("iter-1 time eager off / on", None, spread(t_ratio, "%.2f")),
                ("iter-1 faults eager off / on" + (" >= 5" if wpct == 5 else ""),
                 (min(f_ratio) >= 5) if wpct == 5 else None, spread(f_ratio, "%.1f")),
                ("split cost at enable / iter-1 time saved <= 0.5",
                 bool(cost_share) and len(cost_share) == len(ps) and max(cost_share) <= 0.5,
                 spread(cost_share, "%.2f") if len(cost_share) == len(ps) else
                 "cost %s s, saved %s s" % (spread(cost, "%.3f"), spread(saved, "%.3f"))),
            ]
            for name, ok, val in v:
                mark = "" if ok is None else ("met" if ok else "NOT MET")
                out.append(f"  {label:34} {wpct:>3}%  {name:50} {val:>22}  {mark}")
                if ok is not None:
                    verdicts.append(ok)
        out.append("")
    out.append(f"{sum(verdicts)} of {len(verdicts)} targets met.")
    text = "\n".join(out) + "\n"
    with open(os.path.join(d, "table.txt"), "w") as f:
        f.write(text)
    sys.stdout.write(text)

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench-report: no matplotlib, no plot", file=sys.stderr)
        return status
    # Only the setups and write shares that ran (SETUPS= and WRITES= of bench.sh).
    setups = [s for s in SETUPS if any(r["setup"] == s[2] for r in runs)]
    writes = [w for w in WRITES if any(r["write_pct"] == w for r in runs)]
    fig, axes = plt.subplots(2, len(setups), figsize=(5 * len(setups), 8), squeeze=False)
    for col, (_, _, label) in enumerate(setups):
        for row, (key, ylabel, log) in enumerate((("it1_dirty_s", "iteration 1 time (s)", False),
                                                  ("it1_taken", "iteration 1 KVM page faults", True))):
            ax = axes[row][col]
            x = range(len(writes))
            for i, e in enumerate((0, 1)):
                med, lo, hi = [], [], []
                for wpct in writes:
                    v = [r[key] for r in sel(label, wpct, e) if key in r] or [0]
                    m = statistics.median(v)
                    med.append(m)
                    lo.append(m - min(v))
                    hi.append(max(v) - m)
                ax.bar([p + (i - 0.5) * 0.38 for p in x], med, 0.38, yerr=[lo, hi], capsize=3,
                       label=f"eager_page_split={e}", color=("#c0504d", "#4f81bd")[i])
            ax.set_xticks(list(x))
            ax.set_xticklabels([f"{w}% writes" for w in writes])
            ax.set_ylabel(ylabel)
            if log:
                ax.set_yscale("log")
                ax.set_ylim(bottom=100)
            if row == 0:
                ax.set_title(label, fontsize=10)
            ax.legend(fontsize=8)
    fig.suptitle("dirty_log_perf_test, 2M hugetlbfs memory: first pass after enabling dirty logging "
                 "(median, min-max)", fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(d, "bench.png"), dpi=90)
    return status


if __name__ == "__main__":
    sys.exit(main())
