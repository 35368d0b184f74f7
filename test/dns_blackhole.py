#!/usr/bin/env python3
"""A name server on 127.0.0.1:53 (UDP and TCP) that reads queries and never answers.

test/run points the test cluster's resolver at it (a private mount namespace
with its own /etc/resolv.conf), so that a name lookup hangs the way it does
when a real name server is unreachable, without a packet leaving the machine.
Writes "ready" to --ready-file once both sockets are bound; exits when
--parent-pid is gone.  Exits with status 3 if port 53 cannot be bound.
"""
import argparse
import os
import select
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ready-file", required=True)
    ap.add_argument("--parent-pid", type=int)
    ap.add_argument("--port", type=int, default=53)
    args = ap.parse_args()

    try:
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", args.port))
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind(("127.0.0.1", args.port))
        tcp.listen(16)
    except OSError as e:
        sys.stderr.write("dns_blackhole: cannot bind 127.0.0.1:%d: %s\n" % (args.port, e))
        sys.exit(3)
    with open(args.ready_file + ".tmp", "w") as f:
        f.write("ready\n")
    os.replace(args.ready_file + ".tmp", args.ready_file)

    queries = 0
    conns = []
    last_check = 0.0
    while True:
        r, _, _ = select.select([udp, tcp] + conns, [], [], 1.0)
        for s in r:
            if s is udp:
                udp.recvfrom(4096)
                queries += 1
            elif s is tcp:
                c, _ = tcp.accept()
                conns.append(c)
            else:
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    conns.remove(s)
                    s.close()
        now = time.time()
        if args.parent_pid and now - last_check >= 1.0:
            last_check = now
            try:
                os.kill(args.parent_pid, 0)
            except OSError:
                break


if __name__ == "__main__":
    main()
