"""A long thread in a real headless Chromium against the real `quarry serve`: it opens at its latest messages (a
snapshot of the last exchanges, not the whole thread), earlier ones arrive on request above them while the reader's
place is kept, and the answers' HTML is kept in the database after the first read. The thread is written straight
into the SQLite file beside the running server (WAL lets it); every wait is on a condition."""
import sqlite3
import time

from chat_support import LONG, ask, expect, open_page, query, serve
from conftest import wait_until

EXCHANGES = 1_000
PAGE = 20  # HubConfiguration.snapshotItems' default


def long_answer(i):
    """About 5 KB of Markdown: a thousand of them pass the 4 MiB a socket may have waiting."""
    paragraph = f"Answer {i} says this about the café, with **emphasis** and a `code span`. " * 12
    return f"## Answer {i}\n\n" + "\n\n".join([paragraph] * 6)


def add_exchanges(db, thread, count):
    """`count` ended exchanges after what the thread has, written as Quarry writes them."""
    now = int(time.time())
    rows = []
    for i in range(1, count + 1):
        rows.append((thread, "user", f"Question {i}?", "complete", now, now))
        rows.append((thread, "assistant", long_answer(i), "complete", now, now))
    connection = sqlite3.connect(db, timeout=10)
    try:
        connection.executemany("INSERT INTO messages (thread_id, role, content, status, created_at, updated_at) "
                               "VALUES (?, ?, ?, ?, ?, ?)", rows)
        connection.commit()
    finally:
        connection.close()


def articles(page):
    return page.locator("#messages > article")


def top_of(page, id):
    return page.evaluate("(id) => document.getElementById(id).getBoundingClientRect().top", id)


def test_a_thread_of_a_thousand_exchanges_opens_at_its_end_and_shows_earlier_messages_on_request(
        browser, quarry, tmp_path):
    q = serve(quarry, tmp_path)
    page = open_page(browser.new_context(), q.port)
    first = ask(page, "When does the café open?")
    first.status("complete")
    thread = int(page.locator("#thread-source").get_attribute("data-thread"))
    add_exchanges(q.db, thread, EXCHANGES - 1)

    # Reopened (the address names the thread): the latest exchanges, under the control that asks for more.
    page.reload()
    expect(page.locator("#connection-status")).to_have_text("Connected")
    expect(articles(page)).to_have_count(2 * PAGE, timeout=LONG)
    expect(articles(page).last).to_contain_text(f"Answer {EXCHANGES - 1} says")
    more = page.get_by_role("button", name="Show earlier messages")
    expect(more).to_be_visible()
    # Answers read once are kept rendered.
    wait_until(lambda: query(q.db, "SELECT count(*) FROM messages WHERE content_html IS NOT NULL")[0][0] >= PAGE,
               what="the page's answers kept rendered")

    # The reader goes to the top and asks for more: the previous exchanges appear above, and what the reader was
    # looking at stays where it was.
    page.evaluate("document.getElementById('messages').scrollTop = 0")
    looking_at = articles(page).first.get_attribute("id")
    before = top_of(page, looking_at)
    more.click()
    expect(articles(page)).to_have_count(4 * PAGE, timeout=LONG)
    assert abs(top_of(page, looking_at) - before) < 2, "the reader's place is kept"
    assert articles(page).nth(2 * PAGE).get_attribute("id") == looking_at
    expect(page.locator("#scroll-control")).to_be_hidden()

    # All the way back to the first question; then the control goes.
    shown = 4 * PAGE
    while more.count():
        more.click()
        shown = min(shown + 2 * PAGE, 2 * EXCHANGES)
        expect(articles(page)).to_have_count(shown, timeout=LONG)
    assert shown == 2 * EXCHANGES
    expect(articles(page).first).to_contain_text("When does the café open?")
    ids = [int(i.removeprefix("message-")) for i in
           page.evaluate("[...document.querySelectorAll('#messages > article')].map((a) => a.id)")]
    assert ids == [row[0] for row in query(q.db, "SELECT id FROM messages WHERE thread_id = ? ORDER BY id", thread)]

    # The socket held all along: never dropped for a too-large outbox, no reconnecting.
    expect(page.locator("#connection-status")).to_have_text("Connected")
    assert "cannot keep up" not in q.output()
    assert not page.problems, page.problems


def test_a_new_answer_in_a_long_thread_arrives_live_below_the_latest_messages(browser, quarry, tmp_path):
    q = serve(quarry, tmp_path)
    page = open_page(browser.new_context(), q.port)
    ask(page, "When does the café open?").status("complete")
    thread = int(page.locator("#thread-source").get_attribute("data-thread"))
    add_exchanges(q.db, thread, 3 * PAGE)
    page.reload()
    expect(articles(page)).to_have_count(2 * PAGE, timeout=LONG)
    answer = ask(page, "Where do visitors park?")
    answer.status("complete")
    expect(articles(page)).to_have_count(2 * PAGE + 2)
    expect(articles(page).last).to_contain_text("north car park")
    # Earlier messages still come in above, once each.
    page.get_by_role("button", name="Show earlier messages").click()
    expect(articles(page)).to_have_count(4 * PAGE + 2, timeout=LONG)
    ids = page.evaluate("[...document.querySelectorAll('#messages > article')].map((a) => a.id)")
    assert len(ids) == len(set(ids)) and ids == sorted(ids, key=lambda i: int(i.removeprefix("message-")))
    assert not page.problems, page.problems
