"""A Redis server of the tests' own on a free loopback port (Debian's redis-server, as
Tests/TestSupport/TestRedis.swift starts it): a plain child process in a temporary folder with nothing saved to
disk, never the system's service or its configuration. It can be stopped and started again on the same port (a
Redis restart); each start waits until redis-cli's PING is answered. Skipped where redis-server is missing
(tools/test installs it)."""
import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import free_port

SERVER = "/usr/bin/redis-server"
CLI = "/usr/bin/redis-cli"


def installed():
    return os.access(SERVER, os.X_OK) and os.access(CLI, os.X_OK)


class Redis:
    """`redis-server` on 127.0.0.1:port, from `start` until `stop`."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="quarry-e2e-redis-")
        self.port = free_port()
        self.password = None  # set by a test that sets `requirepass` (CONFIG SET): the CLI then sends it
        self.process = None
        self.start()

    @property
    def url(self):
        """`redis://127.0.0.1:PORT` (no password)."""
        return f"redis://127.0.0.1:{self.port}"

    def start(self):
        """Starts redis-server (again, on the same port) and waits until it answers PING."""
        if self.process is not None and self.process.poll() is None:
            return
        log = open(os.path.join(self.folder, "redis.log"), "a")
        self.process = subprocess.Popen(
            [SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.folder, "--daemonize", "no"],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 30
        while self.ping() != "PONG":
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"redis-server did not start on port {self.port}:\n{self.log()}")
            time.sleep(0.02)

    def stop(self):
        """Stops redis-server (SIGTERM) and waits until it has exited: its clients see their connections closed."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def restart(self):
        """A Redis restart: stop, then start on the same port (everything in it is gone)."""
        self.stop()
        self.start()

    def cli(self, *args):
        """redis-cli's output for `args` against this server, without the final newline."""
        auth = ["-a", self.password, "--no-auth-warning"] if self.password else []
        result = subprocess.run([CLI, "-h", "127.0.0.1", "-p", str(self.port), *auth, *args], capture_output=True,
                                text=True, timeout=10)
        return result.stdout.rstrip("\n")

    def subscribers(self):
        """How many of its clients are subscribed to something (CLIENT LIST's flag P: pub/sub)."""
        return sum(1 for line in self.cli("CLIENT", "LIST").splitlines()
                   if "P" in (re.search(r"\bflags=(\S*)", line) or [None, ""])[1])

    def ping(self):
        try:
            return self.cli("PING")
        except subprocess.TimeoutExpired:
            return None

    def log(self):
        with open(os.path.join(self.folder, "redis.log")) as f:
            return f.read()

    def remove(self):
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def redis():
    if not installed():
        pytest.skip(f"redis-server is not installed ({SERVER}, {CLI}; tools/test installs it)")
    server = Redis()
    yield server
    server.remove()
