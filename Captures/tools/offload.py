#!/usr/bin/env python3
"""Turn off TSO/GSO/GRO/scatter-gather and TX checksum offload on interfaces (no ethtool needed).

Run inside the interface's namespace. Without this, veth hands 64 KB super-segments to
tcpdump and the bridge, and frames carry unfinished checksums.
"""
import ctypes
import fcntl
import socket
import struct
import sys

SIOCETHTOOL = 0x8946
SET = {"tx-checksum": 0x17, "sg": 0x19, "tso": 0x1F, "gso": 0x24, "gro": 0x2C}


def set_off(ifname):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for what, cmd in SET.items():
        buf = ctypes.create_string_buffer(struct.pack("II", cmd, 0))
        ifr = struct.pack("16sP", ifname.encode(), ctypes.addressof(buf))
        try:
            fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifr)
        except OSError as e:
            print(f"{ifname}: cannot turn off {what}: {e}", file=sys.stderr)
    s.close()


if __name__ == "__main__":
    for name in sys.argv[1:]:
        set_off(name)
