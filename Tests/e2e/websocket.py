"""A minimal WebSocket client over the standard library, enough to see the server's close code."""
import base64
import os
import socket
import struct
import zlib


def frame(first, payload, masked=True):
    """One WebSocket frame as a client writes it: `first` (FIN, RSV1-3, opcode), the length as RFC 6455 §5.2
    encodes it, and the payload masked with a random key unless `masked` is False."""
    length = len(payload)
    flag = 0x80 if masked else 0
    if length < 126:
        header = bytes([first, flag | length])
    elif length < 65536:
        header = bytes([first, flag | 126]) + struct.pack("!H", length)
    else:
        header = bytes([first, flag | 127]) + struct.pack("!Q", length)
    if not masked:
        return header + payload
    mask = os.urandom(4)
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class WebSocket:
    def __init__(self, port, path="/socket", headers=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket", "Connection: Upgrade",
                 f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        self.inflater = zlib.decompressobj(-15)  # permessage-deflate: the server's frames share one window
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed during handshake")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        self.status = int(head.split(b" ")[1])
        self.headers = {}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.decode().partition(":")
            self.headers[name.strip().lower()] = value.strip()

    def send_text(self, text):
        self.send_frame(0x81, text.encode())

    def send_frame(self, first, payload, masked=True):
        """Sends one frame: `first` is its first byte (FIN, RSV1-3 and the opcode); a client's frames are masked
        (RFC 6455 §5.3), unless `masked` is False."""
        self.sock.sendall(frame(first, payload, masked))

    def _take(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def next(self):
        """Returns ("text", str) or ("close", code)."""
        while True:
            b0, b1 = self._take(2)
            length = b1 & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._take(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._take(8))[0]
            payload = self._take(length)
            if b0 & 0x40:  # RSV1: compressed (RFC 7692), its 00 00 FF FF tail removed
                payload = self.inflater.decompress(payload + b"\x00\x00\xff\xff")
            opcode = b0 & 0x0F
            if opcode == 8:
                return ("close", struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None)
            if opcode == 1:
                return ("text", payload.decode())
