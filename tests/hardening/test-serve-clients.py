#!/usr/bin/env python3
# test-serve-clients.py VMSCOPE: vmscope serve against clients that do not
# play along, on loopback; TAP. 100 clients that send a byte every 3 s (and
# connect again when dropped) do not hold up a scrape (under 1 s), nor do
# idle connections; a request not whole 5 s after its connect is dropped
# (408); past the cap on open connections a new one gets 503 and the server
# goes on; a NUL byte or a malformed request line gets 400, a method that
# is a token but not GET 405; Accept headers in their odd spellings pick the
# format; SIGTERM stops it with a connection open; targets named twice are
# answered once; --listen that is no address is exit 2, [::1]:0 serves over
# IPv6; out of file descriptors it cannot listen (exit 1), or pauses its
# accepts without spinning and answers once connections close; an answer
# larger than the socket takes is sent as the client reads it, and one the
# client resets half-way does not stop the server.
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


def request(raw, timeout=10, where=None):
    """Sends raw bytes, returns (seconds, the whole answer) once the server closes."""
    t0 = time.monotonic()
    data = b''
    try:
        s = socket.create_connection(where, timeout=10) if where else connect()
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

# Request lines a server must refuse, or take: a method is a token
# (M-SEARCH is one, G(T is not), the target holds no control byte, the
# version is HTTP/1.x; lines may end in a bare LF.
for desc, raw, want in [('a method with a -, not GET', b'M-SEARCH / HTTP/1.1\r\n\r\n', b'405'),
                        ('a ( in the method', b'G(T / HTTP/1.1\r\n\r\n', b'400'),
                        ('a DEL in the target', b'GET /\x7f HTTP/1.1\r\n\r\n', b'400'),
                        ('HTTP/1.x', b'GET / HTTP/1.x\r\n\r\n', b'400'),
                        ('HTTP/1.10', b'GET / HTTP/1.10\r\n\r\n', b'400'),
                        ('HTTP/2.0', b'GET / HTTP/2.0\r\n\r\n', b'400'),
                        ('a word after the version', b'GET / HTTP/1.1 x\r\n\r\n', b'400'),
                        ('lines ended by a bare LF', b'GET / HTTP/1.1\nHost: x\n\n', b'200')]:
    t, body = request(raw)
    ok(body.startswith(b'HTTP/1.1 ' + want), '%s: %s' % (desc, want.decode()), body[:200])


def content_type(headers):
    """The Content-Type of /metrics asked for with these header lines."""
    t, body = request(b'GET /metrics HTTP/1.1\r\n' + headers + b'\r\n')
    m = re.search(rb'\r\nContent-Type: ([^;\r]*)', body)
    return m.group(1).decode() if body.startswith(b'HTTP/1.1 200') and m else body[:200]


# Accept: OpenMetrics when asked for at least as much as the text format.
om, text = 'application/openmetrics-text', 'text/plain'
for accept, want in [(b'Accept: text/*', text),
                     (b'Accept: */*;q=0.5, application/openmetrics-text;q=0.4', text),
                     (b'Accept: application/openmetrics-text ; q=0.9 ,\ttext/plain;q=0.8', om),
                     (b'Accept: application/openmetrics-text;;version=1.0.0 ;q=1', om),
                     (b'Accept: application/openmetrics-text;version=1.0', text),
                     (b'Accept: application/openmetrics-text;q=abc', text),
                     (b'Accept: text/plain;version=0.0.4;q=0.3,application/openmetrics-text;q=0.2', text),
                     (b'Accept: text/plain;version=1.0.0,application/openmetrics-text;q=0.1', om),
                     (b'accept: application/openmetrics-text', om),
                     (b'Accept: text/plain\r\nAccept: application/openmetrics-text', om),
                     (b'', text)]:
    got = content_type(accept + b'\r\n' if accept else b'')
    ok(got == want, '%r: %s' % (accept.decode(), want), got)

# SIGTERM with a connection open: it stops all the same, status 0.
idle = connect()
time.sleep(0.2)
srv.send_signal(signal.SIGTERM)
try:
    rc = srv.wait(10)
except subprocess.TimeoutExpired:
    srv.kill()
    rc = 'killed'
idle.close()
ok(rc == 0, 'serve stops on SIGTERM with status 0, a connection open (%s)' % rc)


def start(args, **kw):
    """serve ARGS on a free port: (process, port), port None when it did not listen."""
    p = subprocess.Popen([vmscope, 'serve'] + args, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    line = p.stderr.readline().decode(errors='replace')
    m = re.search(r'^vmscope: serving http://(.*):(\d+)/metrics$', line)
    return p, (m.group(1), int(m.group(2))) if m else line


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        return p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        return 'killed'


def get(where, timeout=10, reset_after=None):
    """The answer to GET /metrics at where; with reset_after, the
    connection reset (SO_LINGER 0) once that many bytes are in."""
    s = socket.create_connection(where, timeout=timeout)
    s.sendall(b'GET /metrics HTTP/1.1\r\n\r\n')
    data = b''
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
        if reset_after and len(data) > reset_after:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\0\0\0\0\0\0\0')
            break
    s.close()
    return data


# Targets named twice, by pid and by a NAME that matches them: each once.
sleeps = [subprocess.Popen(['sleep', '31415%d' % i]) for i in (1, 2)]
p1, p2 = sorted(x.pid for x in sleeps)
p, where = start(['-l', '127.0.0.1:0', '--full', str(p2), str(p1), str(p2), 'sleep 31415[12]'])
if isinstance(where, tuple):
    body = get(where).decode(errors='replace')
    pss = re.findall(r'^vmscope_process_memory_bytes\{pid="(\d+)",[^}]*measure="pss"\}', body, re.M)
    ok(sorted(pss) == sorted([str(p1), str(p2)]),
       'serve P2 P1 P2 NAME (matching both): the PSS of each once', pss, body[:300])
    stop(p)
else:
    ok(False, 'serve P2 P1 P2 NAME starts', where)
for x in sleeps:
    x.kill()
    x.wait()

# --listen: what is no address, and IPv6's loopback where there is one.
for spec, msg in [('::1', "--listen takes ADDR:PORT, [ADDR]:PORT or PORT, not '::1'"),
                  ('127.0.0.1:', "--listen takes ADDR:PORT, [ADDR]:PORT or PORT, not '127.0.0.1:'"),
                  ('[::1]', "--listen takes ADDR:PORT, [ADDR]:PORT or PORT, not '[::1]'"),
                  ('[]:0', "cannot listen on '[]:0': ")]:
    r = subprocess.run([vmscope, 'serve', '-l', spec, '1'], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=10)
    err = r.stderr.decode(errors='replace')
    ok(r.returncode == 2 and err.startswith('vmscope: ' + msg), '--listen %s: exit 2, said' % spec,
       r.returncode, err)
if socket.has_ipv6 and subprocess.run(['python3', '-c', 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))'],
                                      stderr=subprocess.DEVNULL).returncode == 0:
    p, where = start(['-l', '[::1]:0', '1'])
    ok(isinstance(where, tuple) and where[0] == '[::1]' and
       get(('::1', where[1])).startswith(b'HTTP/1.1 200'),
       'serve -l [::1]:0 says its address in brackets and answers there', where)
    stop(p)
else:
    ok(True, 'serve -l [::1]:0 # SKIP no IPv6 loopback here')

# An answer of megabytes (a captured tree of 501 processes, each named),
# more than the socket takes at once: sent as the client reads it, whole; a
# client that resets half-way through does not stop the server.
import shutil, tempfile
tree = tempfile.mkdtemp()
target = subprocess.Popen(['sleep', '300'])
cap = os.path.join(tree, 'cap')
r = subprocess.run([vmscope, 'capture', str(target.pid), '-o', cap], stderr=subprocess.PIPE, timeout=30)
target.kill()
target.wait()
for i in range(500):
    subprocess.run(['cp', '-al', os.path.join(cap, 'proc', str(target.pid)),
                    os.path.join(cap, 'proc', str(5000000 + i))], check=True)
p, where = start(['-l', '127.0.0.1:0', '--proc-root', os.path.join(cap, 'proc'), 'sleep'])


if r.returncode == 0 and isinstance(where, tuple):
    data = get(('127.0.0.1', where[1]), timeout=20)
    head, _, body = data.partition(b'\r\n\r\n')
    m = re.search(rb'Content-Length: (\d+)', head)
    # (the copies keep the stat, and so the pid, of the process copied)
    pss = re.findall(rb'^vmscope_process_memory_bytes\{[^}]*measure="pss"\}', body, re.M)
    ok(data.startswith(b'HTTP/1.1 200') and m and int(m.group(1)) == len(body) and len(pss) == 501,
       'an answer of %d bytes, 501 processes, more than the socket takes at once: whole' % len(body),
       head[:300], len(pss))
    get(('127.0.0.1', where[1]), reset_after=100000)
    t, data = request(b'GET / HTTP/1.1\r\n\r\n', where=('127.0.0.1', where[1]))
    ok(data.startswith(b'HTTP/1.1 200'), 'after a client reset half-way through its answer, the next is answered',
       data[:200])
    stop(p)
else:
    ok(False, 'serve of a captured tree of 501 processes starts', r.stderr, where)
shutil.rmtree(tree)

# Out of file descriptors. With 4 (0 to 2, and /proc) no socket: exit 1.
import resource


def fds(k):
    return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (k, k))


r = subprocess.run([vmscope, 'serve', '-l', '127.0.0.1:0', '1'], stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=fds(4), timeout=10)
err = r.stderr.decode(errors='replace')
ok(r.returncode == 1 and err == 'vmscope: cannot listen on 127.0.0.1:0: Too many open files\n',
   'serve with no descriptor left for its socket: exit 1, said', r.returncode, err)
# With 16, 30 idle connections take them all: the rest wait in the queue
# (accept pauses), and once the idle ones close a scrape is answered.
p, where = start(['-l', '127.0.0.1:0', '1'], preexec_fn=fds(16))
if isinstance(where, tuple):
    def cpu_ticks():
        with open('/proc/%d/stat' % p.pid) as f:
            return sum(int(x) for x in f.read().rsplit(')', 1)[1].split()[11:13])

    idle = [socket.create_connection(('127.0.0.1', where[1]), timeout=10) for _ in range(30)]
    time.sleep(0.2)
    ticks = cpu_ticks()
    time.sleep(1)
    ticks = cpu_ticks() - ticks
    ok(ticks < 20, 'serve out of descriptors, connections waiting: it pauses, not spins '
       '(%d of 100 ticks of CPU in 1 s)' % ticks)
    for c in idle:
        c.close()
    t0 = time.monotonic()
    body = get(('127.0.0.1', where[1]))
    ok(body.startswith(b'HTTP/1.1 200') and p.poll() is None,
       'serve out of descriptors with 30 connections open answers once they close (%.2f s)'
       % (time.monotonic() - t0), body[:200])
    ok(stop(p) == 0, 'and stops on SIGTERM with status 0')
else:
    ok(False, 'serve with 16 descriptors starts', where)
print('1..%d' % n)
sys.exit(1 if failed else 0)
