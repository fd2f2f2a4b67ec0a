"""What `quarry serve` keeps and shows of people's data: idle conversations removed, the database private, the
model endpoint's password kept out of the log (issue 11)."""
import os
import sqlite3
import stat
import time

from conftest import run, wait_until


def old_conversation(db, session, days_ago):
    """Stores a thread with one exchange, last touched `days_ago` days ago, in the database at `db`."""
    then = int(time.time()) - days_ago * 86400
    with sqlite3.connect(db) as c:
        c.execute("INSERT INTO sessions (id, created_at, last_seen_at) VALUES (?, ?, ?)", (session, then, then))
        thread = c.execute("INSERT INTO threads (session_id, title, created_at, updated_at) VALUES (?, 't', ?, ?)",
                           (session, then, then)).lastrowid
        for role in ("user", "assistant"):
            c.execute("INSERT INTO messages (thread_id, role, content, status, created_at, updated_at) "
                      "VALUES (?, ?, 'x', 'complete', ?, ?)", (thread, role, then, then))
    return thread


def threads(db):
    with sqlite3.connect(db) as c:
        return [row[0] for row in c.execute("SELECT session_id FROM threads ORDER BY id")]


def test_idle_conversations_are_removed_and_recent_ones_kept(quarry):
    first = quarry().wait_ready()  # creates and migrates the database
    assert first.stop() == 0
    old_conversation(first.db, "idle", days_ago=10)
    old_conversation(first.db, "recent", days_ago=1)
    q = quarry(env={"QUARRY_RETENTION_DAYS": "7"}, port=first.port).wait_ready()
    wait_until(lambda: threads(q.db) == ["recent"], what="the idle conversation to go")
    wait_until(lambda: "idle conversations removed" in q.output(), what="the log line")
    assert q.stop() == 0


def test_retention_zero_keeps_everything(quarry):
    first = quarry().wait_ready()
    assert first.stop() == 0
    old_conversation(first.db, "ancient", days_ago=4000)
    q = quarry(env={"QUARRY_RETENTION_DAYS": "0"}, port=first.port).wait_ready()
    assert q.stop() == 0
    assert threads(q.db) == ["ancient"]


def test_a_bad_retention_is_a_clear_message(tmp_path):
    result = run("serve", "--db", str(tmp_path / "q.db"), env={"QUARRY_RETENTION_DAYS": "a month"})
    assert result.returncode == 64
    assert "QUARRY_RETENTION_DAYS must be a whole number" in result.stderr


def test_the_database_is_private(quarry):
    old = os.umask(0o022)
    try:
        q = quarry().wait_ready()
    finally:
        os.umask(old)
    for suffix in ("", "-wal", "-shm"):
        assert stat.S_IMODE(os.stat(q.db + suffix).st_mode) == 0o600, suffix
    assert q.stop() == 0


def test_the_model_endpoints_password_stays_out_of_the_log(quarry):
    q = quarry("--llm-base-url", "http://kiosk:hunter2-secret@127.0.0.1:9/v1").wait_ready()
    assert q.stop() == 0
    log = q.output()
    assert "http://kiosk:***@127.0.0.1:9/v1" in log
    assert "hunter2" not in log
