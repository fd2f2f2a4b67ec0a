"""`quarry serve` as a person runs it: starts, serves, keeps sessions across restarts, stops cleanly."""
import re
import signal
import socket

from conftest import get, run, wait_until
from websocket import WebSocket


def signed_stream(html):
    return re.search(r'<quarry-stream-source signed-stream-name="([^"]+)"', html).group(1)


def test_version():
    result = run("version")
    assert result.returncode == 0
    assert re.fullmatch(r"quarry \d+\.\d+\.\d+\n", result.stdout)


def test_serves_page_and_health_then_stops_on_sigterm(quarry):
    q = quarry().wait_ready()
    status, headers, body = get(q.port, "/")
    assert status == 200
    assert "quarry_session=" in headers["Set-Cookie"]
    assert "Content-Security-Policy" in headers
    assert q.stop() == 0
    log = q.output()
    assert "Quarry is ready" in log
    assert "Traceback" not in log and "Fatal error" not in log


def test_sockets_are_closed_with_1001_on_sigint(quarry):
    q = quarry().wait_ready()
    _, headers, body = get(q.port, "/")
    ws = WebSocket(q.port, headers={"Cookie": headers["Set-Cookie"].split(";")[0]})
    assert ws.status == 101
    ws.send_text('{"op":"subscribe","stream":"%s"}' % signed_stream(body.decode()))
    ws.send_text('{"op":"ping"}')
    assert "threads" in ws.next()[1], "the session stream's snapshot: its thread list"
    assert "unknown_op" in ws.next()[1]
    q.process.send_signal(signal.SIGINT)
    assert ws.next() == ("close", 1001)
    assert q.process.wait(timeout=10) == 0


def test_sessions_and_stream_names_survive_a_restart(tmp_path, quarry):
    first = quarry().wait_ready()
    _, headers, body = get(first.port, "/")
    cookie = headers["Set-Cookie"].split(";")[0]
    assert first.stop() == 0
    second = quarry(port=first.port).wait_ready()
    _, again_headers, again_body = get(second.port, "/", {"Cookie": cookie})
    assert "Set-Cookie" not in again_headers, "the stored secret still recognises the session"
    assert signed_stream(again_body.decode()) == signed_stream(body.decode())


def test_environment_configures_like_flags(tmp_path, quarry):
    port = __import__("conftest").free_port()
    q = quarry(env={"QUARRY_PORT": str(port)}, port=port)
    q.wait_ready()
    assert get(port, "/healthz")[0] == 200


def test_a_taken_port_is_a_clear_message(tmp_path, quarry):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        q = quarry(port=port)
        assert q.process.wait(timeout=20) != 0
        assert "Is another program using that port?" in q.output()


def test_bad_settings_are_clear_messages(tmp_path):
    cases = [
        (["serve", "--port", "99999"], {}, "between 0 and 65535"),
        (["serve", "--log-level", "loud"], {}, "is not one of"),
        (["serve", "--docs", str(tmp_path / "missing")], {}, "does not exist"),
        (["serve", "--allowed-origin", "kiosk.example.org"], {}, "must start with http"),
        (["serve", "--db", str(tmp_path / "no" / "such" / "dir" / "q.db")], {}, "could not be opened"),
        (["serve", "--db", str(tmp_path / "q.db")], {"QUARRY_PORT": "eighty"}, "whole number"),
        (["serve", "--db", str(tmp_path / "q.db")], {"QUARRY_SECRET": "short"}, "at least 32 bytes"),
        (["serve", "--kiosk=maybe"], {}, "--kiosk must be yes or no"),
        (["serve"], {"QUARRY_KIOSK": "sometimes"}, "QUARRY_KIOSK must be yes or no"),
        (["serve", "--kiosk"], {"QUARRY_KIOSK_IDLE": "5"}, "QUARRY_KIOSK_IDLE must be between 10 and 86400"),
    ]
    for args, env, message in cases:
        result = run(*args, env=env)
        assert result.returncode != 0, args
        assert message in result.stderr + result.stdout, (args, result.stderr)
        assert "Fatal error" not in result.stderr and "Stack dump" not in result.stderr


def test_command_line_mistakes_are_clear_and_exit_64():
    cases = [
        (["serve", "--bogus"], "Unknown option --bogus"),
        (["serve", "--port"], "--port needs a value"),
        (["launch"], "Unknown command"),
        (["serve", "extra"], "Unexpected argument"),
        (["version", "--x"], "takes no options"),
    ]
    for args, message in cases:
        result = run(*args)
        assert result.returncode == 64, args
        assert message in result.stderr, (args, result.stderr)


def test_help_lists_every_option_and_its_variable():
    result = run("help", "serve")
    assert result.returncode == 0
    for option, variable in [("--host", "QUARRY_HOST"), ("--port", "QUARRY_PORT"), ("--db", "QUARRY_DB"),
                             ("--docs", "QUARRY_DOCS"), ("--log-level", "QUARRY_LOG_LEVEL"),
                             ("--allowed-origin", "QUARRY_ALLOWED_ORIGINS"), ("--kiosk", "QUARRY_KIOSK"),
                             ("--max-connections", "QUARRY_MAX_CONNECTIONS")]:
        assert option in result.stdout and variable in result.stdout
    assert "Usage:" in run("--help").stdout


def test_equals_form_and_repeated_origins(quarry):
    from conftest import free_port
    port = free_port()
    q = quarry(f"--max-connections=5", "--allowed-origin", "https://a.example", "--allowed-origin=https://b.example",
               port=port).wait_ready()
    for origin, allowed in [("https://a.example", True), ("https://b.example", True), ("https://c.example", False)]:
        ws = WebSocket(port, headers={"Origin": origin})
        assert (ws.status == 101) == allowed, origin
