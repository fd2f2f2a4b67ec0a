"""Who may ask (`quarry serve --auth`), in a real headless Chromium against the real binary.

proxy: a reverse proxy that signed the person in names them in a header, believed only from QUARRY_TRUSTED_PROXIES.
The browser contexts stand in for the proxy by sending the header themselves (the test's requests do come from
127.0.0.1, the trusted address); a request from another address (127.0.0.2) is refused whatever it says.

password: built-in accounts made with `quarry user add`, the sign-in form working without the page's script, a
wrong password refused and then slowed down, sign-out; each person sees only their own conversations, on every
browser they sign in on."""
import re
import socket
import subprocess
from pathlib import Path

from chat_support import ask, expect, open_page, query, serve, standin  # noqa: F401 (standin: fixture)
from conftest import BINARY, get, run, wait_until

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


# Password mode ------------------------------------------------------------------------------------------------------

def add_user(tmp_path, name, password, *flags):
    added = run("user", "add", name, *flags, "--db", str(tmp_path / "quarry.db"), input=password + "\n")
    assert added.returncode == 0, added.stderr


def sign_in(context, port, name, password):
    """Signs in through the form, as a person would; the page it lands on."""
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.goto(f"http://127.0.0.1:{port}/")
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    page.fill("#sign-in-name", name)
    page.fill("#sign-in-password", password)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_password_sign_in_own_conversations_and_sign_out(browser, quarry, tmp_path):
    add_user(tmp_path, "ada", "correct horse", "--admin")
    add_user(tmp_path, "bob", "battery staple")
    q = serve(quarry, tmp_path, env={"QUARRY_AUTH": "password"})

    # A wrong password is refused with a sentence, the name kept; the right one lets her in.
    first = browser.new_context()
    wrong = sign_in(first, q.port, "ada", "not it")
    expect(wrong.locator(".sign-in-message")).to_contain_text("do not match")
    expect(wrong.locator("#sign-in-name")).to_have_value("ada")
    wrong.fill("#sign-in-password", "correct horse")
    wrong.get_by_role("button", name="Sign in").click()
    expect(wrong.locator("#connection-status")).to_have_text("Connected")
    expect(wrong.locator(".account span")).to_have_text("Signed in as ada")
    answer = ask(wrong, "When does the café open on Saturdays?")
    answer.status("complete")
    thread = wrong.locator("#thread-source").get_attribute("data-thread")

    # Her second browser lists the conversation; bob's does not, nor opens it.
    second = sign_in(browser.new_context(), q.port, "ada", "correct horse")
    expect(second.locator("#connection-status")).to_have_text("Connected")
    expect(second.locator("#threads button")).to_have_attribute("data-thread", thread)
    bob = sign_in(browser.new_context(), q.port, "bob", "battery staple")
    expect(bob.locator("#connection-status")).to_have_text("Connected")
    expect(bob.locator("#threads button")).to_have_count(0)
    bob.goto(f"http://127.0.0.1:{q.port}/#{thread}")
    expect(bob.locator("#connection-status")).to_have_text("Connected")
    bob.wait_for_timeout(500)
    expect(bob.locator("#messages > article")).to_have_count(0)
    assert raw_get(q.port, "/admin", {"Cookie": cookie_header(bob.context)}, "127.0.0.1")[0] == 403, "bob is no admin"

    # Signing out ends it on that browser only; the page then asks to sign in again.
    wrong.get_by_role("button", name="Sign out").click()
    expect(wrong).to_have_url(re.compile(r"/sign-in$"))
    wrong.goto(f"http://127.0.0.1:{q.port}/")
    expect(wrong).to_have_url(re.compile(r"/sign-in$"))
    second.reload()
    expect(second.locator("#connection-status")).to_have_text("Connected")
    assert query(q.db, "SELECT count(*) FROM sign_ins")[0][0] == 2
    for p in (wrong, second, bob):
        assert p.problems == []


def cookie_header(context):
    return "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())


def test_repeated_wrong_passwords_must_wait(browser, quarry, tmp_path):
    add_user(tmp_path, "ada", "correct horse")
    q = serve(quarry, tmp_path, env={"QUARRY_AUTH": "password"})
    page = sign_in(browser.new_context(), q.port, "ada", "wrong 1")
    for attempt in (2, 3):
        page.fill("#sign-in-password", f"wrong {attempt}")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".sign-in-message")).to_contain_text("do not match")
    page.fill("#sign-in-password", "correct horse")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".sign-in-message")).to_contain_text("Too many tries")
    assert query(q.db, "SELECT count(*) FROM sign_ins")[0][0] == 0


def test_a_post_without_the_form_token_is_refused(quarry, tmp_path):
    add_user(tmp_path, "ada", "correct horse", "--admin")
    q = serve(quarry, tmp_path, env={"QUARRY_AUTH": "password"})
    status, headers, _ = get(q.port, "/sign-in")
    cookie = headers["Set-Cookie"].split(";")[0]
    body = b"name=ada&password=correct+horse"
    import urllib.request
    request = urllib.request.Request(f"http://127.0.0.1:{q.port}/sign-in", data=body, method="POST", headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    try:
        urllib.request.urlopen(request, timeout=5)
        raise AssertionError("accepted")
    except urllib.error.HTTPError as error:
        assert error.code == 403
    assert query(q.db, "SELECT count(*) FROM sign_ins")[0][0] == 0


# Admin pages --------------------------------------------------------------------------------------------------------

def test_admin_pages_documents_unanswered_questions_and_accounts(browser, quarry, tmp_path):
    add_user(tmp_path, "ada", "correct horse", "--admin")
    # A kiosk-like Quarry without sign-in for the page: the admin signs in for the admin pages only.
    q = serve(quarry, tmp_path, docs_extra={"broken.docx": "not a zip"})
    visitor = open_page(browser.new_context(), q.port)
    ask(visitor, "xyzzy plugh quux").status("complete")
    assert raw_get(q.port, "/admin", {}, "127.0.0.1")[0] == 303, "not signed in: to the sign-in form"

    page = browser.new_context().new_page()
    page.goto(f"http://127.0.0.1:{q.port}/admin")
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    page.fill("#sign-in-name", "ada")
    page.fill("#sign-in-password", "correct horse")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin$"))
    expect(page.locator("h1")).to_have_text("Documents")
    rows = page.locator(".admin-table tbody tr")
    expect(rows.filter(has_text="Café hours")).to_have_count(1)
    expect(rows.filter(has_text="broken.docx")).to_contain_text("Could not be read")

    # Read again: the document's content hash is forgotten, so the next look reads it.
    rows.filter(has_text="Café hours").get_by_role("button", name="Read again").click()
    expect(page.locator(".admin-notice")).to_contain_text("will be read again")
    # Delete: the file leaves the folder and the list.
    rows.filter(has_text="broken.docx").get_by_role("button", name="Delete").click()
    expect(page.locator(".admin-notice")).to_contain_text("was deleted")
    assert not (tmp_path / "docs" / "broken.docx").exists()
    expect(rows.filter(has_text="broken.docx")).to_have_count(0)

    page.get_by_role("link", name="Unanswered questions").click()
    expect(page.locator(".admin-table")).to_contain_text("xyzzy plugh quux")
    expect(page.locator(".admin-table")).to_contain_text("No passage found")

    page.get_by_role("link", name="Model").click()
    page.get_by_role("button", name="Test the model").click()
    expect(page.locator(".admin-findings")).to_contain_text("none configured")

    page.get_by_role("link", name="Accounts").click()
    page.fill(".admin-form input[name=name]", "carol")
    page.fill(".admin-form input[name=password]", "a long password")
    page.get_by_role("button", name="Add an account").click()
    expect(page.locator(".admin-notice")).to_contain_text("carol was added")
    assert query(q.db, "SELECT name, is_admin FROM users ORDER BY id") == [("ada", 1), ("carol", 0)]
    page.locator(".admin-table tr", has_text="carol").get_by_role("button", name="Remove").click()
    expect(page.locator(".admin-notice")).to_contain_text("carol was removed")
    log = q.output()
    assert "admin: deleted a document" in log and "admin=ada" in log.replace('"', "")

    # The visitor's page is as it was: no sign-in, no account line.
    expect(visitor.locator(".account")).to_have_count(0)


FIXTURES = Path(__file__).resolve().parent.parent / "RetrievalTests" / "Fixtures"


def admin_page(browser, port, name="ada", password="correct horse"):
    page = browser.new_context().new_page()
    page.goto(f"http://127.0.0.1:{port}/admin")
    page.fill("#sign-in-name", name)
    page.fill("#sign-in-password", password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin$"))
    return page


def test_upload_documents_from_the_browser(browser, quarry, tmp_path):
    add_user(tmp_path, "ada", "correct horse", "--admin")
    q = serve(quarry, tmp_path, env={"QUARRY_DOCS_RESCAN": "1"})
    docs = tmp_path / "docs"
    page = admin_page(browser, q.port)

    # A PDF and a Word file go in, each with its own progress bar; a .doc is refused with its reason; a zip bomb named
    # .docx goes in and fails to be read, with its reason in the list.
    def fixture(path, kind):
        return {"name": path.name, "mimeType": kind, "buffer": path.read_bytes()}
    page.set_input_files("input[type=file]", [
        fixture(FIXTURES / "pdf" / "secrets.pdf", "application/pdf"),
        fixture(FIXTURES / "office" / "string.docx", "application/octet-stream"),
        fixture(FIXTURES / "office" / "bomb.docx", "application/octet-stream"),
        {"name": "old.doc", "mimeType": "application/msword", "buffer": b"\xd0\xcf\x11\xe0"}])
    page.get_by_role("button", name="Upload").click()
    rows = page.locator(".uploads li")
    expect(rows).to_have_count(4)
    for name in ("secrets.pdf", "string.docx", "bomb.docx"):
        expect(rows.filter(has_text=name)).to_have_attribute("data-state", "done")
        expect(rows.filter(has_text=name).locator("progress")).to_have_js_property("value", (FIXTURES / (
            "pdf" if name.endswith(".pdf") else "office") / name).stat().st_size)
    expect(rows.filter(has_text="old.doc")).to_have_attribute("data-state", "refused")
    expect(rows.filter(has_text="old.doc")).to_contain_text("Word 97–2003 (.doc) is not read")
    assert sorted(p.name for p in docs.iterdir() if p.suffix in (".pdf", ".docx", ".doc")) == [
        "bomb.docx", "secrets.pdf", "string.docx"]
    assert [p.name for p in docs.iterdir() if p.name.startswith(".")] == [], "no temporary file left"

    # Read within seconds, the list following by itself: the PDF's pages, the bomb's reason.
    expect(page.locator(".admin-table tr", has_text="bomb.docx")).to_contain_text("zip bomb", timeout=60_000)
    expect(page.locator(".admin-table tr", has_text="secrets.pdf").locator("td").nth(2)).not_to_have_text("–")

    # The uploaded PDF answers a question on the chat page.
    chat = open_page(browser.new_context(), q.port)
    answer = ask(chat, "How do I get a random text string in hexadecimal?")
    answer.status("complete")
    expect(answer.sources.locator("li").first.locator(".title")).to_contain_text("secrets")
    assert "admin: uploaded documents" in q.output()


def test_cancel_mid_upload_keeps_nothing(browser, quarry, tmp_path):
    add_user(tmp_path, "ada", "correct horse", "--admin")
    q = serve(quarry, tmp_path)
    docs = tmp_path / "docs"
    page = admin_page(browser, q.port)
    # A slow link, so the upload is still going when Cancel is pressed.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                   "uploadThroughput": 256 * 1024})
    page.set_input_files("input[type=file]", [{"name": "big.pdf", "mimeType": "application/pdf",
                                               "buffer": b"%PDF-1.7\n" + b"0" * (8 << 20)}])
    page.get_by_role("button", name="Upload").click()
    row = page.locator(".uploads li", has_text="big.pdf")
    wait_until(lambda: page.evaluate("document.querySelector('.uploads progress').value") > 0, what="the upload under way")
    row.get_by_role("button", name="Cancel").click()
    expect(row).to_have_attribute("data-state", "cancelled")
    expect(row).to_contain_text("nothing was kept")
    wait_until(lambda: not any(p.name.startswith(".") or p.name == "big.pdf" for p in docs.iterdir()),
               what="nothing left in the folder")


def test_an_upload_cut_off_or_without_the_token_leaves_nothing(browser, quarry, tmp_path):
    add_user(tmp_path, "ada", "correct horse", "--admin")
    q = serve(quarry, tmp_path)
    docs = tmp_path / "docs"
    page = admin_page(browser, q.port)
    cookie = cookie_header(page.context)
    token = page.locator("form.upload input[name=form_token]").get_attribute("value")
    boundary = "quarryboundary"

    def body(with_token, data):
        parts = []
        if with_token:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="form_token"\r\n\r\n{token}\r\n'.encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="notes.md"\r\n'
                     f"Content-Type: text/markdown\r\n\r\n".encode() + data + b"\r\n")
        return b"".join(parts) + f"--{boundary}--\r\n".encode()

    def post(data, length=None, close_early=False):
        with socket.create_connection(("127.0.0.1", q.port), timeout=10) as s:
            head = (f"POST /admin/upload HTTP/1.1\r\nHost: 127.0.0.1:{q.port}\r\nCookie: {cookie}\r\n"
                    f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                    f"Content-Length: {length or len(data)}\r\nConnection: close\r\n\r\n").encode()
            s.sendall(head + data)
            if close_early:
                return None
            reply = b""
            while chunk := s.recv(65536):
                reply += chunk
            return int(reply.split()[1])

    # Cut off halfway (a Cancel, a lost connection): the half-written file goes.
    full = body(True, b"# Notes\n\n" + b"The notes go on. " * 50_000)
    post(full[: len(full) // 2], length=len(full), close_early=True)
    wait_until(lambda: [p.name for p in docs.iterdir() if p.name.startswith(".")] == [], what="the partial file removed")
    assert not (docs / "notes.md").exists()
    # Without the form's token: refused, nothing kept.
    assert post(body(False, b"# Notes\n\nShort.\n")) == 403
    assert not (docs / "notes.md").exists()
    wait_until(lambda: [p.name for p in docs.iterdir() if p.name.startswith(".")] == [], what="the refused file removed")
    # With it: in.
    assert post(body(True, b"# Notes\n\nShort.\n")) == 200
    assert (docs / "notes.md").read_text() == "# Notes\n\nShort.\n"
    # Larger than an upload may be: refused before its body.
    assert post(b"", length=300 << 20, close_early=False) == 413


def test_the_documents_list_follows_the_folder_live(browser, quarry, tmp_path):
    add_user(tmp_path, "ada", "correct horse", "--admin")
    q = serve(quarry, tmp_path, env={"QUARRY_DOCS_RESCAN": "1"})
    page = admin_page(browser, q.port)
    rows = page.locator(".admin-table tbody tr")
    expect(rows).to_have_count(4)
    # A file dropped into the folder appears in the open page once read, over the socket, without a reload.
    page.evaluate("window.notReloaded = true")
    (tmp_path / "docs" / "library.md").write_text("# Library hours\n\nThe library opens at nine.\n")
    expect(rows.filter(has_text="Library hours")).to_have_count(1, timeout=30_000)
    assert page.evaluate("window.notReloaded") is True
    # What arrived live works like the rest: its form carries this browser's token.
    rows.filter(has_text="Library hours").get_by_role("button", name="Read again").click()
    expect(page.locator(".admin-notice")).to_contain_text("will be read again")


def test_a_file_larger_than_ingestion_reads_is_refused_with_its_reason(browser, quarry, tmp_path):
    add_user(tmp_path, "ada", "correct horse", "--admin")
    q = serve(quarry, tmp_path)
    page = admin_page(browser, q.port)
    page.set_input_files("input[type=file]", [
        {"name": "dump.txt", "mimeType": "text/plain", "buffer": b"log line\n" * ((21 << 20) // 9)},
        {"name": "small.md", "mimeType": "text/markdown", "buffer": b"# Small\n\nA small note.\n"}])
    page.get_by_role("button", name="Upload").click()
    rows = page.locator(".uploads li")
    expect(rows.filter(has_text="dump.txt")).to_have_attribute("data-state", "refused", timeout=30_000)
    expect(rows.filter(has_text="dump.txt")).to_contain_text("larger than 20 MB")
    expect(rows.filter(has_text="small.md")).to_have_attribute("data-state", "done", timeout=30_000)
    docs = tmp_path / "docs"
    assert not (docs / "dump.txt").exists() and (docs / "small.md").exists()
    wait_until(lambda: not any(p.name.startswith(".") for p in docs.iterdir()), what="no temporary file left")
