"""The page's patcher in headless Chromium: every case of the conformance table, published through the real
Hub; and stock Hotwire Turbo given the same socket, which must agree on the standard actions."""
import os
import pathlib
import zipfile

import pytest

from conformance import CASES
from pageserver import page_server, stream, wait_applied  # noqa: F401 (fixture)

playwright = pytest.importorskip("playwright.sync_api")
TURBO = pathlib.Path(os.environ.get("QUARRY_STOCK_TURBO", ".venv/stock-turbo/turbo.min.js"))


def fixture_html(page):
    return page.eval_on_selector("#fixture", "e => e.innerHTML")


def run_cases(page, server, cases):
    results = {}
    for name, fixture, frame, expected, _ in cases:
        server.publish(stream("update", "fixture", fixture))
        wait_applied(page, server)
        server.publish(frame)
        wait_applied(page, server)
        results[name] = fixture_html(page)
    return results


def open_fixture_page(browser, server, route=None):
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    if route:
        page.route("**/assets/*.js", route)
    # The fixture lives inside the conversation container; the marker proves ordering. Both arrive as the
    # stream's snapshot, so they are there as soon as the page has subscribed.
    server.snapshot("update", "messages", '<div id="fixture"></div><p id="marker"></p>')
    page.goto(server.url)
    page.wait_for_selector("#marker", state="attached")
    return page, errors


def test_quarry_patcher_conformance(browser, page_server):
    server = page_server()
    page, errors = open_fixture_page(browser, server)
    results = run_cases(page, server, CASES)
    for name, _, _, expected, _ in CASES:
        assert results[name] == expected, name
    # Each malformed envelope was reported with its opening tag, and nothing else went wrong.
    reported = [e for e in errors if e.startswith("<turbo-stream")]
    assert any('action="explode"' in e and "unknown action" in e for e in reported), errors
    assert any("target or targets attribute is missing" in e for e in reported), errors
    assert any("first child element must be a <template> element" in e for e in reported), errors
    assert len(reported) == 3, errors


def test_script_in_a_template_never_runs(browser, page_server):
    server = page_server()
    page, _ = open_fixture_page(browser, server)
    server.publish(stream("update", "fixture", '<p>hi</p><script>window.pwned = 1</script>'))
    wait_applied(page, server)
    assert page.evaluate("window.pwned") is None
    assert fixture_html(page).startswith("<p>hi</p>")


def test_envelopes_apply_in_a_background_tab(browser, page_server):
    server = page_server()
    page, _ = open_fixture_page(browser, server)
    page.evaluate("""() => {
        Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
        Object.defineProperty(document, 'hidden', { value: true, configurable: true });
        window.requestAnimationFrame = () => 0;  // a hidden tab runs no animation frames
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    server.publish(stream("update", "fixture", "<p>while hidden</p>"))
    wait_applied(page, server)
    assert fixture_html(page) == "<p>while hidden</p>"


@pytest.mark.skipif(not TURBO.exists(), reason="stock Turbo was not fetched (tools/test fetches it)")
def test_stock_turbo_applies_the_standard_actions_as_quarry_does(browser, page_server):
    server = page_server()
    bootstrap = """
    ;(() => {
      const socket = new WebSocket(location.origin.replace(/^http/, "ws") + "/socket");
      socket.onopen = () => {
        for (const s of document.querySelectorAll("quarry-stream-source"))
          socket.send(JSON.stringify({ op: "subscribe", stream: s.getAttribute("signed-stream-name") }));
      };
      Turbo.connectStreamSource(socket);
    })();
    """
    script = TURBO.read_text() + bootstrap
    page, _ = open_fixture_page(browser, server, route=lambda route: route.fulfill(
        status=200, content_type="text/javascript", body=script))
    assert page.evaluate("typeof Turbo") == "object"
    comparable = [case for case in CASES if case[4]]
    results = run_cases(page, server, comparable)
    for name, _, _, expected, _ in comparable:
        assert results[name] == expected, name
