"""When a request reached this host: the kernel's receive time of the bytes the server read.

Why: the served simulator counts an answer's latency from the request's arrival. Taking the time when a
handler thread got round to reading it counts the server's own delays as network: a handler thread being
started for a new connection, waiting for the GIL while nine others parse their requests, or busy with the
request before it on a kept-alive connection. A real API reads concurrent requests side by side, so none of
that belongs in a latency figure (issue 10: ten new connections at once were read up to 20 ms apart on a
busy machine, and every answer after the first came that much later). Linux stamps each received packet
(`SO_TIMESTAMPNS`), and a TCP read returns the stamp of the newest packet it copied: no byte of what was
read arrived after it, so counting from it never answers early. Where the stamp is missing (another system,
a packet that came before stamping was on), the time of the read counts, as before.
"""

from __future__ import annotations

import io
import platform
import socket
import struct
import sys
import time
from typing import Any

_SO_TIMESTAMPNS: int | None = getattr(socket, "SO_TIMESTAMPNS", None)
if _SO_TIMESTAMPNS is None and sys.platform == "linux" and platform.machine() in ("x86_64", "aarch64"):
    _SO_TIMESTAMPNS = 35  # <asm-generic/socket.h>; Python's socket module does not name it
_SCM_TIMESTAMPNS = _SO_TIMESTAMPNS  # the control message has the option's number
_TIMESPEC = struct.Struct("@ll")  # struct timespec: seconds, nanoseconds (long each)
_ANCILLARY_SPACE = socket.CMSG_SPACE(_TIMESPEC.size) if hasattr(socket, "CMSG_SPACE") else 0
_OLDEST_S = 600.0
"""A stamp older than this (or in the future) is not believed: the read's own time counts instead."""


def stamp_arrivals(sock: socket.socket) -> bool:
    """Ask the kernel to stamp what `sock` receives (a listening socket passes it on to accepted ones)."""
    if _SO_TIMESTAMPNS is None or not _ANCILLARY_SPACE or not hasattr(sock, "recvmsg_into"):
        return False
    try:
        sock.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMPNS, 1)
    except OSError:
        return False
    return True


class StampedReader(io.RawIOBase):
    """A connection's raw reads (for an `io.BufferedReader`), each noting when the newest bytes it returned
    reached this host (`arrival`, on the `time.perf_counter` clock; None when the kernel gave no stamp)."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self._sock = sock
        self.arrival: float | None = None

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._sock.fileno()

    def readinto(self, buffer: Any) -> int:
        size, ancillary, _flags, _address = self._sock.recvmsg_into([buffer], _ANCILLARY_SPACE)
        self.arrival = None
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == _SCM_TIMESTAMPNS and len(data) >= _TIMESPEC.size:
                seconds, nanoseconds = _TIMESPEC.unpack_from(data)
                self.arrival = _on_perf_clock(seconds * 1_000_000_000 + nanoseconds)
        return size

    def arrived(self) -> float:
        """When the newest bytes read so far reached this host (`time.perf_counter` clock); now when the
        kernel did not say."""
        return time.perf_counter() if self.arrival is None else self.arrival


def _on_perf_clock(stamp_ns: int) -> float | None:
    """A wall-clock stamp (the kernel's) as a `time.perf_counter` value, read at once so a step of the wall
    clock in between is unlikely; None for a stamp from the future or older than `_OLDEST_S`."""
    now = time.perf_counter()
    age = (time.time_ns() - stamp_ns) / 1e9
    return now - age if 0.0 <= age < _OLDEST_S else None
