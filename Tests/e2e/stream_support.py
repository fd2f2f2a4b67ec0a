"""What a page's socket receives, for tests that compare hosts: plain sockets of a browser's session following a
stream (`followers`, a fixture), their frames as `<turbo-stream>` envelopes, those envelopes applied one at a time by
the page's own patcher (quarry-page-server) with the answer's content read after each, and the stand-in's tokens of
an answer (so the render of every prefix of it can be made)."""
import json
import re
import threading

import pytest

from chat_support import open_page
from pageserver import stream as envelope, wait_applied
from websocket import WebSocket

ENVELOPE = re.compile(r"<turbo-stream\b.*?</turbo-stream>", re.S)
# A thread's snapshot: its messages, then a scroll (ChatService+Snapshots.swift).
SNAPSHOT = '<turbo-stream action="update" target="messages">'


def tokens(text):
    """The stand-in's tokens of `text`: words with their following whitespace, a word over 8 characters cut in
    pieces of 6 (tools/standin/README.md)."""
    out = []
    for word, space in re.findall(r"(\S+)(\s*)", text):
        pieces = [word[i:i + 6] for i in range(0, len(word), 6)] if len(word) > 8 else [word]
        out += pieces[:-1] + [pieces[-1] + space]
    return out


def session_cookie(context):
    [value] = [c["value"] for c in context.cookies() if c["name"] == "quarry_session"]
    return f"quarry_session={value}"


class Follower:
    """A plain socket of a browser's session following one stream on one host; every text frame it receives, in
    order, read on a thread of its own."""

    def __init__(self, port, cookie, stream):
        self.ws = WebSocket(port, headers={"Cookie": cookie})
        assert self.ws.status == 101, self.ws.status
        self.frames, self.closed = [], None
        self.ws.send_text(json.dumps({"op": "subscribe", "stream": stream}))
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            try:
                kind, value = self.ws.next()
            except TimeoutError:
                continue  # a quiet stream (the socket's timeout is 10 s)
            except OSError as error:
                self.closed = str(error)
                return
            if kind == "close":
                self.closed = value
                return
            self.frames.append(value)

    def envelopes(self):
        return [e for frame in list(self.frames) for e in ENVELOPE.findall(frame)]

    def after_snapshot(self):
        """The snapshot (its `update #messages` and what came in the same frame) and every envelope after it."""
        frames = list(self.frames)
        at = next(i for i, frame in enumerate(frames) if frame.startswith(SNAPSHOT))
        return frames[at], [e for frame in frames[at + 1:] for e in ENVELOPE.findall(frame)]

    def has_snapshot(self):
        return any(frame.startswith(SNAPSHOT) for frame in list(self.frames))

    def saw_status(self, message, value):
        return any(f'id="message-state-{message}"' in e and f'data-status="{value}"' in e for e in self.envelopes())

    def close(self):
        try:
            self.ws.sock.close()
        except OSError:
            pass


@pytest.fixture
def followers():
    made = []

    def follow(port, cookie, stream):
        follower = Follower(port, cookie, stream)
        made.append(follower)
        return follower

    yield follow
    for follower in made:
        follower.close()


def content_envelopes(envelopes, message):
    """The envelopes that change the answer's text (`target="message-content-N"`, `targets="#message-content-N>…"`)."""
    opening = re.compile(rf'<turbo-stream [^>]*targets?="#?message-content-{message}(?![0-9])')
    return [e for e in envelopes if opening.match(e)]


def content_html(page, message):
    return page.evaluate("(id) => { const c = document.getElementById('message-content-' + id); "
                         "return c ? c.innerHTML : null; }", message)


PROBE = """(id) => {
    window.seen = [];
    customElements.define('x-probe', class extends HTMLElement {
        // Runs as the patcher inserts it: right after the envelope before it was applied, before the next.
        connectedCallback() {
            const content = document.getElementById('message-content-' + id);
            window.seen.push([Number(this.dataset.i), content ? content.innerHTML : null]);
            this.remove();
        }
    });
}"""


def after_every_envelope(browser, page_server, snapshot, envelopes, message):
    """The answer's content as the page shows it after `snapshot` (a frame) and after each of `envelopes`, applied
    by the page's own patcher (quarry-page-server), in order."""
    server = page_server()
    page = open_page(browser.new_context(), server.port)
    page.evaluate(PROBE, message)
    server.publish(snapshot)
    server.publish(envelope("append", "messages", '<div id="probes" hidden></div><p id="marker" hidden></p>'))
    server.publish(envelope("append", "probes", '<x-probe data-i="-1"></x-probe>'))
    for i, each in enumerate(envelopes):
        server.publish(each)
        server.publish(envelope("append", "probes", f'<x-probe data-i="{i}"></x-probe>'))
    wait_applied(page, server)
    seen = page.evaluate("() => window.seen")
    assert [i for i, _ in seen] == list(range(-1, len(envelopes))), seen
    return page, [html for _, html in seen]
