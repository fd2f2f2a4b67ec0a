"""Who may ask (`quarry serve --auth`), in a real headless Chromium against the real binary.

proxy: a reverse proxy that signed the person in names them in a header, believed only from QUARRY_TRUSTED_PROXIES.
The browser contexts stand in for the proxy by sending the header themselves (the test's requests do come from
127.0.0.1, the trusted address); a request from another address (127.0.0.2) is refused whatever it says.

password: built-in accounts made with `quarry user add`, the sign-in form working without the page's script, a
wrong password refused and then slowed down, sign-out; each person sees only their own conversations, on every
browser they sign in on."""
import socket

from chat_support import ask, expect, open_page, query, serve, standin  # noqa: F401 (standin: fixture)
from conftest import BINARY, get
import subprocess

PROXY = {"QUARRY_AUTH": "proxy", "QUARRY_TRUSTED_PROXIES": "127.0.0.1", "QUARRY_AUTH_PROXY_ADMIN_GROUP": "staff"}


def raw_get(port, path, headers, source):
    """GET from the local address `source`, over a plain socket; the status and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0)) as s:
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode()


def thread_buttons(page):
    return page.locator("#threads button")


def test_proxy_people_see_their_own_conversations_on_every_browser(browser, quarry, tmp_path):
    q = serve(quarry, tmp_path, env=PROXY)
    grace = browser.new_context(extra_http_headers={"X-Forwarded-User": "grace"})
    page = open_page(grace, q.port)
    expect(page.locator(".account")).to_have_text("Signed in as grace")
    answer = ask(page, "When does the café open on Saturdays?")
    answer.status("complete")
    thread = page.locator("#thread-source").get_attribute("data-thread")
    source_link = page.locator(".sources a").first.get_attribute("href")

    # Her other browser (another context: no cookies shared) lists the same conversation.
    other = open_page(browser.new_context(extra_http_headers={"X-Forwarded-User": "grace"}), q.port)
    expect(thread_buttons(other)).to_have_count(1)
    expect(thread_buttons(other)).to_have_attribute("data-thread", thread)
    other.locator(f"#threads button[data-thread='{thread}']").click()
    expect(other.locator("#messages > article")).to_have_count(2)

    # Someone else sees none of it: not in the list, not at its address, not its sources.
    alan = open_page(browser.new_context(extra_http_headers={"X-Forwarded-User": "alan"}), q.port)
    expect(alan.locator(".account")).to_have_text("Signed in as alan")
    expect(thread_buttons(alan)).to_have_count(0)
    alan.goto(f"http://127.0.0.1:{q.port}/#{thread}")
    expect(alan.locator("#connection-status")).to_have_text("Connected")
    alan.wait_for_timeout(500)
    expect(alan.locator("#messages > article")).to_have_count(0)
    status, _, _ = get(q.port, source_link, {"X-Forwarded-User": "alan"})
    assert status in (403, 404)
    status, _, body = get(q.port, source_link, {"X-Forwarded-User": "grace"})
    assert status == 200 and b"caf" in body

    # The conversation is stored once, under one owner for both of grace's browsers.
    assert query(q.db, "SELECT count(DISTINCT session_id) FROM threads")[0][0] == 1
    for p in (page, other, alan):
        assert p.problems == []


def test_proxy_refuses_requests_that_did_not_come_through_it(quarry, tmp_path):
    q = serve(quarry, tmp_path, env=PROXY)
    status, body = raw_get(q.port, "/", {"X-Forwarded-User": "grace"}, "127.0.0.2")
    assert status == 403 and "did not come through it" in body
    status, body = raw_get(q.port, "/", {}, "127.0.0.1")
    assert status == 403 and "X-Forwarded-User" in body
    status, _ = raw_get(q.port, "/healthz", {}, "127.0.0.2")
    assert status == 200, "health checks do not come through the proxy"


def test_auth_settings_are_checked_at_start(tmp_path):
    def serve_with(env):
        return subprocess.run([BINARY, "serve", "--port", "0", "--db", str(tmp_path / "q.db")], env=env,
                              capture_output=True, text=True, timeout=20)
    result = serve_with({"QUARRY_AUTH": "proxy"})
    assert result.returncode == 64 and "QUARRY_TRUSTED_PROXIES" in result.stderr
    result = serve_with({"QUARRY_AUTH": "ldapish"})
    assert result.returncode == 64 and "none, proxy, password or ldap" in result.stderr
    result = serve_with({"QUARRY_AUTH": "password", "QUARRY_KIOSK": "yes"})
    assert result.returncode == 64 and "kiosk" in result.stderr
