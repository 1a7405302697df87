#!/usr/bin/env python3
# Probe for issue 16, run inside the test kernel: two QEMUs with -accel kvm (256 MiB, no
# devices), the second with -incoming; migrate over a unix socket, print what QMP says.
# Usage (host): scripts/run-guest.sh -t 300 npt1-tdp0 build/explore/out "python3 scripts/qmp-migrate-probe.py"
import json, socket, subprocess, time, os, sys
def qmp(path):
    s = socket.socket(socket.AF_UNIX); 
    for _ in range(100):
        try: s.connect(path); break
        except OSError: time.sleep(0.2)
    f = s.makefile('rw'); f.readline()
    def cmd(c, **a):
        f.write(json.dumps({"execute": c, "arguments": a}) + "\n"); f.flush()
        while True:
            r = json.loads(f.readline())
            if 'return' in r or 'error' in r: return r
    cmd("qmp_capabilities"); return cmd
base = ["qemu-system-x86_64", "-accel", "kvm", "-cpu", "host", "-m", "256", "-display", "none", "-nodefaults", "-serial", "none"]
src = subprocess.Popen(base + ["-qmp", "unix:/tmp/src.sock,server=on,wait=off"], stderr=subprocess.PIPE)
dst = subprocess.Popen(base + ["-qmp", "unix:/tmp/dst.sock,server=on,wait=off", "-incoming", "unix:/tmp/mig.sock"], stderr=subprocess.PIPE)
s = qmp("/tmp/src.sock"); d = qmp("/tmp/dst.sock")
print("kvm", s("query-kvm")); print("status", s("query-status"))
time.sleep(3)
t0 = time.time(); print("migrate", s("migrate", uri="unix:/tmp/mig.sock"))
while True:
    r = s("query-migrate")["return"]
    if r.get("status") in ("completed", "failed", "cancelled"): break
    time.sleep(0.5)
print("query-migrate", json.dumps(r)[:600], "wall", round(time.time() - t0, 2))
print("src", s("query-status"), "dst", d("query-status"))
src.kill(); dst.kill()
print("src stderr", src.stderr.read().decode()[-300:]); print("dst stderr", dst.stderr.read().decode()[-300:])
