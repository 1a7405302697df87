#!/usr/bin/env python3
"""List every results/ folder or file that README.md, docs/ and the cover letters cite,
with the series and base it was measured on (its provenance file), and fail when a result
is cited as the current series' without having been measured on it.

The current series is patches/series as shipped, named by scripts/lib.sh's
series_id_of_patches (the sha1 of its patch-ids: the same on every machine).  A cited
result is current when the nearest provenance file above it names that series; results of
the pristine base ("series: pristine") are the base's, never the series'.  Any other
citation must say on its line which series it measured: "(series ID)" with the id of its
provenance, or "(earlier series)" for results measured before provenance was recorded.
A cited path that does not exist is an error too.

Usage: results-check.py [TOP]      exit 0 when every citation holds
"""
import glob
import os
import re
import subprocess
import sys

top = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
os.chdir(top)
current = subprocess.run(["bash", "-c", ". scripts/lib.sh && series_id_of_patches"],
                         capture_output=True, text=True, check=True).stdout.strip()

docs = ["README.md"] + sorted(glob.glob("docs/*.md")) + sorted(glob.glob("patches/**/0000-cover-letter.patch",
                                                                     recursive=True))
cite = re.compile(r"(?<![\w/.])results/[A-Za-z0-9_.+/-]*[A-Za-z0-9_+/-]")


def provenance(path):
    """The provenance file that covers path: in it, or in the nearest folder above."""
    d = path if os.path.isdir(path) else os.path.dirname(path)
    while d.startswith("results"):
        p = os.path.join(d, "provenance")
        if os.path.isfile(p):
            return p
        d = os.path.dirname(d)
    return None


def fields(p):
    f = {}
    for line in open(p):
        k, _, v = line.partition(": ")
        f.setdefault(k.strip(), v.strip())
    return f


errors, rows = 0, []
for doc in docs:
    for n, line in enumerate(open(doc), 1):
        for path in cite.findall(line):
            path = path.rstrip("/")
            where = f"{doc}:{n}"
            # Folders the workbench writes at run time, not committed results.
            if path in ("results", "results/latest") or path.startswith(("results/latest/", "results/run")):
                continue
            # Templates such as results/BASE/baseline name no result.
            if any(re.fullmatch(r"[A-Z_]+", part) for part in path.split("/")):
                continue
            if not os.path.exists(path):
                rows.append((where, path, "-", "-", "MISSING: no such file in the repository"))
                errors += 1
                continue
            p = provenance(path)
            if p is None:
                rows.append((where, path, "-", "-", "NO PROVENANCE"))
                errors += 1
                continue
            f = fields(p)
            series = f.get("series", "?").split()[0]
            base = f.get("base", "?").split(" (")[0].replace("linux-source-5.10 ", "")
            if series == current:
                verdict = "current series"
            elif series == "pristine":
                verdict = "pristine base"
            elif series == "unknown":
                ok = "(earlier series)" in line
                verdict = "earlier series, labelled" if ok else "NOT LABELLED: earlier series cited without '(earlier series)'"
                errors += not ok
            else:
                ok = f"(series {series})" in line
                verdict = f"series {series}, labelled" if ok else f"NOT LABELLED: other series, needs '(series {series})'"
                errors += not ok
            rows.append((where, path, series, base, verdict))

print(f"current series: {current} ({len([l for l in open('patches/series') if l.strip() and not l.startswith('#')])} patches in patches/series)")
w = [max([len(r[i]) for r in rows] + [4]) for i in range(4)]
for r in rows:
    print(f"{r[0]:<{w[0]}}  {r[1]:<{w[1]}}  {r[2]:<{w[2]}}  {r[3]:<{w[3]}}  {r[4]}")
print(f"results-check: {len(rows)} citations, {errors} wrong")
sys.exit(1 if errors else 0)
