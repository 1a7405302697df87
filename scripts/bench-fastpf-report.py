#!/usr/bin/env python3
"""Turn the dirty_log_perf_test logs of `make bench-fastpf` (scripts/bench.sh with SWITCH)
into runs.csv and table.txt in the same directory: per MMU mode, setup, vCPU count and
write share, the iteration-1 write faults that KVM fixed under mmu_lock (slow) and without
it (fast) with the switched parameter off and on, and iteration times as ratios of runs of
the same boot.  Usage: bench-fastpf-report.py BENCH_DIR PARAM
"""
import csv
import importlib.util
import os
import re
import sys

_spec = importlib.util.spec_from_file_location(
    "bench_report", os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench-report.py"))
bench_report = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_report)
parse, spread = bench_report.parse, bench_report.spread

LABELS = {
    "direct": "guest maps 2M (direct SPs)",
    "direct4k": "guest maps 4K (indirect SPs)",
    "nested": "L1 maps L2 2M (direct SPs)",
    "nested4k": "L1 maps L2 4K (indirect SPs)",
}
LOG = re.compile(r"^(?P<setup>[a-z0-9]+?)(-v(?P<v>\d+))?-w(?P<w>\d+)-e(?P<e>[01])-r(?P<r>\d+)\.log$")


def main():
    d, param = sys.argv[1], sys.argv[2]
    runs = []
    for mode in sorted(os.listdir(d)):
        if not os.path.isdir(os.path.join(d, mode)):
            continue
        for name in sorted(os.listdir(os.path.join(d, mode))):
            m = LOG.match(name)
            if not m:
                continue
            r = parse(os.path.join(d, mode, name))
            r.update(mode=mode, setup=m["setup"], vcpus=int(m["v"] or 1), write_pct=int(m["w"]),
                     on=int(m["e"]), rep=int(m["r"]))
            runs.append(r)
    if not runs:
        print("bench-fastpf-report: no runs in " + d, file=sys.stderr)
        return 1
    keys = ["mode", "setup", "vcpus", "write_pct", "on", "rep", "it1_taken", "it1_slow", "it1_fast",
            "it1_dirty_s", "it2_dirty_s", "it2_taken", "it2_slow", "it2_fast"]
    with open(os.path.join(d, "runs.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, keys, extrasaction="ignore")
        w.writeheader()
        w.writerows(runs)

    status = 0
    groups = sorted({(r["mode"], r["setup"], r["vcpus"], r["write_pct"]) for r in runs},
                    key=lambda g: (g[0], g[1], g[2], -g[3]))
    out = [f"dirty_log_perf_test, kvm.{param} off and on in one boot per mode: iteration 1 "
           "(the first pass after enabling dirty logging) and 2; median [min-max] over repeats",
           "",
           f"{'mode':10} {'setup':30} {'vCPUs':>5} {'writes':>6} | {'slow off':>14} {'slow on':>14} "
           f"{'fast on':>14} | {'slow on/off':>11} | {'it1 time off/on':>16} {'it2 time off/on':>16}"]
    out.append("-" * len(out[-1]))
    for g in groups:
        off = {r["rep"]: r for r in runs if (r["mode"], r["setup"], r["vcpus"], r["write_pct"]) == g and not r["on"]}
        on = {r["rep"]: r for r in runs if (r["mode"], r["setup"], r["vcpus"], r["write_pct"]) == g and r["on"]}
        reps = sorted(set(off) & set(on))
        if not reps or any("it1_slow" not in off[i] or "it1_slow" not in on[i] for i in reps):
            out.append(f"{g[0]:10} {LABELS.get(g[1], g[1]):30} {g[2]:>5} {g[3]:>5}% | incomplete run")
            status = 1
            continue
        slow_off = [off[i]["it1_slow"] for i in reps]
        slow_on = [on[i]["it1_slow"] for i in reps]
        fast_on = [on[i]["it1_fast"] for i in reps]
        share = [on[i]["it1_slow"] / off[i]["it1_slow"] for i in reps if off[i]["it1_slow"]]
        t1 = [off[i]["it1_dirty_s"] / on[i]["it1_dirty_s"] for i in reps
              if on[i].get("it1_dirty_s") and "it1_dirty_s" in off[i]]
        t2 = [off[i]["it2_dirty_s"] / on[i]["it2_dirty_s"] for i in reps
              if on[i].get("it2_dirty_s") and "it2_dirty_s" in off[i]]
        out.append(f"{g[0]:10} {LABELS.get(g[1], g[1]):30} {g[2]:>5} {g[3]:>5}% | "
                   f"{spread(slow_off, '%d'):>14} {spread(slow_on, '%d'):>14} {spread(fast_on, '%d'):>14} | "
                   f"{spread(share, '%.3f'):>11} | {spread(t1, '%.2f'):>16} {spread(t2, '%.2f'):>16}")
    out += ["", "slow = write faults fixed under mmu_lock (pf_fixed), fast = without it (pf_fast).",
            "Goal: with 2M guest (or L1) mappings and 100% writes, slow on/off under 0.01."]
    text = "\n".join(out) + "\n"
    with open(os.path.join(d, "table.txt"), "w") as f:
        f.write(text)
    sys.stdout.write(text)
    return status


if __name__ == "__main__":
    sys.exit(main())
