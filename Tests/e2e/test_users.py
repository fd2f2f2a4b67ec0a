"""`quarry user`: built-in accounts added, listed, given a new password and removed by the real binary, the password
piped on standard input (and, once, typed on a terminal with echo off); names taken in another case, unknown users,
bad names and unusable passwords refused with their messages and exit codes. What is stored is an argon2id hash."""
import os
import pty
import select
import signal
import sqlite3
import termios

from conftest import BINARY, run


def user(db, *args, password=None):
    return run("user", *args, "--db", str(db), input=password)


def stored(db):
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT name, password_hash, is_admin FROM users ORDER BY id").fetchall()
    finally:
        connection.close()


def test_add_list_passwd_remove(tmp_path):
    db = tmp_path / "quarry.db"
    added = user(db, "add", "Ada@example.org", "--admin", password="correct horse battery staple\n")
    assert added.returncode == 0, added.stderr
    assert added.stdout == "Added Ada@example.org, an administrator.\n"
    assert user(db, "add", "bob", password="hunter2!\n").stdout == "Added bob.\n"

    listed = user(db, "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["NAME", "ADMIN", "CREATED"]
    assert lines[1].split()[:2] == ["Ada@example.org", "yes"] and lines[1].endswith(" UTC")
    assert lines[2].split()[:2] == ["bob", "no"]

    rows = stored(db)
    assert [(name, admin) for name, _, admin in rows] == [("Ada@example.org", 1), ("bob", 0)]
    assert all(h.startswith("$argon2id$v=19$m=19456,t=2,p=1$") for _, h, _ in rows)
    assert not any("horse" in h or "hunter2" in h for _, h, _ in rows)

    before = stored(db)[1][1]
    changed = user(db, "passwd", "BOB", password="a new passphrase\n")
    assert changed.returncode == 0 and changed.stdout == "Changed the password of bob.\n", changed.stderr
    assert stored(db)[1][1] != before

    removed = user(db, "remove", "bob")
    assert removed.returncode == 0 and removed.stdout == "Removed bob.\n"
    assert [name for name, _, _ in stored(db)] == ["Ada@example.org"]


def test_a_name_taken_in_any_case_is_refused_before_a_password_is_read(tmp_path):
    db = tmp_path / "quarry.db"
    assert user(db, "add", "ada", password="first password\n").returncode == 0
    again = user(db, "add", "ADA", password="")
    assert again.returncode == 1
    assert again.stderr == "quarry: There is already a user named ada (names are the same whatever their case).\n"
    assert len(stored(db)) == 1


def test_unknown_users_and_unusable_passwords(tmp_path):
    db = tmp_path / "quarry.db"
    assert user(db, "add", "ada", password="first password\n").returncode == 0
    for args in [("passwd", "bob"), ("remove", "bob")]:
        result = user(db, *args, password="whatever\n")
        assert result.returncode == 1 and result.stderr == "quarry: There is no user named bob.\n", args

    cases = {
        "\n": "The password is empty.",
        "": "No password on standard input",
        "x" * 1025 + "\n": "The password is too long: at most 1024 bytes.",
    }
    before = stored(db)
    for password, message in cases.items():
        result = user(db, "passwd", "ada", password=password)
        assert result.returncode == 1 and message in result.stderr, (password[:10], result.stderr)
        assert "Nothing was changed" in result.stderr or "nothing was changed" in result.stderr
    assert stored(db) == before
    refused = user(tmp_path / "new.db", "add", "ada", password="\n")
    assert refused.returncode == 1 and not (tmp_path / "new.db").exists()  # no database made for a refused password
    # The longest password, and one with spaces and non-ASCII letters, are accepted.
    assert user(db, "add", "carol", password="y" * 1024 + "\n").returncode == 0
    assert user(db, "add", "dora", password=" pass wörd \n").returncode == 0


def test_bad_names_and_command_lines(tmp_path):
    db = tmp_path / "quarry.db"
    for name in ["", "-rf", ".hidden", "has space", "émile", "a/b", "n" * 65]:
        result = user(db, "add", name, password="a password\n")
        assert result.returncode == 64, (name, result.stderr)
        assert f"“{name}” cannot be a user name: use 1 to 64 letters" in result.stderr
    assert not db.exists()  # refused before the database was opened
    usage = {
        (): "Say what to do: quarry user add NAME [--admin], passwd NAME, remove NAME or list.",
        ("add",): "Say whose: quarry user add NAME.",
        ("frob", "ada"): "Unknown user command “frob”: add, passwd, remove or list.",
        ("remove", "ada", "--admin"): "--admin goes with quarry user add.",
        ("add", "ada", "bob"): "quarry user add takes one NAME.",
        ("list", "ada"): "quarry user list takes no NAME.",
    }
    for args, message in usage.items():
        result = run("user", *args, input="")
        assert result.returncode == 64 and result.stderr == f"quarry: {message}\n", (args, result.stderr)
    missing = run("user", "list", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 1 and "There is no database at" in missing.stderr
    assert "quarry user add NAME [--admin]" in run("user", "--help").stdout
    assert "quarry user add NAME [--admin]" in run("help").stdout


def test_the_database_is_found_as_the_other_commands_find_it(tmp_path):
    db = tmp_path / "from-env.db"
    added = run("user", "add", "ada", env={"QUARRY_DB": str(db)}, input="a password\n")
    assert added.returncode == 0, added.stderr
    config = tmp_path / "quarry.conf"
    config.write_text(f"QUARRY_DB={db}\n")
    listed = run("user", "list", "--config", str(config))
    assert listed.returncode == 0 and "ada" in listed.stdout, listed.stderr


def test_on_a_terminal_the_password_is_asked_twice_without_echo(tmp_path):
    db = tmp_path / "quarry.db"

    def typed(*answers):
        """Runs `quarry user add` on a pseudo-terminal, typing each answer once its prompt is on the screen; the
        exit code and everything the terminal showed."""
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(BINARY, [BINARY, "user", "add", "ada", "--db", str(db)])
        screen = b""
        for prompt, answer in zip([b"New password for ada: ", b"The same password again: "], answers):
            while prompt not in screen:
                ready, _, _ = select.select([fd], [], [], 10)
                assert ready, screen
                screen += os.read(fd, 1024)
            os.write(fd, answer)
        while True:
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # EIO: the program ended and closed the terminal
                break
            if not chunk:
                break
            screen += chunk
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        return os.waitstatus_to_exitcode(status), screen.decode()

    code, screen = typed(b"secret one\n", b"secret two\n")
    assert code == 1 and "The passwords differ; nothing was changed." in screen, screen
    assert "New password for ada:" in screen and "The same password again:" in screen
    assert "secret" not in screen

    code, screen = typed(b"secret one\n", b"secret one\n")
    assert code == 0 and "Added ada." in screen and "secret" not in screen, screen


def test_ctrl_c_at_the_password_prompt_turns_echo_back_on(tmp_path):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(BINARY, [BINARY, "user", "add", "ada", "--db", str(tmp_path / "quarry.db")])
    screen = b""
    while b"New password for ada: " not in screen:
        ready, _, _ = select.select([fd], [], [], 10)
        assert ready, screen
        screen += os.read(fd, 1024)
    assert not termios.tcgetattr(fd)[3] & termios.ECHO  # lflag: echo is off while the password is typed
    os.write(fd, b"half a pass" + bytes([termios.tcgetattr(fd)[6][termios.VINTR][0]]))
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 128 + signal.SIGINT
    assert termios.tcgetattr(fd)[3] & termios.ECHO  # and on again after the interrupt
    os.close(fd)
    assert not (tmp_path / "quarry.db").exists()  # with no database yet, the password is asked for before one is made
