"""The chat benchmark's WebSocket client: a plain asyncio socket that offers permessage-deflate as a browser does,
counts every frame's bytes as they arrive on the socket (wire bytes) and inflates the messages (payload bytes).
And the same compression applied to messages that were never sent (the seed's), to price them on the same wire.

RFC 6455 framing by hand, just enough for Quarry: masked frames up, unmasked frames down, fragments, ping/pong,
close. RFC 7692 permessage-deflate: the first frame of a compressed message has RSV1 set; its payload, with the
`00 00 ff ff` that the sender stripped appended again, is raw deflate inflated by one decompressor kept for the
socket's life (which also reads a sender that resets its compressor after every message)."""
import asyncio
import base64
import os
import struct
import zlib
from time import monotonic_ns

# What a browser offers (Chromium sends exactly this).
OFFER = "permessage-deflate; client_max_window_bits"
TAIL = b"\x00\x00\xff\xff"

# The server's zlib settings that the handshake does not tell: SocketCompression.standard in
# Sources/Server/ServerConfiguration.swift (compression level 6, memLevel 2). Only the seed's simulated wire bytes
# depend on them; the run checks them by pricing Quarry's own messages the same way and comparing with what was
# received. The server writes each compressed message as one frame (it compresses them itself, primed with the
# last kilobyte it sent); should a message ever come in several frames, the largest frame seen is used.
SERVER_LEVEL = 6
SERVER_MEM_LEVEL = 2
SERVER_FRAGMENT = 1 << 30


class Extension:
    """The permessage-deflate parameters a server agreed to (its `Sec-WebSocket-Extensions` answer)."""

    def __init__(self, header):
        self.header = header
        self.params = {}
        element = header.split(",")[0].split(";")
        if element[0].strip() != "permessage-deflate":
            raise ValueError(f"the server answered an extension that was not offered: {header!r}")
        for part in element[1:]:
            name, _, value = part.strip().partition("=")
            self.params[name.strip()] = value.strip().strip('"') or True

    @property
    def server_window_bits(self):
        return int(self.params.get("server_max_window_bits", 15))

    @property
    def client_window_bits(self):
        value = self.params.get("client_max_window_bits", 15)
        return 15 if value is True else int(value)

    @property
    def server_keeps_context(self):
        return "server_no_context_takeover" not in self.params

    @property
    def client_keeps_context(self):
        return "client_no_context_takeover" not in self.params

    def describe(self):
        """The agreement as the server wrote it, normalised."""
        return "; ".join(["permessage-deflate"] + [name if value is True else f"{name}={value}"
                                                     for name, value in self.params.items()])


def fragment_size(messages, default=SERVER_FRAGMENT):
    """The most compressed bytes the server put in one frame, read from messages that came in several frames."""
    sizes = [len(frame) for message in messages if message.compressed and message.frames > 1
             for frame in message.raw[:-1]]
    return max(sizes) if sizes else default


def header_size(length):
    """Bytes of an unmasked frame header (server to client) for a payload of `length` bytes."""
    return 2 if length < 126 else 4 if length < 65536 else 10


class Message:
    """One data message as it arrived: its inflated payload, and the frames and bytes it took on the socket."""
    __slots__ = ("payload", "wire", "frames", "compressed", "raw", "arrived")

    def __init__(self, payload, wire, frames, compressed, raw, arrived):
        self.payload, self.wire, self.frames, self.compressed = payload, wire, frames, compressed
        self.raw = raw             # the frames' payloads as received
        self.arrived = arrived     # CLOCK_MONOTONIC ns when its last frame had been read


class ChatSocket:
    """One WebSocket to Quarry's /socket with a session cookie; `offer`: offer permessage-deflate."""

    def __init__(self, reader, writer, extension):
        self.reader, self.writer = reader, writer
        self.extension = extension
        self.control_bytes = 0          # ping/pong/close frames received (not part of any message)
        self.inflater = self.deflater = None
        if extension:
            self.inflater = zlib.decompressobj(wbits=-extension.server_window_bits)
            # zlib cannot write a raw deflate stream with an 8-bit window; 9 is the smallest it writes.
            self.deflater_bits = max(9, extension.client_window_bits)
            self.deflater = zlib.compressobj(6, zlib.DEFLATED, -self.deflater_bits)

    @classmethod
    async def open(cls, port, cookie, offer=True, path="/socket", local=None):
        """`local`: the loopback address to connect from (e.g. 127.0.0.2, to be another peer); None: the default."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port,
                                                       local_addr=(local, 0) if local else None)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"Origin: http://127.0.0.1:{port}",
                 "Upgrade: websocket", "Connection: Upgrade", f"Sec-WebSocket-Key: {key}",
                 "Sec-WebSocket-Version: 13", f"Cookie: {cookie}"]
        if offer:
            lines.append(f"Sec-WebSocket-Extensions: {OFFER}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)).decode("latin-1").split("\r\n")
        if head[0].split(" ")[1] != "101":
            writer.close()
            raise ConnectionError(f"the socket's handshake was answered {head[0]!r}")
        extension = None
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "sec-websocket-extensions" and value.strip():
                if not offer:
                    raise ConnectionError(f"the server chose an extension that was not offered: {value.strip()!r}")
                extension = Extension(value.strip())
        return cls(reader, writer, extension)

    def close(self):
        self.writer.close()

    async def send_text(self, text):
        """One text message, compressed as a browser would when permessage-deflate was agreed."""
        payload, first = text.encode(), 0x81
        if self.deflater:
            payload = self.deflater.compress(payload) + self.deflater.flush(zlib.Z_SYNC_FLUSH)
            assert payload.endswith(TAIL)
            payload = payload[:-4]
            first |= 0x40   # RSV1: this message is compressed
            if not self.extension.client_keeps_context:
                self.deflater = zlib.compressobj(6, zlib.DEFLATED, -self.deflater_bits)
        self.writer.write(masked_frame(first, payload))
        await self.writer.drain()

    async def receive(self, timeout=30):
        """The next data message (pings are answered, close raises ConnectionError)."""
        parts, wire, frames, compressed = [], 0, 0, None
        while True:
            head = await asyncio.wait_for(self.reader.readexactly(2), timeout)
            length, size = head[1] & 0x7F, 2
            if length == 126:
                length, size = struct.unpack("!H", await self.reader.readexactly(2))[0], 4
            elif length == 127:
                length, size = struct.unpack("!Q", await self.reader.readexactly(8))[0], 10
            if head[1] & 0x80:
                raise ConnectionError("the server sent a masked frame")
            payload = await self.reader.readexactly(length)
            opcode = head[0] & 0x0F
            if opcode >= 0x8:
                self.control_bytes += size + length
                if opcode == 0x9:
                    self.writer.write(masked_frame(0x8A, payload))
                elif opcode == 0x8:
                    code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                    raise ConnectionError(f"the server closed the socket (code {code})")
                continue
            if compressed is None:
                compressed = bool(head[0] & 0x40)
                if compressed and not self.inflater:
                    raise ConnectionError("a compressed frame on a socket without permessage-deflate")
            wire += size + length
            frames += 1
            parts.append(payload)
            if head[0] & 0x80:
                break
        raw = parts
        data = b"".join(parts)
        if compressed:
            data = self.inflater.decompress(data + TAIL)
            if self.inflater.eof:   # a sender that ended the deflate stream (BFINAL): start a new one
                self.inflater = zlib.decompressobj(wbits=-self.extension.server_window_bits)
        return Message(data, wire, frames, compressed, raw, monotonic_ns())


def masked_frame(first, payload):
    mask = os.urandom(4)
    n = len(payload)
    length = bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack("!H", n) if n < 65536 else \
        bytes([0x80 | 127]) + struct.pack("!Q", n)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([first]) + length + mask + masked


class WirePricer:
    """What messages cost on the wire under an agreed permessage-deflate (None: uncompressed), compressed as the
    server compresses: the agreed window, its compressor kept between messages or not as agreed, the server's zlib
    level and memLevel, and at most `fragment` compressed bytes per frame. `keeps_context` and `window_bits`
    override the agreement, for what-ifs."""

    def __init__(self, extension, level=SERVER_LEVEL, mem_level=SERVER_MEM_LEVEL, fragment=SERVER_FRAGMENT,
                 keeps_context=None, window_bits=None):
        self.extension = extension
        self.level, self.mem_level, self.fragment = level, mem_level, fragment
        if extension:
            self.keeps_context = extension.server_keeps_context if keeps_context is None else keeps_context
            self.bits = max(9, window_bits or extension.server_window_bits)
        self.deflater = None
        self.payload = self.wire = self.messages = self.frames = 0

    def add(self, message):
        """Prices one message (bytes or str); returns its wire bytes."""
        if isinstance(message, str):
            message = message.encode()
        self.payload += len(message)
        self.messages += 1
        if not self.extension:
            self.frames += 1
            cost = header_size(len(message)) + len(message)
            self.wire += cost
            return cost
        if self.deflater is None or not self.keeps_context:
            self.deflater = zlib.compressobj(self.level, zlib.DEFLATED, -self.bits, self.mem_level)
        data = self.deflater.compress(message) + self.deflater.flush(zlib.Z_SYNC_FLUSH)
        # As libwebsockets 4.1 sends it: the deflate stream (its 00 00 ff ff tail included) in frames of at most
        # `fragment` bytes, the tail cut from the last frame. When the tail straddles two frames it cannot be cut,
        # and lws sends its last bytes and one more (seen: 3 bytes go out as 4).
        pieces = [len(data[start:start + self.fragment]) for start in range(0, len(data), self.fragment)]
        pieces[-1] = pieces[-1] - 4 if pieces[-1] >= 4 else pieces[-1] + 1
        cost = 0
        for piece in pieces:
            cost += header_size(piece) + piece
            self.frames += 1
        self.wire += cost
        return cost
