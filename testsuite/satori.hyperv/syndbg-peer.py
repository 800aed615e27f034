#!/usr/bin/env python3
# testsuite/satori.hyperv/syndbg-peer.py N: the debugger's side of
# syndbg-dev.exp.  Binds a UDP socket on 127.0.0.1 (any free port), prints
# "port P" and flushes, then for each of N datagrams prints "got HEX" and
# answers the sender with b"reply:" + the datagram.  Gives up after 120 s
# without a datagram ("timeout").
import socket
import sys

n = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(120)
print("port %d" % s.getsockname()[1], flush=True)
for _ in range(n):
    try:
        data, peer = s.recvfrom(65536)
    except socket.timeout:
        print("timeout", flush=True)
        break
    print("got %s" % data.hex(), flush=True)
    s.sendto(b"reply:" + data, peer)
