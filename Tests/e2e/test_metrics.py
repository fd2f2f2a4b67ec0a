"""`GET /metrics` end to end (issue 13, item 6): the real `quarry serve`, answering from the stand-in model, counts
what it did in Prometheus' text format; an address the setting does not list is refused.

Another address over loopback: the server listens on 127.0.0.1 and a client connects from 127.0.0.2 (all of
127.0.0.0/8 is this machine's on Linux), so no other network interface is needed. Every wait is on a condition."""
import re
import socket

import pytest

from chat_support import ask_over_socket, serve, standin  # noqa: F401 (standin: fixture)
from conftest import get, run, wait_until

SAMPLE = re.compile(r'^([a-z_:]+)(\{[^}]*\})? (\S+)$')


def scrape(port, source="127.0.0.1"):
    """(status, content type, {"name{labels}": value}) of GET /metrics from `source`."""
    with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0)) as s:
        s.sendall(f"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    samples = {}
    if status == 200:
        for line in body.decode().splitlines():
            if line.startswith("#"):
                assert line.startswith("# HELP ") or line.startswith("# TYPE "), line
                continue
            match = SAMPLE.match(line)
            assert match, f"not a sample line: {line!r}"
            samples[match[1] + (match[2] or "")] = float(match[3])
    return status, headers.get("content-type"), samples if status == 200 else body.decode()


def answered(port, status):
    """The scrape once an answer has ended with `status`."""
    # The answer is counted as finished a moment before its slot is given back: wait for both.
    def ended():
        samples = scrape(port)[2]
        finished = samples[f'quarry_answers_finished_total{{status="{status}"}}'] == 1
        return samples if finished and samples['quarry_answers_running'] == 0 else None
    return wait_until(ended, what=f"the answer counted as {status}")


def test_counters_move_after_an_answer(quarry, standin, tmp_path):
    q = serve(quarry, tmp_path, model=standin())
    # The documents are in the database a moment before the look at the folder that read them ends (and sets the
    # folder's gauge): wait for that end.
    wait_until(lambda: scrape(q.port)[2].get('quarry_ingest_looks_total', 0) >= 1, what="the first look's end")
    status, content_type, before = scrape(q.port)
    assert status == 200 and content_type == "text/plain; version=0.0.4; charset=utf-8"
    assert before['quarry_answers_started_total'] == 0
    assert before['quarry_tokens_streamed_total'] == 0
    assert before['quarry_model_response_seconds_count'] == 0
    assert before['quarry_ingest_documents_total{outcome="added"}'] == 4
    assert before['quarry_documents'] == 4
    assert before['process_resident_memory_bytes'] > 0 and 0 < before['process_open_fds'] < before['process_max_fds']
    # SQLite's heap is part of the heap in use, which is part of what is resident.
    assert 0 < before['quarry_sqlite_memory_bytes'] < before['quarry_heap_in_use_bytes'] \
        < before['process_resident_memory_bytes']
    # The writer's page cache is back at its small cap after the folder's documents were indexed (docs/limits.md).
    assert 0 < before['quarry_sqlite_page_cache_bytes{connection="writer"}'] <= 320 * 1024
    assert 'quarry_sqlite_page_cache_bytes{connection="reader"}' in before
    ws = ask_over_socket(q.port, "When does the café open?")
    after = answered(q.port, "complete")
    assert after['quarry_answers_started_total'] == 1
    assert after['quarry_tokens_streamed_total'] > 0
    assert after['quarry_model_first_token_seconds_count'] == 1
    assert after['quarry_model_response_seconds_count'] == 1
    assert after['quarry_model_response_seconds_bucket{le="+Inf"}'] == 1
    assert after['quarry_model_response_seconds_sum'] > 0
    assert after['quarry_answers_running'] == 0 and after['quarry_answers_waiting'] == 0
    assert after['quarry_sockets_open'] == 1 and after['quarry_sockets_opened_total'] == 1
    assert all(value == 0 for name, value in after.items() if name.startswith("quarry_model_errors_total"))
    assert all(value == 0 for name, value in after.items() if name.startswith("quarry_questions_refused_total"))
    ws.sock.close()


def test_model_errors_are_counted_by_kind(quarry, standin, tmp_path):
    q = serve(quarry, tmp_path, model=standin())
    ws = ask_over_socket(q.port, "When does the café open? [standin:status=401]")
    after = answered(q.port, "error")
    assert after['quarry_model_errors_total{kind="key_rejected"}'] == 1
    assert after['quarry_model_response_seconds_count'] == 1
    assert after['quarry_model_first_token_seconds_count'] == 0
    ws.sock.close()


def test_another_address_is_refused(quarry, tmp_path):
    q = serve(quarry, tmp_path, env={"QUARRY_METRICS_ALLOW": "127.0.0.2"})
    status, _, body = scrape(q.port, source="127.0.0.1")
    assert status == 403 and body == "Metrics are not served to your address.\n"
    status, _, samples = scrape(q.port, source="127.0.0.2")
    assert status == 200 and samples["quarry_metrics_refused_total"] == 1
    wait_until(lambda: "refused /metrics" in q.output() and "127.0.0.1" in q.output(), what="the refusal in the log")


def test_by_default_only_loopback_may_read_them(quarry, tmp_path):
    """Served on every interface, /metrics still answers only this machine's loopback addresses."""
    address = outward_address()
    if address is None:
        pytest.skip("this machine has no address besides loopback")
    q = serve(quarry, tmp_path, env={"QUARRY_HOST": "0.0.0.0"})
    assert scrape(q.port)[0] == 200
    with socket.create_connection((address, q.port), timeout=10) as s:
        s.sendall(f"GET /metrics HTTP/1.1\r\nHost: {address}:{q.port}\r\nConnection: close\r\n\r\n".encode())
        assert s.recv(4096).split(b"\r\n")[0].split()[1] == b"403"


def test_off_is_not_found_and_a_wrong_setting_is_named(quarry, tmp_path):
    q = serve(quarry, tmp_path, env={"QUARRY_METRICS_ALLOW": "off"})
    assert get(q.port, "/metrics")[0] == 404
    wrong = run("serve", "--port", "0", "--db", str(tmp_path / "other.db"), env={"QUARRY_METRICS_ALLOW": "10.0.0.1/8"})
    assert wrong.returncode == 64
    assert "QUARRY_METRICS_ALLOW" in wrong.stderr and "did you mean 10.0.0.0/8?" in wrong.stderr


def outward_address():
    """This machine's address on its default route (no packet is sent), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = s.getsockname()[0]
    return None if address.startswith("127.") else address
