"""permessage-deflate with a real browser: headless Chromium offers it, the server caps both windows at 10 bits and
keeps no context, and the page applies the compressed envelopes of a streamed answer in order, large ones too."""
import json
import random

import pytest

from pageserver import page_server, stream, wait_applied  # noqa: F401 (fixture)

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

AGREED = "permessage-deflate; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=10"


def open_page(browser, server):
    """The page, with what Chromium's network layer saw of the socket: the handshake response and the frames."""
    server.snapshot("update", "messages", '<p id="marker"></p><div id="answer"><p></p></div>')
    page = browser.new_page()
    seen = {"handshake": [], "sent": []}
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.on("Network.webSocketHandshakeResponseReceived", lambda e: seen["handshake"].append(e["response"]))
    cdp.on("Network.webSocketFrameSent", lambda e: seen["sent"].append(e["response"]["payloadData"]))
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server.url)
    expect(page.locator("#connection-status")).to_have_text("Connected")
    return page, seen, errors


def extension_header(response):
    headers = {name.lower(): value for name, value in response["headers"].items()}
    return headers.get("sec-websocket-extensions")


def test_chromium_negotiates_small_windows_and_applies_a_streamed_answer(browser, page_server):
    server = page_server()
    page, seen, errors = open_page(browser, server)
    assert [extension_header(r) for r in seen["handshake"]] == [AGREED]
    # The page's compressed subscribe was inflated and understood: the snapshot is there.
    expect(page.locator("#answer")).to_have_count(1)
    assert any(json.loads(text).get("op") == "subscribe" for text in seen["sent"])

    rng = random.Random(5)
    words = "the page applies each small frame of the answer as it is written by the model".split()
    tokens = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 4))) + " " for _ in range(150)]
    for token in tokens:
        server.publish(stream("append", targets="#answer > :last-child", html=token))
    wait_applied(page, server)
    expect(page.locator("#answer p")).to_have_text("".join(tokens).strip())
    assert errors == []


def test_a_large_envelope_arrives_whole(browser, page_server):
    server = page_server()
    page, _, errors = open_page(browser, server)
    rng = random.Random(9)
    # About 60 KB that compresses poorly: many 256-byte compressed fragments of one message.
    text = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(60_000))
    server.publish(stream("update", "answer", f'<p id="big">{text}</p>'))
    wait_applied(page, server)
    expect(page.locator("#big")).to_have_text(text.strip())
    assert errors == []
