#!/usr/bin/env python3
"""Tabulate the matrix from each mode's kselftest TAP.

Usage: summarize.py RESULTS_DIR KNOWN_FAILURES MODE...

The tests of each mode are listed in RESULTS_DIR/MODE.tests (written by check.sh).
A listed test that has no TAP line in a mode (guest died, runner stopped) is a failure.
A failure on the known-failure list for that mode is reported as "known", not as a pass and
not as a failure; a known failure that passes is reported so the list can be pruned.
Exit 1 on any unexpected failure.
"""
import fnmatch
import os
import re
import sys

outdir, known_path, modes = sys.argv[1], sys.argv[2], sys.argv[3:]
mode_tests = {}
tests = []
for m in modes:
    mode_tests[m] = open(os.path.join(outdir, m + ".tests")).read().split()
    tests += [t for t in mode_tests[m] if t not in tests]

known = []  # (mode glob, test, reason)
if os.path.exists(known_path):
    for line in open(known_path):
        line = line.split("#", 1)[0].strip()
        if line:
            mode, test, *reason = line.split(None, 2)
            known.append((mode, test, reason[0] if reason else ""))


def is_known(mode, test):
    return any(fnmatch.fnmatch(mode, m) and t == test for m, t, _ in known)


tap_re = re.compile(r"^(ok|not ok) \d+ selftests: (\S+): (\S+)(.*)$")
res = {}  # (mode, test) -> PASS/FAIL/SKIP/TIMEOUT/MISSING
for m in modes:
    tap = os.path.join(outdir, m, "tap")
    lines = open(tap).read().splitlines() if os.path.exists(tap) else []
    for line in lines:
        g = tap_re.match(line)
        if not g:
            continue
        ok, coll, name, rest = g.groups()
        t = f"{coll}:{name}"
        if ok == "ok":
            res[(m, t)] = "SKIP" if "# SKIP" in rest else "PASS"
        else:
            res[(m, t)] = "TIMEOUT" if "TIMEOUT" in rest else "FAIL"

counts = dict(passed=0, failed=0, skipped=0, known=0)
width = max(len(t) for t in tests) if tests else 10
print(f"{'test':<{width}}  " + "  ".join(f"{m:<10}" for m in modes))
unexpected, xpass = [], []
for t in tests:
    row = []
    for m in modes:
        if t not in mode_tests[m]:
            row.append(f"{'-':<10}")
            continue
        r = res.get((m, t), "MISSING")
        if r == "PASS":
            counts["passed"] += 1
            if is_known(m, t):
                xpass.append(f"{m} {t}")
        elif r == "SKIP":
            counts["skipped"] += 1
        elif is_known(m, t):
            counts["known"] += 1
            r = "known-" + r
        else:
            counts["failed"] += 1
            unexpected.append(f"{m} {t} {r}")
        row.append(f"{r:<10}")
    print(f"{t:<{width}}  " + "  ".join(row))
for m in modes:
    path = os.path.join(outdir, m, "run-errors")
    errs = open(path).read().splitlines() if os.path.exists(path) else ["no record of the run"]
    for e in errs:
        counts["failed"] += 1
        unexpected.append(f"{m} run: {e}")
for u in unexpected:
    print(f"UNEXPECTED: {u}")
for x in xpass:
    print(f"known failure passed this time: {x}")
if counts["known"]:
    print(f"known failures (tests/known-failures, not counted as passed): {counts['known']}")
print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
sys.exit(1 if counts["failed"] else 0)
