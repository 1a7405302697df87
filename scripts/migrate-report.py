#!/usr/bin/env python3
"""Tabulate "make migrate": QEMU's and KVM's figures per migration, medians per setup.

Usage: migrate-report.py OUT MODE...

Reads OUT/MODE/cases.jsonl (tests/migrate/migrate.py) and writes OUT/migrate.csv (one row
per migration that completed and compared equal), OUT/report.md (medians per mode,
backing, dirty-log mode and eager_page_split, with the eager on/off ratios of the same
boot) and OUT/migrate.png.  Exit 1 when a mode left no record.
"""
import csv
import json
import os
import statistics
import sys

out, modes = sys.argv[1], sys.argv[2:]

COLS = [
    ("total_ms", "total (ms)"), ("downtime_ms", "downtime (ms)"), ("setup_ms", "setup (ms)"),
    ("dirty_syncs", "dirty syncs"), ("transferred_mib", "sent (MiB)"),
    ("guest_before", "guest passes/s before"), ("guest_during", "guest passes/s migrating"),
    ("pf_fixed", "pf_fixed"), ("pf_fast", "pf_fast"), ("pf_huge_broken", "pf_huge_broken"),
    ("pages_2m_before", "2M before"), ("pages_2m_during", "2M migrating (min)"),
    ("pages_4k_during", "4K migrating (max)"), ("dst_pages_2m", "2M on dest."),
]


def delta(series):
    v = [x for x in series or [] if x is not None]
    return v[-1] - v[0] if v else None


def row_of(mode, r):
    f = r["attempts"][-1]
    qm = f["query_migrate"]
    ram = qm.get("ram", {})
    d = f.get("stats_during", {})
    total_s = qm.get("total-time", 0) / 1000.0
    return {
        "mode": mode, "case": r["case"], "backing": r["backing"],
        "eager": int(bool(r["eager_page_split"])), "dirty_log": r["dirty_log"], "kind": r["kind"],
        "total_ms": qm.get("total-time"), "downtime_ms": qm.get("downtime"),
        "setup_ms": qm.get("setup-time"), "dirty_syncs": ram.get("dirty-sync-count"),
        "transferred_mib": round(ram.get("transferred", 0) / 2**20, 1),
        "dirty_pages_rate": ram.get("dirty-pages-rate"),
        "guest_before": r.get("passes_per_s"),
        "guest_during": round((f["passes_at_completion"] - f["passes_before"]) / total_s, 1)
        if total_s else None,
        "pf_fixed": delta(d.get("pf_fixed")), "pf_fast": delta(d.get("pf_fast")),
        "pf_huge_broken": delta(d.get("pf_huge_broken")),
        "pages_2m_before": r["stats_before"].get("pages_2m"),
        "pages_2m_during": min((x for x in d.get("pages_2m", [None])[1:] if x is not None), default=None),
        "pages_4k_during": max((x for x in d.get("pages_4k", []) if x is not None), default=None),
        "dst_pages_2m": r.get("dst_stats", {}).get("pages_2m"),
        "differing_pages": r["differing_pages"],
        "manual_protect": r["dirty_log_calls"].get("manual_protect"),
        "clear_dirty_log": r["dirty_log_calls"].get("clear_dirty_log"),
        "get_dirty_log": r["dirty_log_calls"].get("get_dirty_log"),
    }


rows, failed, status = [], [], 0
for m in modes:
    path = os.path.join(out, m, "cases.jsonl")
    if not os.path.exists(path):
        print("migrate-report: %s: no cases.jsonl" % m, file=sys.stderr)
        status = 1
        continue
    for line in open(path):
        r = json.loads(line)
        if r.get("result") == "pass":
            rows.append(row_of(m, r))
        else:
            failed.append((m, r["case"], r.get("result"), r.get("error")))

if rows:
    with open(os.path.join(out, "migrate.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def med(vals):
    v = [x for x in vals if x is not None]
    return statistics.median(v) if v else None


def fmt(x):
    if x is None:
        return "-"
    return "%.0f" % x if abs(x) >= 100 or x == int(x) else "%.1f" % x


groups = {}
for r in rows:
    if r["kind"] != "migrate":
        continue
    groups.setdefault((r["mode"], r["backing"], r["dirty_log"], r["eager"]), []).append(r)

lines = ["# make migrate: medians per setup", "",
         "Each row: the median over its migrations (n) of QEMU's query-migrate figures, the "
         "payload's pass rate before and while migrating, and KVM's statistics of the source VM "
         "during the migration (pf_* are increases; 2M/4K are mapped pages).  Every migration "
         "counted here compared equal page by page.", ""]
hdr = ["mode", "backing", "dirty log", "eager", "n"] + [c[1] for c in COLS]
lines += ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
for k in sorted(groups):
    g = groups[k]
    lines.append("| " + " | ".join([k[0], k[1], k[2], str(k[3]), str(len(g))] +
                                    [fmt(med(r[c] for r in g)) for c, _ in COLS]) + " |")
lines += ["", "Eager on / eager off, same boot (medians; < 1 means eager split lowered it):", "",
          "| mode | backing | dirty log | total | downtime | guest passes/s migrating | pf_fixed |",
          "|---|---|---|---|---|---|---|"]
for k in sorted(groups):
    if k[3] != 1 or (k[0], k[1], k[2], 0) not in groups:
        continue
    on, off = groups[k], groups[(k[0], k[1], k[2], 0)]

    def ratio(c):
        a, b = med(r[c] for r in on), med(r[c] for r in off)
        return "%.2f" % (a / b) if a is not None and b else "-"
    lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
        k[0], k[1], k[2], ratio("total_ms"), ratio("downtime_ms"), ratio("guest_during"),
        ratio("pf_fixed")))
other = [r for r in rows if r["kind"] != "migrate"]
if other:
    lines += ["", "Migrations after a cancelled or failed one:", ""]
    for r in other:
        lines.append("- %s %s: total %s ms, downtime %s ms, %s differing pages" %
                     (r["mode"], r["case"], r["total_ms"], r["downtime_ms"], r["differing_pages"]))
if failed:
    lines += ["", "Cases that failed (not in the figures above):", ""]
    lines += ["- %s %s: %s: %s" % f for f in failed]
open(os.path.join(out, "report.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("migrate-report: no matplotlib, no plot", file=sys.stderr)
    sys.exit(status)
keys = sorted(k for k in groups if k[2] == "manual")
if keys:
    metrics = [("guest_during", "guest passes/s while migrating"), ("downtime_ms", "downtime (ms)"),
               ("total_ms", "total time (ms)")]
    fig, axes = plt.subplots(1, len(metrics), figsize=(6 * len(metrics), 5))
    labels = sorted({(k[0], k[1]) for k in keys})
    for ax, (c, title) in zip(axes, metrics):
        for i, eager in enumerate((0, 1)):
            vals = [med(r[c] for r in groups.get((m, b, "manual", eager), [])) or 0 for m, b in labels]
            ax.bar([x + 0.4 * i for x in range(len(labels))], vals, 0.4,
                   label="eager_page_split=%d" % eager)
        ax.set_xticks([x + 0.2 for x in range(len(labels))])
        ax.set_xticklabels(["%s\n%s" % lb for lb in labels], fontsize=8)
        ax.set_title(title)
        ax.legend()
    fig.suptitle("make migrate (medians; QEMU TCG, emulated SVM; see provenance)")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "migrate.png"), dpi=80)
sys.exit(status)
