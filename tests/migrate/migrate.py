#!/usr/bin/env python3
"""Live-migrate the project's guest (tests/migrate/payload.c) with QEMU and KVM, inside
the test kernel, and check that dirty logging lost no page.

Runs in the guest that scripts/run-guest.sh boots (L1): QEMU with -accel kvm runs the
payload as L2 on the patched KVM in whatever MMU mode L1 was booted in.  Each case:

  1. a source QEMU (RAM on hugetlbfs 2M pages or anonymous THP) runs the payload, which
     maps its RAM with 2M pages and rewrites a seeded, changing set of pages in passes;
     the case waits until KVM maps the RAM with huge pages (pages_2m);
  2. a destination QEMU waits with -incoming and -S; the source migrates to it over a
     unix socket while the payload keeps writing (its pass counter must advance);
  3. kind "cancel": migrate_cancel part way, kind "fail-dst": the destination is killed
     part way.  Then the source must still run, dirty logging must be off again (KVM maps
     the RAM with huge pages again as the guest faults) and a second migration to a new
     destination follows;
  4. when the source is in postmigrate, both sides are paused at the same point: their
     RAM (QMP pmemsave) is compared page by page; a differing page is a write that dirty
     logging lost, and the case fails naming the first ones;
  5. the destination resumes: its pass counter must go on from where the source stopped;
  6. after both QEMUs quit, KVM's shadow page slab must be back where it was.

A case is also failed, and reported as a QEMU failure with QEMU's message, when QEMU
fails for a reason outside KVM (it dies, refuses an option, the socket fails).

Every case prints one TAP line ("ok N selftests: migrate: NAME"), the format of
scripts/summarize.py, and appends its figures (query-migrate, KVM's statistics, the
dirty-log calls QEMU made) to OUT/cases.jsonl.

Usage: migrate.py [--out DIR] [--ram MIB] [--repeats N] [--first N] SET
  SET: "short" (one migration, eager split as booted, hugetlbfs), "matrix" (eager 0/1 x
  hugetlbfs/THP x repeats, manual protect on and off, cancel and fail-dst), or
  "list-matrix" (print the matrix' case names).
"""
import argparse
import fnmatch
import glob
import json
import mmap
import os
import re
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
PAGE = 4096
STATUS_ADDR = 0x200000
STATUS_MAGIC = 0x6d69677261746521
STATS = ["pages_4k", "pages_2m", "largepages", "pf_fixed", "pf_huge_broken", "pf_fast",
         "mmu_shadow_zapped", "mmu_cache_miss", "remote_tlb_flush", "exits"]
SLABS = ["kvm_mmu_page_header", "pte_list_desc"]


class QemuError(Exception):
    """QEMU, not KVM, failed: the message is QEMU's."""


class CaseFailure(Exception):
    """What the test checks did not hold."""


def log(*a):
    print("#", *a, flush=True)


def wait_for(what, cond, timeout, step=0.2):
    end = time.time() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.time() > end:
            raise CaseFailure("timed out after %ds waiting for %s" % (timeout, what))
        time.sleep(step)


class Qemu:
    """One QEMU process with a QMP connection and its serial output in a file."""

    def __init__(self, name, workdir, args, shim_env):
        self.name = name
        self.qmp_path = os.path.join(workdir, name + ".qmp")
        self.serial = os.path.join(workdir, name + ".serial")
        self.stderr_path = os.path.join(workdir, name + ".stderr")
        self.shim_out = os.path.join(workdir, name + ".dirtylog")
        for p in (self.qmp_path, self.serial, self.shim_out):
            if os.path.exists(p):
                os.unlink(p)
        env = dict(os.environ, **shim_env, DIRTY_LOG_SHIM_OUT=self.shim_out)
        cmd = args + ["-qmp", "unix:%s,server=on,wait=off" % self.qmp_path,
                      "-serial", "file:" + self.serial]
        self.cmdline = " ".join(cmd)
        self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=open(self.stderr_path, "w"), stderr=subprocess.STDOUT)
        self.sock = None
        end = time.time() + 60
        while True:
            if self.proc.poll() is not None:
                raise QemuError("%s QEMU exited (%d) at start: %s" % (name, self.proc.returncode, self.stderr()))
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(self.qmp_path)
                break
            except OSError:
                self.sock.close()
                if time.time() > end:
                    raise QemuError("%s QEMU: no QMP socket after 60 s: %s" % (name, self.stderr()))
                time.sleep(0.2)
        self.f = self.sock.makefile("rw")
        self.f.readline()
        self.cmd("qmp_capabilities")

    def stderr(self):
        try:
            return open(self.stderr_path).read().strip()[-800:]
        except OSError:
            return ""

    def cmd(self, command, check=True, **args):
        try:
            self.f.write(json.dumps({"execute": command, "arguments": args}) + "\n")
            self.f.flush()
            while True:
                line = self.f.readline()
                if not line:
                    raise OSError("QMP connection closed")
                r = json.loads(line)
                if "return" in r or "error" in r:
                    break
        except (OSError, ValueError) as e:
            raise QemuError("%s QEMU: QMP %s: %s; %s" % (self.name, command, e, self.stderr()))
        if "error" in r and check:
            raise QemuError("%s QEMU: %s: %s" % (self.name, command, r["error"].get("desc")))
        return r.get("return", r.get("error"))

    def status(self):
        return self.cmd("query-status")["status"]

    def read_u64(self, gpa):
        out = self.cmd("human-monitor-command", **{"command-line": "xp /1gx %#x" % gpa})
        m = re.search(r":\s*(0x[0-9a-f]+)", out)
        if not m:
            raise QemuError("%s QEMU: xp gave %r" % (self.name, out))
        return int(m.group(1), 16)

    def passes(self):
        """The payload's pass counter, read from its status block in guest RAM."""
        return self.read_u64(STATUS_ADDR + 8)

    def reported(self):
        """The last pass number the payload printed on its serial port, 0 before the first."""
        try:
            with open(self.serial, "rb") as f:
                f.seek(max(0, os.path.getsize(self.serial) - 256))
                nums = re.findall(rb"pass (\d+)\n", f.read())
        except OSError:
            return 0
        return int(nums[-1]) if nums else 0

    def vm_dir(self):
        dirs = glob.glob("/sys/kernel/debug/kvm/%d-*" % self.proc.pid)
        return dirs[0] if dirs else None

    def stats(self):
        d = self.vm_dir()
        out = {}
        for s in STATS:
            try:
                out[s] = int(open(os.path.join(d, s)).read())
            except (OSError, TypeError, ValueError):
                pass
        return out

    def dirty_log(self):
        try:
            return dict(kv.split("=") for kv in open(self.shim_out).read().split())
        except (OSError, ValueError):
            return {}

    def quit(self):
        if self.proc.poll() is None:
            try:
                self.cmd("quit", check=False)
            except QemuError:
                pass
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.sock:
            self.sock.close()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


def write_param(path, value):
    with open(path, "w") as f:
        f.write(str(value))


def read_int(path, default=None):
    try:
        return int(open(path).read().split()[0])
    except (OSError, ValueError, IndexError):
        return default


def slab_active():
    """Active objects of KVM's shadow-page caches, per-CPU slabs flushed first."""
    out = {}
    for s in SLABS:
        d = "/sys/kernel/slab/" + s
        if not os.path.exists(d):
            continue
        try:
            write_param(d + "/shrink", 1)
        except OSError:
            pass
        for line in open("/proc/slabinfo"):
            f = line.split()
            if f and f[0] == s:
                out[s] = int(f[1])
    return out


def prepare_backing(backing, ram_mib):
    if backing == "hugetlbfs":
        os.makedirs("/dev/hugepages", exist_ok=True)
        if not any(l.split()[1] == "/dev/hugepages" for l in open("/proc/mounts")):
            subprocess.run(["mount", "-t", "hugetlbfs", "-o", "pagesize=2M", "none",
                            "/dev/hugepages"], check=True)
        # Source and destination, with room for a new destination after a failure.
        need = 2 * ram_mib // 2 + 16
        free = read_int("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", 0)
        total = read_int("/proc/sys/vm/nr_hugepages", 0)
        if free < need:
            write_param("/proc/sys/vm/nr_hugepages", total + need - free)
        free = read_int("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", 0)
        if free < need:
            raise QemuError("only %d free 2M hugetlbfs pages, %d needed" % (free, need))
        return ["-object", "memory-backend-file,id=ram,size=%dM,mem-path=/dev/hugepages,"
                "prealloc=on,share=off" % ram_mib, "-machine", "memory-backend=ram"]
    write_param("/sys/kernel/mm/transparent_hugepage/enabled", "always")
    return ["-object", "memory-backend-ram,id=ram,size=%dM" % ram_mib,
            "-machine", "memory-backend=ram"]


def compare_ram(a_path, b_path, size):
    """Pages (guest physical addresses) whose contents differ between the two dumps."""
    diff = []
    with open(a_path, "rb") as fa, open(b_path, "rb") as fb:
        if os.path.getsize(a_path) != size or os.path.getsize(b_path) != size:
            raise CaseFailure("RAM dumps have %d and %d bytes, want %d" %
                              (os.path.getsize(a_path), os.path.getsize(b_path), size))
        ma = mmap.mmap(fa.fileno(), 0, access=mmap.ACCESS_READ)
        mb = mmap.mmap(fb.fileno(), 0, access=mmap.ACCESS_READ)
        chunk = 512 * PAGE
        for off in range(0, size, chunk):
            if ma[off:off + chunk] == mb[off:off + chunk]:
                continue
            for p in range(off, off + chunk, PAGE):
                if ma[p:p + PAGE] != mb[p:p + PAGE]:
                    diff.append(p)
        status = ma[STATUS_ADDR:STATUS_ADDR + 16]
        ma.close()
        mb.close()
    magic = int.from_bytes(status[:8], "little")
    if magic != STATUS_MAGIC:
        raise CaseFailure("no payload status block in the source's RAM (magic %#x)" % magic)
    return diff, int.from_bytes(status[8:16], "little")


def run_case(a, rec, name, backing, eager, manual, kind, seed):
    """One migration case, its figures in rec.  Raises QemuError or CaseFailure."""
    rec.update({"case": name, "backing": backing, "eager_page_split": eager,
           "dirty_log": "manual" if manual else "get-only", "kind": kind, "seed": seed,
           "ram_mib": a.ram, "payload_sti": a.sti})
    write_param("/sys/module/kvm/parameters/eager_page_split", "Y" if eager else "N")
    rec["eager_page_split_param"] = open("/sys/module/kvm/parameters/eager_page_split").read().strip()
    rec["slab_before"] = slab_active()
    work = os.path.join(a.tmp, name)
    os.makedirs(work, exist_ok=True)
    mig_sock = os.path.join(work, "migration.sock")
    base = ["qemu-system-x86_64", "-accel", "kvm", "-cpu", "host", "-smp", "1",
            "-m", "%dM" % a.ram, "-nodefaults", "-no-user-config", "-display", "none",
            "-kernel", a.payload,
            "-append", "seed=%d writes=%d report=%d delay=%d sti=%d" %
            (seed, a.writes, a.report, a.delay, a.sti)]
    base += prepare_backing(backing, a.ram)
    shim = {"LD_PRELOAD": a.shim}
    if not manual:
        shim["DIRTY_LOG_SHIM_HIDE_MANUAL"] = "1"
    qemus = []

    def start(qname, extra=()):
        q = Qemu(qname, work, base + list(extra), shim)
        qemus.append(q)
        return q

    try:
        src = start("src")
        rec["qemu"] = src.cmdline
        # Pass 1 touches every 2M frame: wait until KVM maps the RAM huge and settles.
        wait_for("the payload's serial reports", lambda: src.reported() >= 2 * a.report, 120)
        prev = [-1]

        def settled():
            n = src.stats().get("pages_2m", 0)
            ok = n == prev[0]
            prev[0] = n
            return ok
        wait_for("pages_2m to settle", settled, 60, 1.0)
        rec["stats_before"] = src.stats()
        region_end = src.read_u64(STATUS_ADDR + 32)
        rec["frames_written"] = (region_end - STATUS_ADDR) // (2 << 20)
        p0, t0 = src.passes(), time.time()
        time.sleep(2)
        rec["passes_per_s"] = round((src.passes() - p0) / (time.time() - t0), 1)
        if "pages_2m" in rec["stats_before"] and rec["stats_before"]["pages_2m"] == 0:
            raise CaseFailure("KVM maps none of the %s-backed RAM with 2M pages before "
                              "migrating: %s" % (backing, rec["stats_before"]))

        attempts = []
        for attempt in ("first", "final") if kind != "migrate" else ("final",):
            if os.path.exists(mig_sock):
                os.unlink(mig_sock)
            dst = start("dst" if attempt == "final" else "dst-" + kind,
                        ["-S", "-incoming", "unix:" + mig_sock])
            # The attempt to interrupt runs at a quarter of the bandwidth, so that it is
            # still copying RAM when the interruption comes.
            bw = a.bandwidth << 20 if attempt == "final" else a.bandwidth << 18
            src.cmd("migrate-set-parameters", **{"max-bandwidth": bw, "downtime-limit": a.downtime})
            wait_for("the destination's socket", lambda: os.path.exists(mig_sock), 30)
            pass0 = src.passes()
            t0 = time.time()
            src.cmd("migrate", uri="unix:" + mig_sock)
            during = []
            interrupted = None
            while True:
                m = src.cmd("query-migrate")
                st = m.get("status")
                s = src.stats()
                s["passes"] = src.passes() if st != "completed" else None
                s["status"] = st
                during.append(s)
                if st in ("completed", "failed", "cancelled"):
                    break
                if src.proc.poll() is not None:
                    raise QemuError("source QEMU died during migration: " + src.stderr())
                if attempt == "first" and not interrupted and \
                        m.get("ram", {}).get("transferred", 0) >= a.ram << 18:
                    if kind == "cancel":
                        src.cmd("migrate_cancel")
                    else:
                        dst.kill()
                    interrupted = {"after_s": round(time.time() - t0, 2),
                                   "transferred": m.get("ram", {}).get("transferred")}
                if time.time() - t0 > a.timeout:
                    src.cmd("migrate_cancel", check=False)
                    raise CaseFailure("migration did not complete in %d s (last status %s, "
                                      "%s dirty syncs, %s pages/s dirtied)" %
                                      (a.timeout, st, m.get("ram", {}).get("dirty-sync-count"),
                                       m.get("ram", {}).get("dirty-pages-rate")))
                time.sleep(0.2)
            one = {"attempt": attempt, "status": st, "wall_s": round(time.time() - t0, 2),
                   "passes_before": pass0, "interrupted": interrupted}
            if attempt == "first":
                want = "cancelled" if kind == "cancel" else "failed"
                if st != want:
                    raise CaseFailure("the %s migration ended %s, not %s" % (kind, st, want))
                one["error"] = m.get("error-desc")
                # The source goes on: still running, still writing, logging off again.
                if src.status() != "running":
                    raise CaseFailure("source is %s after the %s, not running" % (src.status(), kind))
                p = src.passes()
                wait_for("the source's payload to go on", lambda: src.passes() > p, 60)
                # Every 2M frame the payload writes must be mapped huge again.  Not
                # pages_2m of before: with shadow paging that also counts huge SPTEs of
                # shadow pages the vCPU left behind (the BIOS's, before the payload
                # turned paging on), which eager splitting splits and nothing faults in
                # again.
                huge = rec["frames_written"] if "pages_2m" in rec["stats_before"] else None
                if huge is not None:
                    try:
                        wait_for("KVM to map the RAM with 2M pages again (dirty logging off)",
                                 lambda: src.stats().get("pages_2m", 0) >= huge, 120, 0.5)
                    except CaseFailure as e:
                        raise CaseFailure("%s: %d before, now %s" % (e, huge, src.stats()))
                one["stats_after"] = src.stats()
                dst.kill()
                qemus.remove(dst)
                dst.quit()
                attempts.append(one)
                continue
            if st != "completed":
                raise QemuError("migration %s: %s" % (st, m.get("error-desc", "no reason given")
                                                       + "; destination: " + dst.stderr()))
            # QEMU 7.2 reports "completed" before it fills in the times: read them once the
            # source is in postmigrate.
            wait_for("the source to reach postmigrate", lambda: src.status() == "postmigrate", 30)
            m = src.cmd("query-migrate")
            one["passes_at_completion"] = src.passes()
            one["stats_after"] = src.stats()
            one["query_migrate"] = m
            one["stats_during"] = {k: [d.get(k) for d in during] for k in STATS + ["passes", "status"]
                                   if during and k in during[0]}
            dst_status = dst.status()
            if dst_status != "paused":
                raise CaseFailure("destination is %s after the migration, not paused (-S)" % dst_status)
            attempts.append(one)
        rec["attempts"] = attempts
        final = attempts[-1]
        if final["passes_at_completion"] <= final["passes_before"]:
            raise CaseFailure("the payload did not write during the migration (pass %d -> %d)" %
                              (final["passes_before"], final["passes_at_completion"]))

        # Both paused at the same point: the RAM must be the same, page by page.
        dumps = [os.path.join(work, q + ".ram") for q in ("src", "dst")]
        src.cmd("pmemsave", val=0, size=a.ram << 20, filename=dumps[0])
        dst.cmd("pmemsave", val=0, size=a.ram << 20, filename=dumps[1])
        diff, pass_at_pause = compare_ram(dumps[0], dumps[1], a.ram << 20)
        for d in dumps:
            os.unlink(d)
        rec["differing_pages"] = len(diff)
        rec["pass_at_pause"] = pass_at_pause
        if diff:
            raise CaseFailure("%d pages differ between source and destination (lost by dirty "
                              "logging): first at %s" % (len(diff), ", ".join("%#x" % p for p in diff[:8])))

        # The destination goes on from where the source stopped.
        dst.cmd("cont")
        wait_for("the destination's payload to pass %d" % pass_at_pause,
                 lambda: dst.passes() > pass_at_pause, 60)
        rec["dst_passes"] = dst.passes()
        wait_for("the destination's serial reports to go on",
                 lambda: dst.reported() > pass_at_pause, 60)
        time.sleep(2)
        rec["dst_stats"] = dst.stats()
    finally:
        for q in qemus:
            q.quit()
        for q in qemus:
            rec.setdefault("qemu_stderr", {})[q.name] = q.stderr()
            if q.name == "src":
                rec["dirty_log_calls"] = q.dirty_log()
    want = "0x3" if manual else "0"
    got = rec["dirty_log_calls"].get("manual_protect")
    if got != want:
        raise CaseFailure("QEMU ran with manual_protect=%s, want %s (%s)" % (got, want, rec["dirty_log_calls"]))
    # The VMs are gone: every shadow page and rmap descriptor must be freed.
    rec["slab_after"] = slab_active()
    for s, n in rec["slab_after"].items():
        if n > rec["slab_before"].get(s, n):
            time.sleep(2)
            rec["slab_after"] = slab_active()
            if rec["slab_after"][s] > rec["slab_before"][s]:
                raise CaseFailure("%s: %d objects after the VMs exited, %d before" %
                                  (s, rec["slab_after"][s], rec["slab_before"][s]))


def cases(a, which):
    """(name, backing, eager, manual, kind) in the order they run."""
    if which == "short":
        eager = open("/sys/module/kvm/parameters/eager_page_split").read().strip() == "Y"
        return [("short", "hugetlbfs", eager, True, "migrate")]
    out = []
    for r in range(1, a.repeats + 1):
        for backing in ("hugetlbfs", "thp"):
            for eager in (0, 1):
                out.append(("%s-eager%d-r%d" % (backing, eager, r), backing, eager, True, "migrate"))
    for eager in (0, 1):
        out.append(("getlog-eager%d" % eager, "hugetlbfs", eager, False, "migrate"))
    for kind in ("cancel", "fail-dst"):
        for eager in (0, 1):
            out.append(("%s-eager%d" % (kind, eager), "hugetlbfs", eager, True, kind))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("set", choices=["short", "matrix", "list-matrix"])
    p.add_argument("--out", default=".")
    p.add_argument("--tmp", default="/tmp/migrate")
    p.add_argument("--ram", type=int, default=256, help="guest RAM, MiB")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--writes", type=int, default=16)
    p.add_argument("--report", type=int, default=64)
    p.add_argument("--delay", type=int, default=5000000)
    p.add_argument("--sti", action="store_const", const=1, default=0,
                   help="the payload runs with IF=1 and the PIC masked (for Bochs, see payload.c)")
    p.add_argument("--bandwidth", type=int, default=64, help="MiB/s")
    p.add_argument("--downtime", type=int, default=300, help="ms")
    p.add_argument("--timeout", type=int, default=300, help="s per migration")
    p.add_argument("--first", type=int, default=1, help="number of the first TAP line")
    p.add_argument("--only", help="run only the cases matching these globs (comma-separated)")
    p.add_argument("--payload", default=os.path.join(TOP, "build/migrate/payload.elf"))
    p.add_argument("--shim", default=os.path.join(TOP, "build/migrate/dirty-log-shim.so"))
    a = p.parse_args()
    todo = cases(a, "matrix" if a.set == "list-matrix" else a.set)
    if a.only:
        todo = [c for c in todo if any(fnmatch.fnmatch(c[0], g) for g in a.only.split(","))]
    if a.set == "list-matrix":
        for c in todo:
            print("migrate:" + c[0])
        return 0
    os.makedirs(a.out, exist_ok=True)
    status = 0
    for i, (name, backing, eager, manual, kind) in enumerate(todo):
        seed = 1000 + i
        t0 = time.time()
        log("migrate: %s (%s, eager_page_split=%d, dirty log %s, %s)" %
            (name, backing, eager, "manual" if manual else "get-only", kind))
        rec = {}
        try:
            run_case(a, rec, name, backing, eager, manual, kind, seed)
            rec["result"] = "pass"
            msg = ""
        except QemuError as e:
            rec.update(result="qemu-error", error=str(e))
            msg = " # QEMU failed, not KVM: %s" % e
        except CaseFailure as e:
            rec.update(result="fail", error=str(e))
            msg = " # %s" % e
        rec["case_s"] = round(time.time() - t0, 1)
        with open(os.path.join(a.out, "cases.jsonl"), "a") as f:
            f.write(json.dumps(rec) + "\n")
        if rec["result"] == "pass":
            f = rec["attempts"][-1]
            qm = f["query_migrate"]
            broken = [v for v in f["stats_during"].get("pf_huge_broken", []) if v is not None]
            log("  %d differing pages; passes %d -> %d during migration, destination at %d; "
                "total %s ms, downtime %s ms, %s dirty syncs; pf_huge_broken %s -> %s; dirty log %s" %
                (rec["differing_pages"], f["passes_before"], f["passes_at_completion"],
                 rec["dst_passes"], qm.get("total-time"), qm.get("downtime"),
                 qm.get("ram", {}).get("dirty-sync-count"),
                 rec["stats_before"].get("pf_huge_broken"), max(broken) if broken else None,
                 rec["dirty_log_calls"]))
        else:
            status = 1
        print("%s %d selftests: migrate: %s%s" % ("ok" if rec["result"] == "pass" else "not ok",
                                                a.first + i, name, msg), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
