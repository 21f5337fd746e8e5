#!/usr/bin/python3
"""Linux-side TCP peers for tests/cli_run_tcp.sh (T-2, DS-1..DS-6, S-1).

  tcp_interop.py echo DEST PORT BYTES     connect (AF_INET for a.b.c.d, else
                                          AF_INET6), send BYTES random bytes
                                          while reading them back; they must
                                          come back identical (DEST may
                                          be fe80::..%IFNAME). Prints
                                          "local ADDR PORT".
  tcp_interop.py many DEST PORT N         N connections open at once, each
                                          echoing its own 1000 bytes
  tcp_interop.py refused DEST PORT        connect must fail: ECONNREFUSED
  tcp_interop.py discard DEST PORT BYTES  send BYTES, half-close; the server
                                          must close after reading them
  tcp_interop.py chargen DEST PORT BYTES  read BYTES; they must be RFC 864's
                                          pattern from its first line
  tcp_interop.py sink BIND PORT           listen; accept one; read to EOF;
                                          print "bytes N sha256 HEX"
  tcp_interop.py source BIND PORT BYTES   listen; accept one; send BYTES of
                                          random data, close; print the same

The servers print "listening" once they are, and give up after 300 s. Each
client waits at most 10 s for any one step. Exits 0 on success, 1 with a
message otherwise."""
import errno
import hashlib
import os
import socket
import sys
import threading
import time

STEP = 10.0
CHUNK = 1 << 16


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def connect(dest, port):
    s = socket.socket(family(dest), socket.SOCK_STREAM)
    s.settimeout(STEP)
    # getaddrinfo takes a zone (fe80::1%tap0) into sin6_scope_id
    s.connect(socket.getaddrinfo(dest, port, family(dest), socket.SOCK_STREAM)[0][4])
    return s


def read_all(s, want=None):
    got = bytearray()
    while want is None or len(got) < want:
        d = s.recv(CHUNK if want is None else min(CHUNK, want - len(got)))
        if not d:
            break
        got += d
    return bytes(got)


def echo(dest, port, nbytes):
    s = connect(dest, port)
    data = os.urandom(nbytes)
    err = []

    def send():
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            err.append(e)
    t = threading.Thread(target=send)
    t.start()
    back = read_all(s)
    t.join()
    if err:
        sys.exit("send: %s" % err[0])
    local = s.getsockname()
    s.close()
    if back != data:
        sys.exit("echo differs: sent %d bytes, got %d back" % (len(data), len(back)))
    print("ok: %d bytes echoed by %s port %d" % (nbytes, dest, port))
    print("local %s %d" % (local[0], local[1]))


def many(dest, port, n):
    conns = [connect(dest, port) for _ in range(n)]
    datas = [os.urandom(1000) for _ in range(n)]
    for s, d in zip(conns, datas):
        s.sendall(d)
    for s, d in zip(conns, datas):
        back = read_all(s, len(d))
        if back != d:
            sys.exit("connection %r: echo differs" % (s.getsockname(),))
    for s in conns:
        s.close()
    print("ok: %d connections open at once, each echoed" % n)


def refused(dest, port):
    s = socket.socket(family(dest), socket.SOCK_STREAM)
    s.settimeout(STEP)
    try:
        s.connect((dest, port))
    except ConnectionRefusedError:
        print("ok: connection to %s port %d refused" % (dest, port))
        return
    sys.exit("connection to %s port %d was accepted" % (dest, port))


def discard(dest, port, nbytes):
    s = connect(dest, port)
    s.sendall(os.urandom(nbytes))
    s.shutdown(socket.SHUT_WR)
    if read_all(s):
        sys.exit("discard sent data back")
    print("ok: %d bytes discarded, then closed" % nbytes)


def chargen_pattern(n):
    line = [bytes(32 + (k + c) % 95 for c in range(72)) + b"\r\n" for k in range(95)]
    period = b"".join(line)
    return (period * (n // len(period) + 1))[:n]


def chargen(dest, port, nbytes):
    s = connect(dest, port)
    got = read_all(s, nbytes)
    s.close()
    if len(got) != nbytes:
        sys.exit("chargen: %d bytes, expected %d" % (len(got), nbytes))
    if got != chargen_pattern(nbytes):
        sys.exit("chargen: not the RFC 864 pattern")
    print("ok: %d bytes of RFC 864 pattern" % nbytes)


def serve(bind, port):
    ls = socket.socket(family(bind), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((bind, port))
    ls.listen(1)
    ls.settimeout(300)
    print("listening", flush=True)
    s, peer = ls.accept()
    s.settimeout(60)
    print("peer %s %d" % (peer[0], peer[1]), flush=True)
    return s


def report(n, h, t0):
    sec = time.monotonic() - t0
    print("bytes %d sha256 %s seconds %.3f MBps %.1f" % (n, h.hexdigest(), sec,
                                                        n / sec / 1e6 if sec else 0), flush=True)


def sink(bind, port):
    s = serve(bind, port)
    h = hashlib.sha256()
    n = 0
    t0 = time.monotonic()
    buf = bytearray(1 << 20)
    while True:
        k = s.recv_into(buf)
        if not k:
            break
        h.update(memoryview(buf)[:k])
        n += k
    report(n, h, t0)
    s.close()


def source(bind, port, nbytes):
    s = serve(bind, port)
    block = os.urandom(16 << 20)  # repeated: a 16 MiB period
    h = hashlib.sha256()
    n = 0
    t0 = time.monotonic()
    view = memoryview(block)
    while n < nbytes:
        k = min(len(block), nbytes - n)
        s.sendall(view[:k])
        h.update(view[:k])
        n += k
    s.shutdown(socket.SHUT_WR)
    read_all(s)  # duet's close
    report(n, h, t0)
    s.close()


def main(argv):
    cmds = {"echo": (echo, 3), "many": (many, 3), "refused": (refused, 2),
            "discard": (discard, 3), "chargen": (chargen, 3), "sink": (sink, 2),
            "source": (source, 3)}
    if len(argv) < 2 or argv[1] not in cmds or len(argv) != 2 + cmds[argv[1]][1]:
        sys.exit(__doc__)
    fn, n = cmds[argv[1]]
    args = [argv[2]] + [int(a) for a in argv[3:]]
    try:
        fn(*args)
    except OSError as e:
        sys.exit("%s: %s" % (argv[1], e))


if __name__ == "__main__":
    main(sys.argv)
