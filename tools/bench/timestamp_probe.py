"""A subscriber that measures without the client's own delay: it reads a plain socket with recvmsg and takes the
kernel's receive timestamp (SO_TIMESTAMPNS) of each frame, i.e. when the server's write reached this socket.

With 1,000 subscribers the client reads 1,000 sockets one after another, so the latency it observes includes its
own queueing; the kernel timestamp does not. A sample of the subscribers are probes: the server writes to its
sockets in the order it accepted them, so the driver spreads the probes evenly in that order, the last socket
included. WebSocket framing is done by hand, just enough for this server: unmasked frames down, masked frames up.
"""
import asyncio
import base64
import os
import socket
import struct
import time
from time import monotonic_ns

from bench_support import ERROR, SUBSCRIBED, record

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
TIMESPEC = struct.Struct("qq")


def realtime_offset():
    """CLOCK_REALTIME − CLOCK_MONOTONIC in ns (kernel timestamps are realtime, publish times monotonic)."""
    samples = []
    for _ in range(9):
        before = time.monotonic_ns()
        real = time.time_ns()
        after = time.monotonic_ns()
        samples.append((after - before, real - (before + after) // 2))
    return min(samples)[1]


def masked_text_frame(payload):
    mask = os.urandom(4)
    header = bytes([0x81, 0x80 | len(payload)]) if len(payload) < 126 else \
        bytes([0x81, 0x80 | 126]) + struct.pack("!H", len(payload))
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class Probe:
    """One subscriber on a plain socket, recording kernel receive timestamps besides its own receive times."""

    def __init__(self, tally, subscribe, offset):
        self.tally, self.subscribe, self.offset = tally, subscribe, offset
        self.sock = None
        self.buffer = bytearray()
        self.partial = []
        self.ready = self.closed = self.closing = False
        self.run = None
        self.next_seq = 0

    async def open(self, port):
        loop = asyncio.get_running_loop()
        self.sock = socket.socket()
        self.sock.setblocking(False)
        await loop.sock_connect(self.sock, ("127.0.0.1", port))
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        await loop.sock_sendall(self.sock, (
            f"GET /socket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        while b"\r\n\r\n" not in self.buffer:
            chunk = await loop.sock_recv(self.sock, 4096)
            if not chunk:
                raise ConnectionError("the server closed the probe's handshake")
            self.buffer += chunk
        head, _, rest = bytes(self.buffer).partition(b"\r\n\r\n")
        if head.split(b" ", 2)[1] != b"101":
            raise ConnectionError(f"the probe's handshake was answered {head.splitlines()[0]!r}")
        self.buffer = bytearray(rest)
        await loop.sock_sendall(self.sock, masked_text_frame(self.subscribe))
        loop.add_reader(self.sock.fileno(), self.readable)
        self.frames(monotonic_ns(), None)
        return self

    def disconnect(self):
        self.closing = True
        if self.sock is not None and not self.closed:
            asyncio.get_running_loop().remove_reader(self.sock.fileno())
            self.sock.close()
            self.closed = True

    def readable(self):
        now = monotonic_ns()
        try:
            data, ancillary, _, _ = self.sock.recvmsg(1 << 18, socket.CMSG_SPACE(TIMESPEC.size))
        except BlockingIOError:
            return
        except OSError:
            data, ancillary = b"", []
        if not data:
            if not self.closing:
                self.tally.closed += 1
            self.disconnect()
            return
        kernel = None
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                seconds, nanoseconds = TIMESPEC.unpack(value[:TIMESPEC.size])
                kernel = seconds * 1_000_000_000 + nanoseconds - self.offset
        self.buffer += data
        self.frames(now, kernel)

    def frames(self, now, kernel):
        buffer = self.buffer
        while len(buffer) >= 2:
            length, start = buffer[1] & 0x7F, 2
            if length == 126:
                length, start = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                length, start = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < start + length:
                break
            fin, opcode = buffer[0] & 0x80, buffer[0] & 0x0F
            payload = bytes(buffer[start:start + length])
            del buffer[:start + length]
            if opcode == 0x9:      # ping: answer with a masked pong
                self.sock.send(bytes([0x8A, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)
            elif opcode == 0x8:    # close
                if not self.closing:
                    self.tally.closed += 1
                self.disconnect()
                return
            elif opcode in (0x0, 0x1):
                self.partial.append(payload)
                if fin:
                    self.message(b"".join(self.partial), now, kernel)
                    self.partial = []

    def message(self, payload, now, kernel):
        if self.ready:
            record(self, payload, now, kernel)
        elif SUBSCRIBED in payload:
            self.ready = True
            self.tally.ready += 1
        elif ERROR in payload:
            self.tally.errors += 1
