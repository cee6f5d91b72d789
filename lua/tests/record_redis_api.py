#!/usr/bin/env python3
"""Records Redis 7.0's replies to the scripts in cases/redis_api/*.cases,
so tests/redis_api.rs can check our `redis` table and reply conversions
without a Redis.

Each case line is "P<TAB>SCRIPT": P is the client's protocol (2 or 3,
set with HELLO), SCRIPT one line run with EVAL ... 0 on an empty
database. NAME.expected gets the exact reply bytes, one line per case,
with bytes outside printable ASCII and the backslash as \\xNN, and the
" script: SHA, on @user_script:N." suffix of script errors removed (the
engine adds it, not the VM).

Usage: lua/tests/record_redis_api.py [PORT]   (a running redis-server 7.0)
"""
import glob
import os
import re
import socket
import sys


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def _fill(self, pred):
        while not pred():
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk

    def _line(self):
        self._fill(lambda: b"\r\n" in self.buf)
        i = self.buf.index(b"\r\n") + 2
        line, self.buf = self.buf[:i], self.buf[i:]
        return line

    def _take(self, n):
        self._fill(lambda: len(self.buf) >= n)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def reply(self):
        line = self._line()
        kind = line[:1]
        if kind in b"$=!":
            n = int(line[1:-2])
            return line if n < 0 else line + self._take(n + 2)
        if kind in b"*~>%":
            n = max(int(line[1:-2]), 0) * (2 if kind == b"%" else 1)
            return line + b"".join(self.reply() for _ in range(n))
        return line

    def command(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self.reply()


SUFFIX = re.compile(rb" script: [0-9a-f]{40}, on @user_script:\d+\.")


def escape(b):
    return "".join(
        chr(c) if 32 <= c < 127 and c != 92 else "\\x%02x" % c for c in b
    )


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 6397
    c = Client(port)
    if b"redis_version:7.0." not in c.command("INFO", "server"):
        sys.exit("record_redis_api.py: no Redis 7.0 on port %d" % port)
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases/redis_api")
    for path in sorted(glob.glob(os.path.join(here, "*.cases"))):
        lines = []
        with open(path) as f:
            for case in f.read().splitlines():
                proto, script = case.split("\t", 1)
                c.command("HELLO", proto)
                c.command("FLUSHALL")
                reply = SUFFIX.sub(b"", c.command("EVAL", script, "0"))
                lines.append(escape(reply))
        with open(path[: -len(".cases")] + ".expected", "w") as f:
            f.write("\n".join(lines) + "\n")


main()
