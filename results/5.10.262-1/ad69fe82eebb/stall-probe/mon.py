import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect("/tmp/outer.mon"); s.settimeout(3)
def cmd(c):
    s.sendall((c + "\n").encode()); time.sleep(1.5); out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d: break
            out += d
    except socket.timeout: pass
    return out.decode(errors="replace")
cmd("")
for c in ["info cpus", "info registers -a", "cpu 0", "info lapic", "cpu 1", "info lapic", "info registers -a"]:
    print("=== " + c); print(cmd(c)[-3500:])
