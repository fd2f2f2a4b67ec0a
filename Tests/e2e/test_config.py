"""`quarry serve --config FILE`: the settings file the package installs as /etc/quarry/quarry.conf. It lists every
setting the code reads (checked here against the sources), and serve and doctor read it beneath the environment."""
import re
from pathlib import Path

from chat_support import documents_ingested
from conftest import get, run, wait_until

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "packaging" / "quarry.conf"


def test_the_settings_file_lists_every_setting_the_code_reads():
    read = set()
    for source in (ROOT / "Sources").rglob("*.swift"):
        read |= set(re.findall(r'"(QUARRY_[A-Z0-9_]+|OPENAI_API_KEY)"', source.read_text()))
    listed = set(re.findall(r"^#?(QUARRY_[A-Z0-9_]+|OPENAI_API_KEY)=", CONF.read_text(), re.M))
    assert read - listed == set(), f"read by the code but not in packaging/quarry.conf: {sorted(read - listed)}"
    assert listed - read == set(), f"in packaging/quarry.conf but read by nothing: {sorted(listed - read)}"


def test_serve_reads_the_file_beneath_the_environment(quarry, tmp_path):
    conf = tmp_path / "quarry.conf"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "hours.md").write_text("# Hours\n\nThe library opens at nine.\n")
    # Written with Windows line endings, as a file edited there is: read the same (systemd reads it so too).
    text = CONF.read_text() + f'\nQUARRY_DOCS="{docs}"\nQUARRY_LANGUAGE=de\n\tQUARRY_LOG_LEVEL = debug  \n'
    conf.write_bytes(text.replace("\n", "\r\n").encode())
    # The environment wins over the file: French, whatever the file says.
    q = quarry("--config", str(conf), env={"QUARRY_LANGUAGE": "fr"}).wait_ready()
    status, headers, body = get(q.port, "/")
    assert status == 200 and b'<html lang="fr"' in body, body[:200]
    # The file's documents folder is read.
    wait_until(lambda: documents_ingested(q.db, 1), what="the file's documents folder in the database")


def test_a_mistake_in_the_file_is_named_with_its_line(tmp_path):
    conf = tmp_path / "quarry.conf"
    conf.write_text("# fine\nQUARRY_PORT=8080\nQUARY_PORT=9000\n")
    pasted = tmp_path / "pasted.conf"
    pasted.write_text("sk-a-key-pasted-alone\n")
    alone = run("serve", "--config", str(pasted))
    assert alone.returncode == 64 and "line 1 is not KEY=value" in alone.stderr and "sk-a-key" not in alone.stderr
    result = run("serve", "--config", str(conf))
    assert result.returncode == 64
    assert "line 3: “QUARY_PORT” is not one of Quarry's settings" in result.stderr, result.stderr
    missing = run("doctor", "--config", str(tmp_path / "nope.conf"))
    assert missing.returncode == 64 and "The settings file" in missing.stderr and "cannot be read" in missing.stderr


def test_the_other_commands_read_the_file_too(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "hours.md").write_text("# Hours\n\nThe library opens at nine.\n")
    conf = tmp_path / "quarry.conf"
    conf.write_text(f"QUARRY_DB={tmp_path / 'from-the-file.db'}\n")
    assert run("ingest", "--config", str(conf), str(docs)).returncode == 0
    found = run("search", "--config", str(conf), "when does the library open")
    assert found.returncode == 0 and "The library opens at nine." in found.stdout, found.stdout + found.stderr
    copy = run("backup", "--config", str(conf), str(tmp_path / "copy.db"))
    assert copy.returncode == 0 and "1 documents" in copy.stdout, copy.stdout + copy.stderr
    asked = run("ask", "--config", str(conf), "When does the library open?")
    assert asked.returncode == 0 and "The library opens at nine." in asked.stdout, asked.stdout + asked.stderr
