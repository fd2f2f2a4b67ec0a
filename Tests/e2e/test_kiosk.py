"""Kiosk mode (`quarry serve --kiosk`) in a real headless Chromium at the official Raspberry Pi displays' sizes: no
conversation list, large targets, a visible countdown after the idle time, then a fresh session whose page (and a
reload of it) does not bring the last visitor's conversation back; the database no longer holds it. And, in normal
mode, the conversation list folded into a menu on a narrow screen.

Waits are on conditions; the idle time is the shortest allowed (10 s: 8 s of quiet, then a 2 s countdown)."""
import os
import pathlib

import pytest

from chat_support import LONG, ask, expect, open_page, query, serve, standin  # noqa: F401 (standin: fixture)
from conftest import get, wait_until

SHOTS = pathlib.Path(os.environ.get("QUARRY_SCREENSHOTS", ".build/screenshots"))
KIOSK = {"QUARRY_KIOSK": "yes", "QUARRY_KIOSK_IDLE": "10"}


def session_cookie(context):
    return next(c["value"] for c in context.cookies() if c["name"] == "quarry_session")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"kiosk-{name}.png"))


def expect_fits(page):
    """No horizontal scroll, and every visible control at least 48 px each way (links inside an answer's text, its
    citations, are inline: WCAG 2.5.8's exception)."""
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    small = page.evaluate("""[...document.querySelectorAll('button, a, summary, textarea')]
        .filter((e) => e.checkVisibility() && !e.closest('.content')).map((e) => [e.outerHTML.slice(0, 60), e.getBoundingClientRect()])
        .filter(([, r]) => r.width < 48 || r.height < 48).map(([h]) => h)""")
    assert small == []


@pytest.mark.parametrize("width,height", [(800, 480), (1024, 600)])
def test_kiosk_clears_after_the_idle_time_and_a_reload_does_not_bring_it_back(browser, quarry, tmp_path, width, height):
    q = serve(quarry, tmp_path, env=KIOSK)
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True)
    page = open_page(context, q.port)
    expect(page.locator(".side")).to_be_hidden()
    expect(page.get_by_role("link", name="Start over")).to_be_visible()
    first = session_cookie(context)

    answer = ask(page, "When does the café open on Saturdays?")
    answer.status("complete")
    thread = page.locator("#thread-source").get_attribute("data-thread")
    expect_fits(page)
    shot(page, f"{width}x{height}")

    # After the quiet time, the countdown shows over the page; a tap carries on, the conversation stays.
    countdown = page.locator("#kiosk[data-left]")
    expect(countdown).to_be_attached(timeout=LONG)
    assert "Starting over for the next visitor in" in page.evaluate(
        "getComputedStyle(document.getElementById('kiosk'), '::after').content")
    shot(page, f"{width}x{height}-countdown")
    page.touchscreen.tap(width // 2, height // 2)
    expect(countdown).not_to_be_attached()
    assert session_cookie(context) == first
    expect(answer.content).to_be_visible()

    entries = page.evaluate("history.length")
    # Left alone again: the page starts over with a new session, and the old conversation is gone for good.
    wait_until(lambda: session_cookie(context) != first, timeout=LONG / 1000, what="a new session")
    expect(page.locator("#connection-status")).to_have_text("Connected")
    expect(page.locator("#messages > article")).to_have_count(0)
    assert query(q.db, "SELECT count(*) FROM threads")[0][0] == 0
    assert query(q.db, "SELECT count(*) FROM sessions WHERE id = ?", first.split("--")[0])[0][0] == 0
    assert page.evaluate("history.length") == entries, "the page was replaced: no way back to the last visitor's"

    page.goto(f"http://127.0.0.1:{q.port}/#{thread}")
    expect(page.locator("#connection-status")).to_have_text("Connected")
    page.wait_for_timeout(500)  # time for the thread list's snapshot, which would reopen the conversation
    expect(page.locator("#messages > article")).to_have_count(0)
    expect(page.locator("#kiosk[data-left]")).not_to_be_attached()
    assert page.problems == []
    context.close()


def test_start_over_stops_an_answer_still_streaming_and_deletes_it(browser, quarry, tmp_path, standin):
    model = standin("--tokens-per-second", "5")
    q = serve(quarry, tmp_path, model=model, env=KIOSK)
    context = browser.new_context(viewport={"width": 800, "height": 480}, has_touch=True)
    page = open_page(context, q.port)
    first = session_cookie(context)
    answer = ask(page, "Where do deliveries arrive?")
    answer.status("streaming")
    page.get_by_role("link", name="Start over").tap()
    wait_until(lambda: session_cookie(context) != first, what="a new session")
    expect(page.locator("#connection-status")).to_have_text("Connected")
    expect(page.locator("#messages > article")).to_have_count(0)
    assert query(q.db, "SELECT count(*) FROM messages")[0][0] == 0
    assert page.problems == []
    context.close()


def test_with_the_server_out_of_reach_the_page_waits_instead_of_leaving_for_an_error_page(browser, quarry, tmp_path):
    q = serve(quarry, tmp_path, env=KIOSK)
    context = browser.new_context(viewport={"width": 800, "height": 480}, has_touch=True)
    page = open_page(context, q.port)
    first = session_cookie(context)
    ask(page, "When does the café open on Saturdays?").status("complete")
    q.stop()
    expect(page.locator("#connection-status")).to_have_text("Reconnecting…")
    countdown = page.locator("#kiosk[data-left]")
    expect(countdown).to_be_attached(timeout=LONG)
    expect(countdown).not_to_be_attached(timeout=LONG)  # the count ran out with no server: it waits again
    assert page.url.startswith(f"http://127.0.0.1:{q.port}/")
    expect(page.locator("#messages > article")).to_have_count(2)
    # The server back, the next count clears as usual.
    serve(quarry, tmp_path, env=KIOSK, port=q.port)
    expect(page.locator("#connection-status")).to_have_text("Connected", timeout=LONG)
    wait_until(lambda: session_cookie(context) != first, timeout=LONG / 1000, what="a new session")
    expect(page.locator("#messages > article")).to_have_count(0)
    context.close()


def test_start_over_is_a_kiosk_address_only(quarry, tmp_path):
    q = quarry().wait_ready()
    assert get(q.port, "/start-over")[0] == 404
    status, _, body = get(q.port, "/")
    assert b'id="kiosk" class="kiosk" hidden' in body


def test_a_narrow_screen_folds_the_conversation_list_into_a_menu(browser, quarry, tmp_path):
    q = serve(quarry, tmp_path)
    context = browser.new_context(viewport={"width": 400, "height": 720}, has_touch=True)
    page = open_page(context, q.port)
    ask(page, "When does the café open on Saturdays?").status("complete")
    side, menu = page.locator(".side"), page.get_by_role("button", name="Conversations")
    expect(side).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    menu.tap()
    expect(side).to_be_visible()
    shot(page, "menu-400x720")
    page.get_by_role("button", name="New conversation").tap()
    expect(side).to_be_hidden()
    expect(page.locator("#messages > article")).to_have_count(0)
    menu.tap()
    page.locator("#threads button").first.tap()
    expect(side).to_be_hidden()
    expect(page.locator("#messages > article")).to_have_count(2)
    # Wide, the list is beside the conversation and the menu button is gone.
    page.set_viewport_size({"width": 1024, "height": 600})
    expect(side).to_be_visible()
    expect(menu).to_be_hidden()
    assert page.problems == []
    context.close()
