"""The page in a real headless Chromium: it loads under the strict CSP, connects its socket, shows notices,
and reconnects by itself when the server restarts."""
import pytest

from conftest import Quarry

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect


def open_page(browser, port):
    page = browser.new_page(viewport={"width": 800, "height": 480})
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"http://127.0.0.1:{port}/")
    return page, problems


def status(page):
    # Locator assertions poll from an isolated world; page functions would need eval, which the CSP forbids.
    return expect(page.locator("#connection-status"))


def test_page_connects_under_its_csp_without_console_errors(browser, quarry):
    q = quarry().wait_ready()
    page, problems = open_page(browser, q.port)
    status(page).to_have_text("Connected")
    # A second socket from the same page asks; its notice goes to that socket alone, not into the page.
    page.evaluate("""() => new Promise((resolve) => {
        const s = new WebSocket(location.origin.replace('http', 'ws') + '/socket');
        s.onopen = () => { s.send('{"op":"ask","content":"hello"}'); resolve(); };
    })""")
    expect(page.locator("[data-error]")).to_have_count(0)
    assert problems == [], problems


def test_page_reconnects_after_a_restart(browser, quarry, tmp_path):
    first = quarry().wait_ready()
    page, problems = open_page(browser, first.port)
    status(page).to_have_text("Connected")
    assert first.stop() == 0
    status(page).to_have_text("Reconnecting…")
    quarry(port=first.port).wait_ready()
    status(page).to_have_text("Connected", timeout=20000)
    # Only the expected failures of the reconnect attempts while the server was down.
    assert all("WebSocket" in p or "ERR_CONNECTION_REFUSED" in p for p in problems), problems
