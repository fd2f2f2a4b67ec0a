"""The socket benchmark's client side: picows sockets that subscribe and record what they receive, and a small
keep-alive HTTP client for pages."""
import asyncio
import json
import re
import time
from time import monotonic_ns

from picows import WSListener, WSMsgType, ws_connect

PING = json.dumps({"op": "ping"}).encode()        # an unknown op: its error reply proves what came before was read
SUBSCRIBED = b"data-subscribed"                  # the bench server's snapshot
UNKNOWN_OP = b'data-error="unknown_op"'
ERROR = b"data-error="
ENVELOPE = re.compile(rb'data-seq="(\d+)" data-t="(\d+)"')   # as quarry-socket-bench writes them
TEXT, CONTINUATION, CLOSE = WSMsgType.TEXT, WSMsgType.CONTINUATION, WSMsgType.CLOSE
STREAM_NAME = re.compile(rb'signed-stream-name="([^"]+)"')


class Run:
    """What the subscribers received of one `publish`: messages `first` ..< `first + count` of `size` bytes."""

    def __init__(self, first, count, size):
        self.first, self.count, self.size = first, count, size
        self.end = first + count
        self.latencies = []          # receive − publish, ns, one per (message, subscriber)
        self.last = [0] * count      # per message: the latest subscriber's latency
        self.received = 0            # deliveries in order, without duplicates
        self.disorder = 0            # deliveries out of order or duplicated
        self.bytes = 0               # envelope bytes received
        self.kernel_latencies = []   # probes only: arrival in the subscriber's socket − publish, ns
        self.kernel_last = [0] * count   # per message: the latest probe's arrival


def record(subscriber, payload, now, kernel=None):
    """Records the envelopes of one frame that `subscriber` received at `now` (and, for a probe, that reached its
    socket at `kernel`), checking that each subscriber receives every message once and in order."""
    run = subscriber.run
    if run is None:
        return
    run.bytes += len(payload)
    match = ENVELOPE.search(payload)
    while match:   # several envelopes may share one frame
        seq, published = int(match[1]), int(match[2])
        if subscriber.next_seq <= seq < run.end:
            run.disorder += seq != subscriber.next_seq
            subscriber.next_seq = seq + 1
            run.received += 1
            latency = now - published
            run.latencies.append(latency)
            index = seq - run.first
            if latency > run.last[index]:
                run.last[index] = latency
            if kernel is not None:
                arrival = kernel - published
                run.kernel_latencies.append(arrival)
                if arrival > run.kernel_last[index]:
                    run.kernel_last[index] = arrival
        else:
            run.disorder += 1
        # Envelopes are at least run.size bytes with `data-seq` at the same offset in each: skip the padding.
        match = ENVELOPE.search(payload, max(match.end(), match.start() + run.size))


class Tally:
    """Counters shared by every client of one measurement."""

    def __init__(self):
        self.ready = 0               # sockets whose subscribe is known to be processed
        self.closed = 0              # sockets that closed before we closed them
        self.errors = 0              # error envelopes other than the expected unknown_op reply to the ping

    def start_run(self, first, count, size, clients):
        run = Run(first, count, size)
        for client in clients:
            client.run = run
            client.next_seq = first
        return run


def subscribe_message(stream):
    return json.dumps({"op": "subscribe", "stream": stream}).encode()


class Client(WSListener):
    """One socket: subscribes as soon as it is open, then records every envelope it receives."""

    def __init__(self, tally, stream, confirm_by_ping):
        super().__init__()
        self.tally = tally
        self.subscribe = subscribe_message(stream)
        self.confirm_by_ping = confirm_by_ping
        self.transport = None
        self.ready = False
        self.closed = False
        self.closing = False
        self.run = None
        self.next_seq = 0
        self.partial = []

    def on_ws_connected(self, transport):
        self.transport = transport
        transport.send(WSMsgType.TEXT, self.subscribe)
        if self.confirm_by_ping:
            transport.send(WSMsgType.TEXT, PING)

    def on_ws_disconnected(self, transport):
        if not self.closing and not self.closed:
            self.tally.closed += 1
        self.closed = True

    def disconnect(self):
        self.closing = True
        if self.transport is not None and not self.closed:
            self.transport.disconnect(graceful=False)

    def on_ws_frame(self, transport, frame):
        # The hot path: kept short, as every microsecond here is the load generator's, not the server's.
        now = monotonic_ns()
        if frame.msg_type is not TEXT or not frame.fin or not self.ready or self.partial:
            self.other_frame(transport, frame, now)
        else:
            record(self, frame.get_payload_as_bytes(), now)

    def other_frame(self, transport, frame, now):
        kind = frame.msg_type
        if kind is CLOSE:
            transport.send_close(frame.get_close_code())
            transport.disconnect()
            return
        if kind is not TEXT and kind is not CONTINUATION:
            return
        self.partial.append(frame.get_payload_as_bytes())
        if not frame.fin:
            return
        payload = b"".join(self.partial)
        self.partial = []
        if self.ready:
            record(self, payload, now)
        else:
            self.accept_reply(payload)

    def accept_reply(self, payload):
        if (UNKNOWN_OP in payload) if self.confirm_by_ping else (SUBSCRIBED in payload):
            self.ready = True
            self.tally.ready += 1
        elif ERROR in payload:
            self.tally.errors += 1


def picows_client(port, tally, cookie, stream, confirm_by_ping):
    """Opens one picows socket (cookie: the session, if any). `confirm_by_ping`: send an unknown op after the
    subscribe and count the socket ready at its error reply (for servers without snapshots)."""
    async def open_():
        headers = {"Cookie": cookie} if cookie else None
        _, client = await ws_connect(lambda: Client(tally, stream, confirm_by_ping), f"ws://127.0.0.1:{port}/socket",
                                     extra_headers=headers, read_buffer_init_size=4096, websocket_handshake_timeout=30)
        return client
    return open_


async def connect_all(openers, batch=200):
    """Opens a socket with each of `openers` (functions returning a coroutine that opens one), `batch` handshakes at
    a time (a burst of thousands of SYNs overflows the listen backlog); returns the sockets and the errors of those
    refused."""
    sockets, refused = [], []
    for i in range(0, len(openers), batch):
        results = await asyncio.gather(*(opener() for opener in openers[i:i + batch]), return_exceptions=True)
        for result in results:
            (refused if isinstance(result, BaseException) else sockets).append(result)
    return sockets, refused


async def http_request(reader, writer, port, path):
    """One GET on a keep-alive connection: (status, headers with lower-cased names, body)."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        if name:
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return int(head[0].split()[1]), headers, body


async def http_get(port, path):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        return await http_request(reader, writer, port, path)
    finally:
        writer.close()


async def until_serving(server, port, what="quarry serve", timeout=30):
    """Waits until `server` (a bench_system Process) answers /healthz on `port`; fails, with its log's tail, if it
    exits first or takes longer than `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if (await http_get(port, "/healthz"))[0] == 200:
                return
        except OSError:
            pass
        server.check_alive()
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer /healthz within {timeout} s" + server.log_tail())
        await asyncio.sleep(0.05)


async def fetch_pages(port, count, workers=8):
    """GET / `count` times as `count` new browsers would: a (session cookie, signed stream name) pair each."""
    pages = []

    async def worker(share):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for _ in range(share):
                status, headers, body = await http_request(reader, writer, port, "/")
                match = STREAM_NAME.search(body)
                if status != 200 or not match or "set-cookie" not in headers:
                    raise RuntimeError(f"GET / answered {status} without a session or a stream name")
                pages.append((headers["set-cookie"].split(";", 1)[0], match.group(1).decode()))
        finally:
            writer.close()
    await asyncio.gather(*(worker(count // workers + (i < count % workers)) for i in range(workers)))
    return pages
