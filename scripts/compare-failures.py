#!/usr/bin/env python3
"""For every failure in a series run, the same test's result in a base run (the pristine
kernel): the evidence that a known failure is not the series'.

A failure's signature is its first assertion (file, failed expression) and its message,
with decimal numbers and long hex numbers replaced by N (addresses, pids, line numbers
and iteration counts differ
between runs and kernels; the series changes the selftest library, so line numbers
move).  Usage: compare-failures.py SERIES_RUN BASE_RUN   (folders with MODE/tap)
Exit 1 when a failure of the series has no identical failure on the base in that mode.
"""
import os
import re
import sys

series_dir, base_dir = sys.argv[1], sys.argv[2]
START = re.compile(r"^# selftests: (\S+): (\S+)$")
END = re.compile(r"^(ok|not ok) \d+ selftests: (\S+): (\S+)")


def results(run, mode):
    """test -> (status, signature) from one mode's tap."""
    out, body = {}, []
    path = os.path.join(run, mode, "tap")
    if not os.path.exists(path):
        return out
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        if START.match(line):
            body = []
            continue
        m = END.match(line)
        if m:
            status = "skip" if "# SKIP" in line else ("pass" if m.group(1) == "ok" else "fail")
            out[f"{m.group(2)}:{m.group(3)}"] = (status, signature(body))
            body = []
            continue
        body.append(line)
    return out


def signature(body):
    where, msg = None, None
    for i, line in enumerate(body):
        if "==== Test Assertion Failure ====" in line and i + 1 < len(body):
            g = re.match(r"#\s+(\S+?):\d+: (.*)$", body[i + 1])
            where = f"{g.group(1)}: {g.group(2)}" if g else body[i + 1].strip("# ")
            # The message is the first line after the backtrace.
            for l in body[i + 2:]:
                s = l.lstrip("# ").strip()
                if s.startswith("pid=") or re.match(r"^\d+\s", s):
                    continue
                msg = s
                break
            break
    if where is None:
        tail = [l.lstrip("# ").strip() for l in body if l.strip("# ").strip()]
        where = tail[-1] if tail else "(no output)"
    norm = lambda s: re.sub(r"0x[0-9a-f]{5,}|\b\d+\b", "N", s or "")
    return norm(where) + (" | " + norm(msg) if msg else "")


modes = sorted(d for d in os.listdir(series_dir) if os.path.isfile(os.path.join(series_dir, d, "tap")))
bad = 0
for mode in modes:
    s, b = results(series_dir, mode), results(base_dir, mode)
    for test, (status, sig) in s.items():
        if status != "fail":
            continue
        bstatus, bsig = b.get(test, ("not run", ""))
        if bstatus == "fail" and bsig == sig:
            verdict = "identical on the base"
        elif bstatus == "fail":
            verdict = "fails on the base, differently"
            bad += 1
        else:
            verdict = f"base: {bstatus}"
            bad += 1
        print(f"{mode:<11} {test:<24} {verdict}\n    series: {sig}")
        if bsig and bsig != sig:
            print(f"    base:   {bsig}")
print(f"compare-failures: {bad} failure(s) of the series without an identical failure on the base")
sys.exit(1 if bad else 0)
