"""permessage-deflate (RFC 7692) for the benchmark's picows sockets: a client that offers the extension as Chromium
does, compresses what it sends as the server asked, and inflates what it receives, counting bytes on the wire."""
import zlib
from time import monotonic_ns

from picows import WSMsgType, ws_connect

from bench_support import Client, record, PING

OFFER = "permessage-deflate; client_max_window_bits"   # what Chromium sends
TAIL = b"\x00\x00\xff\xff"                                 # removed from each compressed message (RFC 7692 §7.2.1)
TEXT, CONTINUATION, CLOSE = WSMsgType.TEXT, WSMsgType.CONTINUATION, WSMsgType.CLOSE
END = b"</turbo-stream>"


class DeflateClient(Client):
    """A `Client` whose socket may be compressed. It also counts, for `tokens` runs, the envelopes and the bytes it
    received: `wire` as the server sent them, `plain` once inflated."""

    def __init__(self, tally, stream, confirm_by_ping):
        super().__init__(tally, stream, confirm_by_ping)
        self.agreed = None          # the server's Sec-WebSocket-Extensions, None if it sent none
        self.window = 15
        self.inflater = zlib.decompressobj(-15)
        self.parts = []             # a message arriving in several frames
        self.compressed = False     # whether that message is compressed
        self.wire = self.plain = self.envelopes = self.compressed_messages = self.messages = 0
        self.largest = 0
        self.single_wire = self.single_plain = 0   # messages of exactly one envelope
        self.last_wire = 0

    def on_ws_connected(self, transport):
        self.transport = transport
        self.agreed = transport.response.headers.get("Sec-WebSocket-Extensions")
        if self.agreed and "client_max_window_bits=" in self.agreed:
            self.window = int(self.agreed.split("client_max_window_bits=")[1].split(";")[0])
        self.send_text(self.subscribe)
        if self.confirm_by_ping:
            self.send_text(PING)

    def send_text(self, data):
        """Sends one text message, compressed (RSV1) when the extension was agreed; a fresh compressor each time,
        as `client_no_context_takeover` asks."""
        if self.agreed is None:
            self.transport.send(TEXT, data)
            return
        compressor = zlib.compressobj(6, zlib.DEFLATED, -self.window, 8)
        self.transport.send(TEXT, (compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH))[:-4], rsv1=True)

    def on_ws_frame(self, transport, frame):
        now = monotonic_ns()
        kind = frame.msg_type
        if kind is CLOSE:
            transport.send_close(frame.get_close_code())
            transport.disconnect()
            return
        if kind is not TEXT and kind is not CONTINUATION:
            return
        if kind is TEXT:
            self.compressed = frame.rsv1
        payload = frame.get_payload_as_bytes()
        self.wire += len(payload)
        self.parts.append(payload)
        if not frame.fin:
            return
        payload = b"".join(self.parts)
        self.last_wire = len(payload)
        self.parts = []
        if self.compressed:
            self.compressed_messages += 1
            payload = self.inflater.decompress(payload + TAIL)
        self.plain += len(payload)
        self.messages += 1
        self.largest = max(self.largest, len(payload))
        count = payload.count(END)
        self.envelopes += count
        if count == 1:
            self.single_wire += self.last_wire
            self.single_plain += len(payload)
        if self.ready:
            record(self, payload, now)
        else:
            self.accept_reply(payload)

    def reset_counts(self):
        self.wire = self.plain = self.envelopes = self.compressed_messages = self.messages = self.largest = 0
        self.single_wire = self.single_plain = 0


def deflate_client(port, tally, cookie, stream, confirm_by_ping):
    """Opens one socket that offers permessage-deflate (see `picows_client`)."""
    async def open_():
        headers = {"Sec-WebSocket-Extensions": OFFER}
        if cookie:
            headers["Cookie"] = cookie
        _, client = await ws_connect(lambda: DeflateClient(tally, stream, confirm_by_ping),
                                     f"ws://127.0.0.1:{port}/socket", extra_headers=headers,
                                     read_buffer_init_size=4096, websocket_handshake_timeout=30)
        return client
    return open_
