"""The Debian package (tools/package) in a clean Debian 12: debootstrap's minbase root, `apt-get install ./quarry….deb`
in a chroot, then the package's life: Depends pulled every library, the unit passes `systemd-analyze verify` and
rates OK or better, quarry serves as the unit would run it and answers from a document (over the page's socket and
with `quarry ask`), an upgrade keeps the
conversations, remove keeps /var/lib/quarry and purge removes it with the user. Last, the root is booted with
systemd in systemd-nspawn: the unit runs quarry under its hardening (pdftotext reads a PDF as its child), an upgrade
restarts it and a remove stops it.

Needs root (chroot, mount) and Debian's archive (debootstrap, apt-get); skipped with the reason otherwise. The root
is made once and kept as .build-package/bookworm-minbase.tar.gz (a minute the first time, seconds after);
QUARRY_DEB names a package to test instead of running tools/package. No systemd runs in the chroot, so there the
service is started the way its unit says: its user, its environment, its settings file, its open-file limit."""
import json
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import urllib.request
from pathlib import Path

import pytest

from conftest import Served, free_port, get, wait_until
from websocket import WebSocket

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".build-package"
TARBALL = CACHE / "bookworm-minbase.tar.gz"
MIRROR = "http://deb.debian.org/debian"
QUESTION = "When does the reading room open?"
DOCUMENT = "# Reading room\n\nThe reading room opens at half past eight and closes at six.\n"


def sh(*args, timeout=600, check=True, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def why_not():
    """Why this machine cannot run the test, or None."""
    if os.geteuid() != 0:
        return "needs root: it makes a Debian root with debootstrap and installs into it with chroot"
    for tool in ("debootstrap", "dpkg-deb"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (tools/test installs it: QUARRY_TEST_PACKAGES in tools/lib/common.sh)"
    try:
        urllib.request.urlopen(f"{MIRROR}/dists/bookworm/Release", timeout=15).close()
    except OSError as error:
        return f"Debian's archive ({MIRROR}) cannot be reached from here: {error}"
    return None


class Root:
    """A Debian 12 root in `path`, commands run in it with chroot."""

    def __init__(self, path):
        self.path = path

    def run(self, *args, check=True, timeout=600, **kwargs):
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive", "LANG": "C.UTF-8"}
        return sh("chroot", str(self.path), *args, check=check, timeout=timeout, env=env, **kwargs)

    def apt(self, *args):
        return self.run("apt-get", "-y", "-q", "-o", "Dpkg::Use-Pty=0", *args)

    def file(self, path):
        return self.path / path.lstrip("/")


def debian_root(path):
    """A clean bookworm minbase root in `path`, from the cached tarball or debootstrap (which then fills the cache)."""
    if not TARBALL.exists():
        fresh = CACHE / "bookworm-minbase"
        shutil.rmtree(fresh, ignore_errors=True)
        sh("debootstrap", "--variant=minbase", "bookworm", str(fresh), MIRROR, timeout=1200)
        CACHE.mkdir(exist_ok=True)
        sh("tar", "-C", str(fresh), "-czf", f"{TARBALL}.part", ".")
        os.replace(f"{TARBALL}.part", TARBALL)
        shutil.rmtree(fresh)
    path.mkdir()
    sh("tar", "-C", str(path), "-xzf", str(TARBALL))
    # No service starts in the chroot (policy-rc.d, as in Debian's buildds); names resolve as here.
    policy = path / "usr/sbin/policy-rc.d"
    policy.write_text("#!/bin/sh\nexit 101\n")
    policy.chmod(0o755)
    shutil.copy("/etc/resolv.conf", path / "etc/resolv.conf")
    return Root(path)


def package():
    """The .deb to test: QUARRY_DEB, or what tools/package builds."""
    if os.environ.get("QUARRY_DEB"):
        return Path(os.environ["QUARRY_DEB"])
    result = sh(str(ROOT / "tools/package"), timeout=1800, cwd=ROOT)
    return Path(result.stdout.strip().splitlines()[-1])


def bumped(deb, directory, version):
    """A copy of `deb` whose version is `version`: the upgrade the test installs over it."""
    tree = directory / "bumped"
    sh("dpkg-deb", "-R", str(deb), str(tree))
    control = tree / "DEBIAN/control"
    control.write_text(re.sub(r"^Version: .*$", f"Version: {version}", control.read_text(), flags=re.M))
    target = directory / f"quarry_{version}.deb"
    sh("dpkg-deb", "--build", "--root-owner-group", str(tree), str(target))
    return target


def unit(root):
    """The installed unit's [Service] settings: name → values in order."""
    settings = {}
    for line in root.file("/lib/systemd/system/quarry.service").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def environment_file(text):
    """KEY=value lines as systemd's EnvironmentFile= reads them."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] in "'\"" and value[-1] == value[0]:
            value = value[1:-1]
        values[key.strip()] = value
    return values


class Service(Served):
    """`quarry serve` in the chroot the way quarry.service starts it."""

    def __init__(self, root, log):
        settings = unit(root)
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
        for assignment in settings["Environment"]:
            env.update(pair.split("=", 1) for pair in assignment.split())
        env.update(environment_file(root.file(settings["EnvironmentFile"][0]).read_text()))
        self.port = free_port()
        env["QUARRY_PORT"] = str(self.port)
        env["QUARRY_DOCS_RESCAN"] = "1"
        limit = int(settings["LimitNOFILE"][0])
        user = settings["User"][0]
        workdir = settings["WorkingDirectory"][0]
        command = settings["ExecStart"][0]
        self.log = open(log, "w+")
        self.process = subprocess.Popen(
            ["chroot", f"--userspec={user}:{user}", str(root.path), "/bin/sh", "-c", f'cd {workdir} && exec {command}'],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
            preexec_fn=lambda: (resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit)), os.umask(0o077)))

    def wait_ready(self):
        return super().wait_ready(timeout=30, what="/healthz of the packaged quarry")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
        assert self.process.wait(timeout=20) == 0, self.output()


def documents(db):
    try:
        connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return connection.execute("SELECT count(*) FROM documents").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error:
        return None


def ask_over_the_socket(port, question, expected):
    """Asks `question` as the page does (the session's cookie, `ask` over the socket, then following the thread the
    server moves the page to) and reads the envelopes until `expected` has arrived."""
    _, headers, _ = get(port, "/")
    socket = WebSocket(port, headers={"Cookie": headers["Set-Cookie"].split(";")[0]})
    assert socket.status == 101
    socket.send_text(json.dumps({"op": "ask", "content": question}))
    received = []
    while expected not in "".join(received):
        kind, data = socket.next()
        assert kind == "text", (kind, data, received)
        received.append(data)
        for stream in re.findall(r'signed-stream-name="([^"]+)"', data):
            socket.send_text(json.dumps({"op": "subscribe", "stream": stream}))
    socket.sock.close()


def answers(db):
    """Each assistant message: (status, whether it quotes the reading room's hours)."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return [(status, "half past eight" in content) for status, content in
                connection.execute("SELECT status, content FROM messages WHERE role = 'assistant' ORDER BY id")]
    finally:
        connection.close()


def threads(db):
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return connection.execute("SELECT id, title FROM threads ORDER BY id").fetchall()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A clean Debian 12 root with the package installed by apt-get, /proc mounted while the tests run."""
    reason = why_not()
    if reason:
        pytest.skip(reason)
    directory = tmp_path_factory.mktemp("package")
    deb = package()
    root = debian_root(directory / "root")
    sh("mount", "-t", "proc", "proc", str(root.file("/proc")))
    try:
        shutil.copy(deb, root.file("/tmp/"))
        root.apt("update", "-qq")
        root.apt("install", f"/tmp/{deb.name}")
        yield root, deb, directory
    finally:
        sh("umount", "-l", str(root.file("/proc")), check=False)
    if not os.path.ismount(root.file("/proc")):
        shutil.rmtree(root.path, ignore_errors=True)


def test_depends_pulls_every_library_quarry_links(installed):
    root, deb, _ = installed
    ldd = root.run("ldd", "/usr/bin/quarry").stdout
    assert "not found" not in ldd, ldd
    assert root.run("quarry", "version").stdout.startswith("quarry ")
    # libargon2 is linked (Sources/Argon2/Raw.swift says why), so dpkg-shlibdeps names it, and accounts can be added.
    assert "libargon2-1" in sh("dpkg-deb", "-f", str(deb), "Depends").stdout
    added = root.run("sh", "-c", "printf 'a password\\n' | quarry user add ada --db /tmp/users.db")
    assert added.stdout == "Added ada.\n", added.stderr
    # The libraries quarry opens with dlopen when first needed, which ldd cannot see: Depends names them.
    libraries = root.run("ldconfig", "-p").stdout
    for soname in ("libcurl.so.4", "libxml2.so.2", "libzip.so.4", "libldap-2.5.so.0"):
        assert soname in libraries, soname
    # The places and their owners the maintainer scripts made.
    assert root.run("stat", "-c", "%U:%G %a", "/var/lib/quarry").stdout.split() == ["quarry:quarry", "750"]
    assert root.run("stat", "-c", "%U:%G %a", "/srv/quarry/documents").stdout.split() == ["root:quarry", "2750"]
    assert root.run("stat", "-c", "%U:%G %a", "/etc/quarry/quarry.conf").stdout.split() == ["root:quarry", "640"]
    assert "/etc/quarry/quarry.conf" in root.run("dpkg-query", "--showformat=${Conffiles}", "-W", "quarry").stdout
    # libpq5 is only suggested (PostgreSQL, for several hosts): without it a postgresql:// URL says what to install.
    assert sh("dpkg-deb", "-f", str(deb), "Suggests").stdout.strip() == "libpq5"
    no_libpq = root.run("sh", "-c", "quarry search --db postgresql://quarry@127.0.0.1/quarry hours; echo status=$?")
    assert "install libpq5" in no_libpq.stderr and "status=64" in no_libpq.stdout, no_libpq
    # poppler-utils came as a Recommends: PDFs are read.
    assert root.file("/usr/bin/pdftotext").exists()
    # Whose the files are, the statically linked Swift runtime and packages included.
    copyright = root.file("/usr/share/doc/quarry/copyright").read_text()
    assert copyright.startswith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/")
    assert "Runtime Library Exception" in copyright and "swift-prometheus" in copyright


def test_the_unit_verifies_and_rates_ok(installed):
    root, _, _ = installed
    # systemd and man-db only now, so that they cannot have brought a library the package forgot to depend on;
    # verify needs systemd's own units and checks that Documentation=man:quarry(1) resolves.
    root.apt("install", "--no-install-recommends", "systemd", "man-db")
    # Debian 12's own systemd-analyze, in the root: the host's would look for the man page on the host.
    result = root.run("systemd-analyze", "verify", "/lib/systemd/system/quarry.service", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    security = root.run("systemd-analyze", "security", "--offline=true", "/lib/systemd/system/quarry.service",
                        check=False)
    level = re.search(r"Overall exposure level for quarry\.service: ([0-9.]+) (\w+)", security.stdout)
    assert level, security.stdout + security.stderr
    assert level.group(2) in ("PERFECT", "SAFE", "OK"), security.stdout


def test_serves_as_the_unit_would_and_answers_from_a_document(installed):
    root, _, directory = installed
    root.file("/srv/quarry/documents/reading-room.md").write_text(DOCUMENT)
    root.run("chgrp", "quarry", "/srv/quarry/documents/reading-room.md")
    service = Service(root, directory / "serve-1.log").wait_ready()
    try:
        status, _, body = get(service.port, "/")
        assert status == 200 and b"<html" in body
        db = root.file("/var/lib/quarry/quarry.db")
        wait_until(lambda: documents(db) == 1, timeout=30, what="the document read in by the service")
        # A visitor's question, as the page asks it.
        ask_over_the_socket(service.port, QUESTION, "half past eight")
        wait_until(lambda: answers(db) == [("complete", True)], timeout=30, what="the socket's answer complete")
        # And in a terminal, on the same database.
        answer = root.run("runuser", "-u", "quarry", "--", "quarry", "ask", "--db", "/var/lib/quarry/quarry.db", QUESTION,
                          timeout=60)
        assert "half past eight" in answer.stdout, answer.stdout + answer.stderr
        assert [title for _, title in threads(db)] == [QUESTION, QUESTION]
    finally:
        service.stop()
    assert root.run("stat", "-c", "%U %a", "/var/lib/quarry/quarry.db").stdout.split() == ["quarry", "600"]


def test_an_upgrade_keeps_the_conversations(installed):
    root, deb, directory = installed
    before = threads(root.file("/var/lib/quarry/quarry.db"))
    version = root.run("dpkg-query", "--showformat=${Version}", "-W", "quarry").stdout
    newer = bumped(deb, directory, f"{version}+1")
    shutil.copy(newer, root.file("/tmp/"))
    conf = root.file("/etc/quarry/quarry.conf")
    conf.write_text(conf.read_text() + "QUARRY_LANGUAGE=de\n")  # the administrator's edit, kept by the upgrade
    root.apt("install", f"/tmp/{newer.name}")
    assert root.run("dpkg-query", "--showformat=${Version}", "-W", "quarry").stdout == f"{version}+1"
    assert "QUARRY_LANGUAGE=de" in conf.read_text()
    service = Service(root, directory / "serve-2.log").wait_ready()
    try:
        assert threads(root.file("/var/lib/quarry/quarry.db")) == before
        status, _, body = get(service.port, "/")
        assert status == 200 and b'lang="de"' in body
    finally:
        service.stop()


def test_remove_keeps_the_data_and_purge_removes_it(installed):
    root, _, _ = installed
    root.apt("remove", "quarry")
    assert not root.file("/usr/bin/quarry").exists()
    assert root.file("/var/lib/quarry/quarry.db").exists()
    assert root.file("/etc/quarry/quarry.conf").exists()
    assert root.run("getent", "passwd", "quarry", check=False).returncode == 0
    root.apt("purge", "quarry")
    assert not root.file("/var/lib/quarry").exists()
    assert not root.file("/etc/quarry").exists()
    assert root.run("getent", "passwd", "quarry", check=False).returncode != 0
    assert root.run("getent", "group", "quarry", check=False).returncode != 0
    # The documents are the administrator's: they stay.
    assert root.file("/srv/quarry/documents/reading-room.md").exists()


# A one-page PDF with a text layer, for pdftotext (poppler-utils) run by the service under the unit's rules.
def pdf(sentence):
    text = b"BT /F1 18 Tf 72 720 Td (" + sentence.encode() + b") Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


class Booted:
    """The root booted with systemd in systemd-nspawn (the host's network), so that the unit itself runs quarry."""

    def __init__(self, root, log):
        self.root = root
        self.log = open(log, "w+")
        self.process = subprocess.Popen(
            ["systemd-nspawn", "-D", str(root.path), "--boot", "--register=no", "--keep-unit", "--console=passive",
             "--machine=quarry-package-test"], stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)

    def init(self):
        """The container's systemd, as a host pid: nspawn's child's child."""
        pids = [self.process.pid]
        for _ in range(2):
            children = Path(f"/proc/{pids[-1]}/task/{pids[-1]}/children").read_text().split()
            if not children:
                return None
            pids.append(int(children[0]))
        return pids[-1]

    def run(self, *args, check=True, timeout=300):
        return sh("nsenter", "-t", str(self.init()), "-a", "env", "DEBIAN_FRONTEND=noninteractive", *args,
                  check=check, timeout=timeout)

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # nspawn asks the container's systemd to power off
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def test_the_unit_runs_quarry_under_systemd_with_its_hardening(installed):
    """quarry.service as systemd runs it (its sandbox, seccomp filter, MemoryDenyWriteExecute…), with pdftotext as
    its child; then an upgrade restarts it. Skipped where systemd cannot boot in a container here."""
    root, deb, directory = installed
    if shutil.which("systemd-nspawn") is None:
        pytest.skip("systemd-nspawn is not installed (systemd-container)")
    root.apt("install", f"/tmp/{deb.name}")
    port = free_port()
    conf = root.file("/etc/quarry/quarry.conf")
    conf.write_text(conf.read_text() + f"QUARRY_PORT={port}\nQUARRY_DOCS_RESCAN=1\n")
    root.file("/srv/quarry/documents/archive.pdf").write_bytes(pdf("The archive closes at noon on Saturdays."))
    root.run("chgrp", "-R", "quarry", "/srv/quarry/documents")
    sh("umount", "-l", str(root.file("/proc")), check=False)  # nspawn mounts its own
    root.file("/usr/sbin/policy-rc.d").unlink()  # a booted machine: the maintainer scripts may start and stop it
    booted = Booted(root, directory / "nspawn.log")
    try:
        def up():
            if booted.process.poll() is not None:
                pytest.skip(f"systemd does not boot in systemd-nspawn here:\n{booted.output()[-2000:]}")
            try:
                return get(port, "/healthz")[0] == 200
            except OSError:
                return False
        wait_until(up, timeout=90, what=f"quarry.service on port {port}")
        state = booted.run("systemctl", "show", "-p", "MainPID", "-p", "ActiveState", "-p", "NRestarts",
                           "quarry.service").stdout
        assert "ActiveState=active" in state and "NRestarts=0" in state, state
        ask_over_the_socket(port, "When does the archive close?", "noon")
        journal = booted.run("journalctl", "-u", "quarry.service", "--no-pager", "-o", "cat").stdout
        assert "archive.pdf" in journal and "document added" in journal, journal
        assert " error " not in journal, journal
        # Upgrade while it runs: postinst restarts it on the new package.
        before = re.search(r"MainPID=(\d+)", state).group(1)
        (directory / "systemd").mkdir()
        newer = bumped(deb, directory / "systemd", sh("dpkg-deb", "-f", str(deb), "Version").stdout.strip() + "+2")
        shutil.copy(newer, root.file("/root/"))
        booted.run("apt-get", "install", "-y", "-q", f"/root/{newer.name}")
        after = booted.run("systemctl", "show", "-p", "MainPID", "-p", "ActiveState", "quarry.service").stdout
        assert "ActiveState=active" in after and f"MainPID={before}\n" not in after, (state, after)
        wait_until(lambda: up(), what="quarry after the upgrade")
        # Remove stops it.
        booted.run("apt-get", "remove", "-y", "-q", "quarry")
        assert "ActiveState=inactive" in booted.run("systemctl", "show", "-p", "ActiveState", "quarry.service",
                                                      check=False).stdout
        # Installed again on the running machine: enabled still, and started.
        booted.run("apt-get", "install", "-y", "-q", f"/root/{newer.name}")
        wait_until(lambda: up(), what="quarry installed again after a remove")
        assert "enabled" in booted.run("systemctl", "is-enabled", "quarry.service", check=False).stdout
    finally:
        booted.stop()
