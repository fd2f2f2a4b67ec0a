"""Limits of the server's transport against the release binary: slow headers, sockets per address, big cookies.

Attackers connect from 127.0.0.2 and the person from 127.0.0.1: the limits are per client address."""
import contextlib
import re
import socket
import zlib

from conftest import get, wait_until
from websocket import WebSocket, frame

ATTACKER = "127.0.0.2"


def signed_stream(html):
    return re.search(r'<quarry-stream-source signed-stream-name="([^"]+)"', html).group(1)


def trickler(port):
    """A connection from the attacker's address that has sent the start of a request's headers, or None if the
    server would not take it."""
    s = socket.socket()
    s.settimeout(5)
    s.bind((ATTACKER, 0))
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    except OSError:
        s.close()
        return None
    return s


@contextlib.contextmanager
def connecting_from(address):
    """Makes WebSocket (which takes no source address) connect from `address`."""
    real = socket.create_connection
    socket.create_connection = lambda target, timeout=None: real(target, timeout, (address, 0))
    try:
        yield
    finally:
        socket.create_connection = real


def still_open(s):
    s.setblocking(False)
    try:
        return s.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def closed_by_server(s):
    try:
        return s.recv(1) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True


def test_slow_headers_from_one_address_leave_page_loads_to_everyone_else(quarry):
    # A long header deadline: only the cap per address can keep the header slots free for the person.
    q = quarry(env={"QUARRY_HEADER_DEADLINE": "60", "QUARRY_MAX_PENDING_HEADERS_PER_PEER": "32"}).wait_ready()
    attackers = [s for s in (trickler(q.port) for _ in range(400)) if s is not None]
    try:
        refused = sum(1 for s in attackers[32:] if closed_by_server(s))
        assert refused == len(attackers) - 32
        status, _, body = get(q.port, "/")  # waits at most 5 s, the attack's headers 60
        assert status == 200 and b"<quarry-stream-source" in body
        assert all(still_open(s) for s in attackers[:32]), "the attack's own connections are still waiting"
    finally:
        for s in attackers:
            s.close()
    assert "too many from one address still sending headers" in q.output()


def test_a_six_kilobyte_cookie_header_keeps_the_session(quarry):
    q = quarry().wait_ready()
    _, headers, body = get(q.port, "/")
    ours = headers["Set-Cookie"].split(";")[0]
    others = ["other_app_%d=%s" % (i, "abcdef0123" * 100) for i in range(6)]
    cookie = "; ".join(others[:3] + [ours] + others[3:])
    assert len(cookie) > 6000
    status, again, again_body = get(q.port, "/", {"Cookie": cookie})
    assert status == 200 and "Set-Cookie" not in again, "the session is kept"
    ws = WebSocket(q.port, headers={"Cookie": cookie})
    assert ws.status == 101
    ws.send_text('{"op":"subscribe","stream":"%s"}' % signed_stream(again_body.decode()))
    assert "threads" in ws.next()[1], "the session stream's snapshot: the socket has the session"


def test_one_address_cannot_hold_every_socket(quarry):
    q = quarry(env={"QUARRY_MAX_CONNECTIONS_PER_PEER": "3", "QUARRY_MAX_CONNECTIONS": "5"}).wait_ready()

    with connecting_from(ATTACKER):
        held = [WebSocket(q.port) for _ in range(5)]
    assert [ws.status for ws in held] == [101, 101, 101, 429, 429]
    assert WebSocket(q.port).status == 101


def test_a_socket_that_never_subscribes_is_closed(quarry):
    q = quarry(env={"QUARRY_SUBSCRIBE_GRACE": "1"}).wait_ready()
    ws = WebSocket(q.port)
    assert ws.status == 101
    assert ws.next() == ("close", 1008)


def test_limit_settings_are_checked(quarry):
    q = quarry(env={"QUARRY_HEADER_DEADLINE": "0"})
    assert q.process.wait(timeout=10) != 0
    assert "QUARRY_HEADER_DEADLINE must be between 1 and 120" in q.output()
    q = quarry(env={"QUARRY_TRUSTED_PROXIES": "10.0.0.0/8"})
    assert q.process.wait(timeout=10) != 0
    assert "QUARRY_TRUSTED_PROXIES takes addresses" in q.output()


def test_a_trusted_proxy_saying_https_gets_a_secure_cookie(quarry):
    q = quarry(env={"QUARRY_TRUSTED_PROXIES": "127.0.0.1"}).wait_ready()
    _, headers, _ = get(q.port, "/", {"X-Forwarded-Proto": "https"})
    assert headers["Set-Cookie"].endswith("; Secure")
    _, headers, _ = get(q.port, "/")
    assert "Secure" not in headers["Set-Cookie"]


def lws_would_abort(payload, piece=128):
    """Whether libwebsockets 4.1.6 aborts on this compressed message (its tail 00 00 FF FF removed), replaying what
    it does: it inflates `piece` bytes at a time; where the input runs out it appends the tail with 5 bytes of room
    and asserts that some are left (extension-permessage-deflate.c:351)."""
    inflater = zlib.decompressobj(-15)
    while payload:
        out = inflater.decompress(payload, piece)
        payload = inflater.unconsumed_tail
        if not payload:
            return len(out) == piece and len(inflater.decompress(b"\x00\x00\xff\xff", 5)) == 5
    return False


# What zlib (level 9, 9-bit window, memLevel 9) writes for these 168 bytes, flushed as permessage-deflate flushes
# (Z_SYNC_FLUSH) and without the tail: its last byte ends the last back-reference and holds the end-of-block code
# and the next block's header as well. About one repetitive message in 3,000 of a few hundred bytes is like it.
REPEATS = b" cg agbg  ggafhh hbadacacedcc hggedddhdheg" * 4
REPEATS_COMPRESSED = bytes.fromhex(
    "c4ca310100300c02302b58a3d0817f0595b1dc81026602247c2d3a3445ad253459db7537f83a0f")


def deflate_ending_inside_a_match():
    """Raw deflate (RFC 1951) that stops right after a back-reference: a fixed-Huffman block holding the literal
    `a` and one 258-byte match at distance 1, and no end-of-block code. Three bytes that inflate to 259."""
    def code(value, width):  # Huffman codes are packed most significant bit first
        return [(value >> (width - 1 - i)) & 1 for i in range(width)]
    bits = [0, 1, 0]  # BFINAL 0, BTYPE 01 (fixed Huffman)
    bits += code(0x30 + ord("a"), 8) + code(0xC0 + 285 - 280, 8) + code(0, 5)  # literal a, length 258, distance 1
    bits += [0] * (-len(bits) % 8)
    return bytes(sum(bits[i + j] << j for j in range(8)) for i in range(0, len(bits), 8))


def test_compressed_messages_that_made_libwebsockets_abort_leave_the_server_up(quarry):
    # libwebsockets 4.1.6 inflates a message in 128-byte pieces here. When the last input byte is read for a
    # back-reference that is still being copied as a piece fills, it gives the stripped tail 5 bytes of room and
    # asserts that some are left: zlib fills them with the rest of the match, and the whole server aborted.
    assert zlib.decompressobj(-9).decompress(REPEATS_COMPRESSED + b"\x00\x00\xff\xff") == REPEATS
    assert lws_would_abort(REPEATS_COMPRESSED) and lws_would_abort(deflate_ending_inside_a_match())
    q = quarry().wait_ready()
    offer = {"Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits"}

    # An ordinary compressor's message is read whole, and answered (it is not JSON).
    ws = WebSocket(q.port, headers=offer)
    assert ws.status == 101 and ws.headers["sec-websocket-extensions"].startswith("permessage-deflate")
    ws.send_frame(0xC1, REPEATS_COMPRESSED)  # FIN, RSV1 (compressed), text
    kind, text = ws.next()
    assert kind == "text" and "bad_json" in text, (kind, text)

    # A stream cut inside a back-reference (no compressor writes one) fails only its own connection.
    attacker = WebSocket(q.port, headers=offer)
    attacker.send_frame(0xC1, deflate_ending_inside_a_match())
    assert closed_by_server(attacker.sock)
    assert get(q.port, "/healthz")[0] == 200 and q.process.poll() is None, q.output()
    assert "would make libwebsockets abort" in q.output()

    # Compressed messages of every size around the piece and the longest match still arrive.
    for size in (1, 127, 128, 129, 250, 258, 259, 260, 400, 1000):
        compressor = zlib.compressobj(wbits=-9)
        op = "x" * size
        message = compressor.compress(('{"op":"%s"}' % op).encode()) + compressor.flush(zlib.Z_SYNC_FLUSH)
        ws.send_frame(0xC1, message[:-4])
        kind, text = ws.next()
        assert kind == "text" and op[:40] in text, (size, kind, text)


def test_an_unmasked_frame_fails_the_connection(quarry):
    # RFC 6455 §5.1: a client masks every frame, and the server closes the connection on one that is not masked.
    q = quarry().wait_ready()
    ws = WebSocket(q.port)
    ws.send_frame(0x81, b'{"op":"masked"}')
    assert ws.next()[0] == "text", "a masked frame is read and answered"
    ws.send_frame(0x81, b'{"op":"unmasked"}', masked=False)
    assert closed_by_server(ws.sock)
    assert get(q.port, "/healthz")[0] == 200
    wait_until(lambda: "closed a socket that sent an unmasked frame" in q.output(), what="the warning")

    # Frames split anywhere between reads, and long ones, are followed: masked, they all arrive.
    person = WebSocket(q.port)
    frames = b"".join(frame(0x81, ('{"op":"%s"}' % ("y" * size)).encode()) for size in (1, 125, 126, 3000, 60000))
    for start in range(0, len(frames), 997):
        person.sock.sendall(frames[start:start + 997])
    answered = ""
    while answered.count("is not something this server can do") < 5:  # replies may share a frame
        kind, text = person.next()
        assert kind == "text", (kind, text)
        answered += text


def test_a_compressed_message_still_being_inflated_is_not_overwritten_by_other_sockets(quarry):
    # lws 4.1.6 reads every connection into one shared buffer and inflates a message 128 bytes at a time, leaving
    # what zlib has not used yet in that buffer until its next pass; other sockets' reads overwrote it, and the
    # person's message was inflated from their bytes (a bad_json notice, a lost message, once an abort).
    q = quarry().wait_ready()
    person = WebSocket(q.port, headers={"Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits"})
    op = "q" + "abcdefgh" * 80  # inflates to 650 bytes: five pieces
    for _ in range(30):
        others = [WebSocket(q.port) for _ in range(4)]
        compressor = zlib.compressobj(6, zlib.DEFLATED, -10)
        message = compressor.compress(('{"op":"%s"}' % op).encode()) + compressor.flush(zlib.Z_SYNC_FLUSH)
        person.send_frame(0xC1, message[:-4])
        for other in others:  # read by the server right after the person's frame: 900 bytes each, no FIN
            other.send_frame(0x01, b"xyz" * 300)
        kind, text = person.next()
        assert kind == "text" and "unknown_op" in text and op[:40] in text, text
        for other in others:
            other.sock.close()
