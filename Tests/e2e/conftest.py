"""Helpers for end-to-end tests of the quarry binary: a real process on a free loopback port."""
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

BINARY = os.environ.get("QUARRY_BIN", ".build/release/quarry")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout=20, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def get(port, path, headers=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class Served:
    """A `quarry serve` process started by a subclass (which sets `process`, `port` and `log`): ready when its
    /healthz answers, and what it has written."""

    def wait_ready(self, timeout=20, what="/healthz"):
        def ready():
            if self.process.poll() is not None:
                raise AssertionError(f"quarry exited early:\n{self.output()}")
            try:
                return get(self.port, "/healthz")[0] == 200
            except OSError:
                return False
        wait_until(ready, timeout=timeout, what=what)
        return self

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()


class Quarry(Served):
    """A running `quarry serve`, stopped (SIGTERM) when the test ends."""

    def __init__(self, tmp_path, *args, env=None, port=None, db=None):
        self.db = db or str(tmp_path / "quarry.db")
        self.chosen_port = port is None
        self.tmp_path, self.args = tmp_path, args
        self.environment = {k: v for k, v in os.environ.items() if not k.startswith("QUARRY_")}
        self.environment.update(env or {})
        self.spawn(port or free_port())

    def spawn(self, port):
        self.port = port
        self.log = open(self.tmp_path / f"quarry-{self.port}.log", "w+")
        self.process = subprocess.Popen(
            [BINARY, "serve", "--port", str(self.port), "--db", self.db, *self.args],
            stdout=self.log, stderr=subprocess.STDOUT, env=self.environment)

    def wait_ready(self, timeout=20, what="/healthz"):
        # A free port can be taken by another program's outgoing connection (a database client's, say) before
        # quarry binds it: a port the test did not choose is chosen again.
        for attempt in range(3):
            try:
                return super().wait_ready(timeout=timeout, what=what)
            except AssertionError:
                if not (self.chosen_port and attempt < 2 and self.process.poll() is not None
                        and "Could not listen on" in self.output()):
                    raise
                self.log.close()
                self.spawn(free_port())

    def stop(self, sig=15, timeout=10):
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)


@pytest.fixture
def quarry(tmp_path):
    started = []

    def start(*args, **kwargs):
        q = Quarry(tmp_path, *args, **kwargs)
        started.append(q)
        return q

    yield start
    for q in started:
        if q.process.poll() is None:
            q.process.kill()
            q.process.wait()


def run(*args, env=None, timeout=20, input=None):
    """Runs the binary to its end; `input`, when given, is the text on its standard input."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QUARRY_")}
    environment.update(env or {})
    return subprocess.run([BINARY, *args], capture_output=True, text=True, env=environment, timeout=timeout,
                          input=input)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium from Debian, driven by Playwright (skipped where Playwright is not installed)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        yield browser
        browser.close()
