#!/usr/bin/env python3
# test-serve-clients.py VMSCOPE: vmscope serve against clients that do not
# play along, on loopback; TAP. 100 clients that send a byte every 3 s (and
# connect again when dropped) do not hold up a scrape (under 1 s), nor do
# idle connections; a request not whole 5 s after its connect is dropped
# (408); past the cap on open connections a new one gets 503 and the server
# goes on; a NUL byte or a malformed request line gets 400.
import os, re, signal, socket, subprocess, sys, threading, time

vmscope = sys.argv[1]
n = 0
failed = 0


def ok(cond, desc, *diag):
    global n, failed
    n += 1
    if cond:
        print('ok %d - %s' % (n, desc))
    else:
        failed += 1
        print('not ok %d - %s' % (n, desc))
        for d in diag:
            for line in str(d).splitlines()[:20]:
                print('#   ' + line)
    sys.stdout.flush()


srv = subprocess.Popen([vmscope, 'serve', '-l', '127.0.0.1:0'], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
port = None
line = srv.stderr.readline().decode(errors='replace')
m = re.search(r':(\d+)/metrics', line)
if not m:
    print('Bail out! serve did not say where it listens: %r' % line)
    srv.kill()
    sys.exit(1)
port = int(m.group(1))
# the rest of its stderr, drained so that it never blocks on it
threading.Thread(target=srv.stderr.read, daemon=True).start()


def connect():
    return socket.create_connection(('127.0.0.1', port), timeout=10)


def request(raw, timeout=10):
    """Sends raw bytes, returns (seconds, the whole answer) once the server closes."""
    t0 = time.monotonic()
    data = b''
    try:
        s = connect()
    except OSError as e:
        return time.monotonic() - t0, b'<connect: ' + str(e).encode() + b'>'
    s.settimeout(timeout)
    try:
        s.sendall(raw)
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except OSError as e:
        data += b'<' + str(e).encode() + b'>'
    s.close()
    return time.monotonic() - t0, data


def scrape():
    return request(b'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n')


t, body = scrape()
ok(body.startswith(b'HTTP/1.1 200') and b'vmscope_process' in body,
   'a scrape with no other client (%.3f s)' % t, body[:300])
quiet = t

# 100 slow clients: a byte every 3 s each, connecting again when dropped.
stop = threading.Event()
reconnects = [0]
slow_lock = threading.Lock()


def slow_client(i):
    req = b'GET /metrics HTTP/1.1\r\nHost: slow' + str(i).encode() + b'\r\n\r\n'
    while not stop.is_set():
        try:
            s = connect()
        except OSError:
            time.sleep(0.5)
            continue
        pos = 0
        try:
            while not stop.is_set() and pos < len(req) - 1:
                s.sendall(req[pos:pos + 1])
                pos += 1
                if stop.wait(3):
                    break
                s.settimeout(0.01)
                try:
                    s.recv(1024)
                    break  # an answer (408) or the end: dropped
                except socket.timeout:
                    pass
                except OSError:
                    break
        except OSError:
            pass
        s.close()
        with slow_lock:
            reconnects[0] += 1


threads = [threading.Thread(target=slow_client, args=(i,), daemon=True) for i in range(100)]
for th in threads:
    th.start()
time.sleep(1)
times = []
bad = []
t_end = time.monotonic() + 13
while time.monotonic() < t_end:
    t, body = scrape()
    times.append(t)
    if not body.startswith(b'HTTP/1.1 200'):
        bad.append(body[:200])
    time.sleep(0.5)
stop.set()
ok(not bad and max(times) < 1.0,
   'scrapes over 13 s with 100 clients sending a byte every 3 s: %d, slowest %.3f s, median %.3f s '
   '(%.3f s alone)' % (len(times), max(times), sorted(times)[len(times) // 2], quiet), *bad)
ok(reconnects[0] >= 100,
   'the slow clients were dropped (by the 5 s deadline) and came back: %d times' % reconnects[0])
join_by = time.monotonic() + 15
for th in threads:
    th.join(max(0, join_by - time.monotonic()))

# A request still not whole 5 s after the connect: dropped with 408.
t0 = time.monotonic()
data = b''
s = None
try:
    s = connect()
    s.sendall(b'GET /metrics HTTP/1.1\r\n')
    while time.monotonic() - t0 < 20:
        try:
            s.sendall(b'X')
        except OSError:
            pass
        s.settimeout(1)
        try:
            b = s.recv(4096)
        except socket.timeout:
            continue
        if not b:
            break
        data += b
except OSError:
    pass
took = time.monotonic() - t0
if s:
    s.close()
ok(4.5 <= took <= 7 and data.startswith(b'HTTP/1.1 408'),
   'a request dribbled a byte a second is cut off with 408 after %.1f s (5 s)' % took, data[:200])

def scrape_beside_idle(count):
    """A scrape while count connections that send nothing are open."""
    idle = []
    try:
        for _ in range(count):
            idle.append(connect())
    except OSError as e:
        print('# connect: %s' % e)
    time.sleep(0.3)
    answer = scrape()
    for c in idle:
        c.close()
    return answer


# Ten idle connections do not delay a scrape.
t, body = scrape_beside_idle(10)
ok(body.startswith(b'HTTP/1.1 200') and t < 1.0,
   'a scrape with 10 idle connections open: %.3f s' % t, body[:200])
# Past the cap (128 open connections) a new one gets 503; the server goes on.
t, body = scrape_beside_idle(140)
ok(body.startswith(b'HTTP/1.1 503'), 'with 140 connections open, one more is answered 503',
   body[:200])
time.sleep(0.3)
t, body = scrape()
ok(body.startswith(b'HTTP/1.1 200'), 'once they close, a scrape is answered again (%.3f s)' % t,
   body[:200])

# Malformed requests: 400, never silence.
for desc, raw in [('a NUL byte in the request line', b'GET /met\0rics HTTP/1.1\r\n\r\n'),
                  ('a NUL byte in a header', b'GET /metrics HTTP/1.1\r\nHost: a\0b\r\n\r\n'),
                  ('no version', b'GET /metrics\r\n\r\n'),
                  ('a target without /', b'GET metrics HTTP/1.1\r\n\r\n'),
                  ('a control byte in the method', b'G\x1bT /metrics HTTP/1.1\r\n\r\n'),
                  ('an empty request line', b'\r\n\r\n')]:
    t, body = request(raw)
    ok(body.startswith(b'HTTP/1.1 400'), '%s: 400 (%.3f s)' % (desc, t), body[:200])

srv.send_signal(signal.SIGTERM)
try:
    rc = srv.wait(10)
except subprocess.TimeoutExpired:
    srv.kill()
    rc = 'killed'
ok(rc == 0, 'serve stops on SIGTERM with status 0 (%s)' % rc)
print('1..%d' % n)
sys.exit(1 if failed else 0)
