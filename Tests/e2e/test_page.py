"""The page as a person uses it, in headless Chromium against the real server (quarry-page-server): the form,
the stop button, the live region, reconnecting, scrolling, conversations, keyboard, and screenshots."""
import os
import pathlib

import pytest

from pageserver import page_server, stream, wait_applied  # noqa: F401 (fixture)
from sample import CONVERSATION, assistant, signed_stream, thread_list, user

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
SHOTS = pathlib.Path(os.environ.get("QUARRY_SCREENSHOTS", ".build/screenshots"))


def open_page(browser, server, width=1280, height=800, scheme="light", messages='<p id="marker"></p>'):
    server.snapshot("update", "messages", messages)
    page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server.url)
    expect(page.locator("#connection-status")).to_have_text("Connected")
    # "Connected" shows when the socket opens; the snapshot's arrival shows the subscription is in place, so that
    # what a test publishes next reaches the page (on a busy machine it could come first and be lost).
    if 'id="marker"' in messages:
        expect(page.locator("#messages #marker")).to_be_attached(timeout=10000)
    page.errors = errors
    return page


def fields(page):
    # The fieldset disables its controls as one; Playwright judges a control, not the fieldset.
    return page.get_by_label("Your question")


def test_enter_sends_the_question_and_clears_the_form(browser, page_server):
    server = page_server()
    page = open_page(browser, server)
    box = page.get_by_label("Your question")
    box.fill("What is a quarry?")
    box.press("Shift+Enter")
    box.press_sequentially("Second line")
    server.no_event()
    assert box.input_value() == "What is a quarry?\nSecond line"
    box.press("Enter")
    assert server.next_event() == {"op": "ask", "content": "What is a quarry?\nSecond line", "thread": None}
    expect(box).to_have_value("")
    # Until the server answers, the form waits; the first envelope back releases it.
    expect(fields(page)).to_be_disabled()
    server.publish(stream("append", "messages", user(1, "What is a quarry?")))
    expect(fields(page)).to_be_enabled()
    # Blank questions are not sent.
    box.fill("   ")
    box.press("Enter")
    server.no_event()
    assert page.errors == []


def test_the_form_waits_while_an_answer_streams_and_stop_sends_stop(browser, page_server):
    server = page_server()
    page = open_page(browser, server)
    stop = page.locator("#composer-stop")
    expect(stop).to_be_hidden()
    server.publish(stream("append", "messages", user(1, "Q") + assistant(2, "", status="streaming")))
    expect(fields(page)).to_be_disabled()
    expect(stop).to_be_visible()
    for text in ["<p>An idle", "<p>An idle Quarry uses", "<p>An idle Quarry uses about 16 MB.</p>"]:
        server.publish(stream("update", "message-content-2", text))
    wait_applied(page, server)
    # Tokens are not announced one by one.
    expect(page.locator("#announcer")).to_have_text("")
    stop.click()
    assert server.next_event() == {"op": "stop", "message": "2"}
    server.publish(stream("replace", "message-2", assistant(2, "<p>An idle Quarry uses about 16 MB.</p>")))
    expect(fields(page)).to_be_enabled()
    expect(stop).to_be_hidden()
    # The finished answer is announced once, politely.
    expect(page.locator("#announcer")).to_have_text("An idle Quarry uses about 16 MB.")
    assert page.locator("#announcer").get_attribute("aria-live") == "polite"


def test_reconnects_resubscribes_and_blocks_sending_meanwhile(browser, page_server):
    first = page_server()
    page = open_page(browser, first, messages='<p id="state">before</p>')
    expect(page.locator("#state")).to_have_text("before")
    page.get_by_label("Your question").fill("a draft")
    first.stop()
    expect(page.locator("#connection-status")).to_have_text("Reconnecting…")
    expect(fields(page)).to_be_disabled()
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "reconnecting")
    second = page_server(port=first.port)
    second.snapshot("update", "messages", '<p id="state">after the restart</p>')
    expect(page.locator("#connection-status")).to_have_text("Connected", timeout=20000)
    # Resubscribed: the snapshot brought the current state, and live envelopes flow again.
    expect(page.locator("#state")).to_have_text("after the restart")
    second.publish(stream("append", "messages", '<p id="live">live</p>'))
    expect(page.locator("#live")).to_have_text("live")
    expect(fields(page)).to_be_enabled()
    expect(page.get_by_label("Your question")).to_have_value("a draft")  # nothing typed is lost


def scroll_state(page):
    return page.evaluate("""() => { const m = document.getElementById('messages');
        return { top: m.scrollTop, bottom: m.scrollHeight - m.scrollTop - m.clientHeight }; }""")


def test_scrolling_follows_the_reader(browser, page_server):
    server = page_server()
    page = open_page(browser, server, width=800, height=480)
    for i in range(1, 16):
        server.publish(stream("append", "messages", user(i, f"Question number {i} with some words to wrap")))
    wait_applied(page, server) if page.locator("#marker").count() else None
    expect(page.locator("#message-15")).to_be_attached()
    assert scroll_state(page)["bottom"] < 2, "at the end: new text keeps the view at the end"
    below = page.locator("#scroll-control")
    expect(below).to_be_hidden()
    # The reader scrolls up: new text arrives, nothing moves, and the control appears.
    page.locator("#messages").hover()
    page.mouse.wheel(0, -2000)
    page.wait_for_timeout(100)
    top = scroll_state(page)["top"]
    assert top == 0
    server.publish(stream("append", "messages", user(16, "More text below")))
    server.publish(stream("scroll", "messages"))
    expect(page.locator("#message-16")).to_be_attached()
    expect(below).to_be_visible()
    assert scroll_state(page)["top"] == top, "nothing yanks the reader back"
    below.click()
    expect(below).to_be_hidden()
    assert scroll_state(page)["bottom"] < 2
    server.publish(stream("append", "messages", user(17, "Followed again")))
    expect(page.locator("#message-17")).to_be_attached()
    page.wait_for_timeout(50)
    assert scroll_state(page)["bottom"] < 2


def test_conversations_open_from_the_list_and_start_anew(browser, page_server):
    server = page_server()
    server.snapshot("update", "messages", user(1, "From the first conversation"), stream="thread/t1")
    page = open_page(browser, server)
    server.publish(stream("update", "threads", thread_list([("t1", "Vacation policy"), ("t2", "Printers")])))
    page.get_by_role("button", name="Vacation policy").click()
    expect(page.locator("#message-1")).to_have_text("From the first conversation")
    expect(page.get_by_role("button", name="Vacation policy")).to_have_attribute("aria-current", "true")
    assert page.locator("#thread-source").get_attribute("data-thread") == "t1"
    # Live updates of the opened conversation arrive (its stream is followed).
    server.publish(stream("append", "messages", user(2, "Live in t1")), stream="thread/t1")
    expect(page.locator("#message-2")).to_be_attached()
    box = page.get_by_label("Your question")
    expect(box).to_be_focused()
    box.fill("Follow-up")
    box.press("Enter")
    assert server.next_event() == {"op": "ask", "content": "Follow-up", "thread": "t1"}
    server.publish(stream("append", "messages", user(3, "Follow-up")), stream="thread/t1")
    # A new conversation: an empty page, no thread, and t1's updates no longer arrive.
    page.get_by_role("button", name="New conversation").click()
    expect(page.locator("#messages > *")).to_have_count(0)
    assert page.locator("#thread-source").count() == 0
    server.publish(stream("append", "messages", user(4, "Not for this page")), stream="thread/t1")
    box.fill("A new question")
    box.press("Enter")
    assert server.next_event() == {"op": "ask", "content": "A new question", "thread": None}
    assert page.locator("#message-4").count() == 0


def test_keyboard_focus_and_labels(browser, page_server):
    server = page_server()
    page = open_page(browser, server)
    # Once connected, the question box has the focus: a kiosk visitor can start typing at once.
    expect(page.get_by_label("Your question")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Send"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.textContent") == "New conversation"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid", "keyboard focus is visible"
    page.keyboard.press("Enter")  # starts a new conversation, and puts the focus back in the question box
    expect(page.get_by_label("Your question")).to_be_focused()
    assert page.get_by_role("navigation", name="Conversations").is_visible()
    assert page.get_by_role("main", name="Conversation").is_visible()
    assert page.locator("#connection-status").get_attribute("role") == "status"


def test_notices_show_until_the_next_question_or_a_tap(browser, page_server):
    server = page_server()
    page = open_page(browser, server)
    error = '<p class="notice-error" role="alert" data-error="unavailable">Not available yet.</p>'
    server.publish(stream("update", "notice", error))
    expect(page.get_by_role("alert")).to_have_text("Not available yet.")
    page.get_by_role("alert").click()
    expect(page.get_by_role("alert")).to_have_count(0)
    server.publish(stream("update", "notice", error))
    expect(page.get_by_role("alert")).to_have_count(1)
    box = page.get_by_label("Your question")
    box.fill("Again")
    box.press("Enter")
    assert server.next_event()["content"] == "Again"
    expect(page.get_by_role("alert")).to_have_count(0)


def test_touch(browser, page_server):
    server = page_server()
    server.snapshot("update", "messages", user(1, "Touched"), stream="thread/t1")
    server.snapshot("update", "messages", '<p id="marker"></p>')
    page = browser.new_page(viewport={"width": 800, "height": 480}, has_touch=True, is_mobile=True)
    page.goto(server.url)
    expect(page.locator("#connection-status")).to_have_text("Connected")
    # No focus jump on a touch screen: it would open the on-screen keyboard unasked.
    expect(page.get_by_label("Your question")).not_to_be_focused()
    server.publish(stream("update", "threads", thread_list([("t1", "Touch me")])))
    page.get_by_role("button", name="Touch me").tap()
    expect(page.locator("#message-1")).to_have_text("Touched")
    expect(page.get_by_label("Your question")).not_to_be_focused()
    page.get_by_label("Your question").tap()
    page.keyboard.type("Tapped in")
    page.get_by_role("button", name="Send").tap()
    assert server.next_event() == {"op": "ask", "content": "Tapped in", "thread": "t1"}


@pytest.mark.parametrize("width,height", [(800, 480), (1280, 800), (1920, 1080)])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_layout_and_screenshots(browser, page_server, width, height, scheme):
    server = page_server()
    page = open_page(browser, server, width=width, height=height, scheme=scheme, messages=CONVERSATION)
    server.publish(stream("update", "threads", thread_list(
        [("t1", "What is Quarry, and can it run on a Raspberry Pi?"), ("t2", "Printer setup on floor 2"),
         ("t3", "Vacation policy")], current="t1")))
    expect(page.locator("#threads li")).to_have_count(3)
    # Everything fits: no sideways scrolling, the question box and its buttons on screen and touch-sized.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for locator in [page.get_by_label("Your question"), page.locator("#composer-stop"),
                    page.get_by_role("button", name="New conversation")]:
        box = locator.bounding_box()
        assert box and box["y"] + box["height"] <= height and box["x"] + box["width"] <= width
        assert box["height"] >= 44
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"page-{width}x{height}-{scheme}.png"))
    assert page.errors == []
