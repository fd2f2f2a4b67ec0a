"""quarry-page-server for browser tests: the real server and page, with envelopes published through the real
Hub from the test, and what the page asked for (ask, stop) read back."""
import base64
import json
import os
import queue
import subprocess
import threading
import time

import pytest

BINARY = os.environ.get("QUARRY_PAGE_SERVER", ".build/debug/quarry-page-server")


def b64(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


class PageServer:
    def __init__(self, port=0):
        self.process = subprocess.Popen([BINARY, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True, bufsize=1)
        first = json.loads(self.process.stdout.readline())
        self.port = first["port"]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.events = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.events.put(json.loads(line))

    def _command(self, line):
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def publish(self, html, stream="fixture"):
        self._command(f"publish {stream} {b64(html)}")

    def snapshot(self, action, target, html, stream="fixture"):
        self._command(f"snapshot {stream} {action} {target} {b64(html)}")

    def next_event(self, timeout=10):
        return self.events.get(timeout=timeout)

    def no_event(self, wait=0.3):
        try:
            event = self.events.get(timeout=wait)
        except queue.Empty:
            return True
        raise AssertionError(f"unexpected event {event}")

    def stop(self):
        if self.process.poll() is None:
            try:
                self._command("quit")
                self.process.wait(timeout=10)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()


@pytest.fixture
def page_server():
    servers = []

    def start(port=0):
        server = PageServer(port)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def stream(action, target=None, html=None, targets=None, extra=""):
    """One <turbo-stream> element."""
    where = f' target="{target}"' if target is not None else ""
    where += f' targets="{targets}"' if targets is not None else ""
    body = f"<template>{html}</template>" if html is not None else ""
    return f'<turbo-stream action="{action}"{where}{extra}>{body}</turbo-stream>'


def wait_applied(page, server, marker=[0]):
    """Publishes a marker envelope after what was published before and waits for it: everything earlier has
    been applied (envelopes apply in order)."""
    marker[0] += 1
    server.publish(stream("update", "marker", str(marker[0])))
    page.wait_for_selector(f"#marker:text-is('{marker[0]}')", state="attached", timeout=10000)
