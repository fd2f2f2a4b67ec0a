"""A PostgreSQL server of the tests' own on a free loopback port (Debian's postgresql package, as
Tests/TestSupport/TestPostgres.swift starts it): a cluster in a temporary folder, a fresh database per test, and
queries through psql. Skipped where PostgreSQL's server binaries are missing (tools/test installs them)."""
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid

import pytest

from conftest import free_port

USER = "quarry"
PASSWORD = "test-secret-7"


def binaries():
    root = "/usr/lib/postgresql"
    versions = sorted(os.listdir(root)) if os.path.isdir(root) else []
    return os.path.join(root, versions[-1], "bin") if versions else None


class Postgres:
    """`postgres` running on 127.0.0.1:port until `stop`; as the postgres user when the tests run as root."""

    def __init__(self):
        self.bin = binaries()
        self.folder = tempfile.mkdtemp(prefix="quarry-e2e-postgres-")
        self.port = free_port()
        password_file = os.path.join(self.folder, "password")
        with open(password_file, "w") as f:
            f.write(PASSWORD)
        self.as_owner = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            os.chown(password_file, owner.pw_uid, owner.pw_gid)
            self.as_owner = ["/usr/bin/setpriv", f"--reuid={owner.pw_uid}", f"--regid={owner.pw_gid}",
                             "--clear-groups", "--"]
        subprocess.run(self.as_owner + [f"{self.bin}/initdb", "-D", f"{self.folder}/data", "-U", USER,
                                        f"--pwfile={password_file}", "--auth-local=trust",
                                        "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync",
                                        "--no-instructions"],
                       check=True, capture_output=True)
        self.log = open(os.path.join(self.folder, "postgres.log"), "w")
        self.process = subprocess.Popen(
            self.as_owner + [f"{self.bin}/postgres", "-D", f"{self.folder}/data", "-k", self.folder,
                             "-h", "127.0.0.1", "-p", str(self.port), "-c", "fsync=off",
                             "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while subprocess.run([f"{self.bin}/pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-t", "1"]
                             ).returncode != 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"PostgreSQL did not start: {open(self.log.name).read()}")
            time.sleep(0.05)

    def create_database(self):
        """A new empty database; its URL."""
        name = f"e2e_{uuid.uuid4().hex[:12]}"
        subprocess.run([f"{self.bin}/createdb", "-h", self.folder, "-p", str(self.port), "-U", USER, name],
                       check=True, capture_output=True)
        return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{name}"

    def query(self, url, sql):
        """The rows of `sql` as lists of text (psql's unaligned output), or [] when the tables are not made yet."""
        result = subprocess.run([f"{self.bin}/psql", url, "-X", "-A", "-t", "-F", "\x1f", "-R", "\x1e", "-c", sql],
                                capture_output=True, text=True)
        if result.returncode != 0:
            return []
        return [record.split("\x1f") for record in result.stdout.rstrip("\n").split("\x1e") if record]

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(2)  # a fast shutdown
            self.process.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres():
    if binaries() is None:
        pytest.skip("PostgreSQL's server binaries are not installed (tools/test installs them)")
    server = Postgres()
    yield server
    server.stop()
