#!/usr/bin/env python3
"""Drop from kernel logs the WARN reports that an emulator is known to cause.

Usage: known-splats.py KNOWN LOG...
KNOWN lists, tab-separated, a source file of the tree, the exact text of the WARN line
there, and the reason (docs).  A report is dropped only when its "WARNING: ... at FILE:LINE"
resolves, in the source tree being tested ($KSRC), to a listed line with that exact text, so
a moved or changed WARN is never excused.  Each LOG is rewritten to LOG.unexcused; what was
dropped is counted on stdout, a line per log and known WARN.
"""
import os
import re
import sys
from collections import Counter

warn = re.compile(r"WARNING: CPU: \d+ PID: \d+ at (\S+):(\d+) ")
cut = re.compile(r"-+\[ cut here \]-+")
end = re.compile(r"---\[ end trace [0-9a-f]+ \]---")


def load(path):
    known = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        src, text, reason = line.rstrip("\n").split("\t")[:3]
        known[(src, text.strip())] = reason
    return known


def excused(known, ksrc, path, lineno):
    for (src, text), reason in known.items():
        if not path.endswith("/" + src) and path != src:
            continue
        try:
            with open(os.path.join(ksrc, src), errors="replace") as f:
                lines = f.readlines()
        except OSError:
            return None
        if 0 < lineno <= len(lines) and lines[lineno - 1].strip() == text:
            return (src, text, reason)
    return None


def main():
    known = load(sys.argv[1])
    ksrc = os.environ["KSRC"]
    for log in sys.argv[2:]:
        dropped = Counter()
        out = []
        lines = open(log, errors="replace").read().splitlines(keepends=True)
        i = 0
        while i < len(lines):
            if cut.search(lines[i]) and i + 1 < len(lines):
                m = warn.search(lines[i + 1])
                hit = m and excused(known, ksrc, m.group(1), int(m.group(2)))
                if hit:
                    j = i + 1
                    while j < len(lines) and not end.search(lines[j]):
                        j += 1
                    if j < len(lines):
                        dropped[hit] += 1
                        i = j + 1
                        continue
            out.append(lines[i])
            i += 1
        with open(log + ".unexcused", "w") as f:
            f.writelines(out)
        for (src, text, reason), n in sorted(dropped.items()):
            print(f"{os.path.basename(log)}: {n} reports of {src}: {text} excused: {reason}")


main()
