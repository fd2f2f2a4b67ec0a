"""`quarry backup`: a consistent copy taken while the server serves and answers, private to its owner, and a
restore from it (as `quarry help backup` says) that brings the conversations back in the page."""
import os
import shutil
import stat

from chat_support import LONG, ask, expect, open_page, query, serve
from conftest import run


def test_a_backup_taken_while_serving_restores_the_conversations(browser, quarry, tmp_path):
    q = serve(quarry, tmp_path)
    context = browser.new_context()
    page = open_page(context, q.port)
    answer = ask(page, "When does the café open on Saturdays?")
    answer.status("complete")
    copy = tmp_path / "backup.db"

    result = run("backup", "--db", q.db, str(copy))
    assert result.returncode == 0, result.stderr
    assert "1 conversations (2 messages), 4 documents" in result.stdout, result.stdout
    assert "To restore it: stop Quarry" in result.stdout
    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o600
    assert query(str(copy), "PRAGMA integrity_check") == [("ok",)]
    assert query(str(copy), "SELECT content FROM messages ORDER BY id")[0] == ("When does the café open on Saturdays?",)

    # A second backup to the same name is refused, and the first is left as it was.
    before = copy.read_bytes()
    again = run("backup", "--db", q.db, str(copy))
    assert again.returncode == 1 and "already exists" in again.stderr, again.stderr
    assert copy.read_bytes() == before

    # The server went on: another question after the backup, then lost when the database is restored from it.
    later = ask(page, "Where do deliveries arrive?")
    later.status("complete")
    assert q.stop() == 0
    for suffix in ["-wal", "-shm"]:
        if os.path.exists(q.db + suffix):
            os.remove(q.db + suffix)
    shutil.copyfile(copy, q.db)

    restored = serve(quarry, tmp_path, port=q.port)
    page = open_page(context, restored.port)
    listed = page.locator("#threads button")
    expect(listed).to_have_count(1, timeout=LONG)
    expect(listed).to_have_text("When does the café open on Saturdays?")
    assert len(query(restored.db, "SELECT id FROM messages")) == 2
    assert page.problems == []


def test_backup_says_what_is_wrong():
    missing = run("backup", "--db", "/nonexistent/quarry.db", "/tmp/never.db")
    assert missing.returncode == 1 and "There is no database at /nonexistent/quarry.db" in missing.stderr
    usage = run("backup")
    assert usage.returncode == 64 and "Say where the copy goes" in usage.stderr
