"""Two Quarry hosts on one PostgreSQL database and one Redis (docs/many-hosts.md, "What comes next"): every publish
goes through Redis and is relayed to every host's sockets in one order, and a snapshot on any host is fenced against
them. So a page on host B follows an answer running on host A live, token by token, exactly as a page on A does; a
reload on B mid-answer gets the answer as far as it was sent, then the rest; A killed mid-answer shows on B's open
page as interrupted with Retry, without a reload. When Redis goes away: test_many_hosts_redis_loss.py.

Frames are compared as envelopes (`<turbo-stream>` elements, which apply in order whatever frames carry them): two
plain sockets of the browser's session, one on each host, follow the thread; what B's receives after its snapshot
must be exactly the end of what A's receives. Every wait is on a condition, never on the clock."""
import difflib
import re
from types import SimpleNamespace

import pytest

from chat_support import (LONG, DOCS, Answer, ask, expect, normalise, normalise_all, open_page, render,
                          standin, streaming_snapshot)  # noqa: F401 (standin: a fixture)
from conftest import run, wait_until
from pageserver import page_server  # noqa: F401 (a fixture)
from postgres_support import postgres  # noqa: F401 (a fixture)
from redis_support import redis  # noqa: F401 (a fixture)
from stream_support import (after_every_envelope, content_envelopes, followers, session_cookie,  # noqa: F401
                            tokens)
from test_access import admin_page
from test_many_hosts import kill_mid_answer, serve_on, status

# Long enough (about 190 tokens; at 25 a second some 8 s) that a page on B opens, reloads or outlives a Redis
# restart while A is still sending it; markdown of every kind a block can change into while it streams.
ANSWER = """Quarry found **three passages** that answer this — all of them in the *handbook*.

## Opening hours

The café opens at 8:00 and closes at 18:00 on weekdays. On Saturdays it opens at 9:00 and closes at noon, and it
stays closed on Sundays and public holidays, when the vending machine by the side door is the only choice left.

1. Deliveries arrive through the side door; sign for them in the delivery book by the counter.
2. Large deliveries need a trolley from the store room, which is next to the toner for the printers.
3. Visitors park in the north car park, staff behind the building next to the bicycle shed.

| day | opens | closes |
| --- | --- | --- |
| weekdays | 8:00 | 18:00 |
| Saturday | 9:00 | 12:00 |

```
opening-hours --weekday 08:00-18:00 --saturday 09:00-12:00
```

> The café takes cards and cash, but not cheques.

- Ask the café staff for paper when the printer on floor 2 runs out.
- Toner is kept in the store room next to the trolley.

Ask again if you need the exact page, or the name of whoever keeps the delivery book this week."""

QUESTION = "When does the café open?"


def answer_model(standin, rate="25"):
    """The stand-in answering ANSWER at `rate` tokens a second."""
    return standin("--answer", ANSWER, "--tokens-per-second", rate)


def two_hosts(quarry, tmp_path, postgres, redis, model, extra_env=None):
    """Hosts A and B on one fresh PostgreSQL database and `redis`, once the documents are in."""
    url = postgres.create_database()
    env = {"QUARRY_REDIS": redis.url, **(extra_env or {})}
    a = serve_on(quarry, tmp_path, url, model, "host-a", env)
    b = serve_on(quarry, tmp_path, url, model, "host-b", env)
    wait_until(lambda: postgres.query(url, "SELECT count(*) FROM documents") == [[str(len(DOCS))]],
               what="the documents in PostgreSQL")
    return url, a, b


def thread_of(page):
    source = page.locator("#thread-source")
    return source.get_attribute("data-thread"), source.get_attribute("signed-stream-name")


def open_thread(context, port, thread):
    """A tab on host `port` with the conversation `thread` opened from its entry in the list."""
    page = open_page(context, port)
    entry = page.locator(f"#threads button[data-thread='{thread}']")
    expect(entry).to_have_count(1, timeout=LONG)
    entry.click()
    expect(page.locator("#thread-source")).to_have_attribute("data-thread", thread)
    return page


def expect_rendered(answer, markdown):
    """The answer's content is exactly the render of `markdown` (chat_support's check, telling how they differ)."""
    expect(answer.content).to_be_attached()
    shown, wanted = answer.html(), normalise(answer.page, render(markdown))
    lines = lambda html: html.replace("><", ">\n<").splitlines()  # noqa: E731
    assert shown == wanted, "the page differs from the render:\n" + "\n".join(
        difflib.unified_diff(lines(wanted), lines(shown), "render", "page", lineterm=""))


def no_problems(page):
    return [p for p in page.problems if "WebSocket" not in p and "ERR_CONNECTION_REFUSED" not in p]


def followed_on_b(browser, quarry, standin, tmp_path, postgres, redis):
    """Hosts A and B; QUESTION asked in a page on A and, while its answer streams, the same browser's page on B
    following the thread, its snapshot taken. Returns what the tests look at, by name."""
    model = answer_model(standin)
    full = model.answer()
    url, a, b = two_hosts(quarry, tmp_path, postgres, redis, model)
    wait_until(lambda: redis.subscribers() >= 2, what="both hosts subscribed in Redis")
    context = browser.new_context()
    on_a = open_page(context, a.port)
    answer = ask(on_a, QUESTION)
    streaming_snapshot(answer)
    thread, _ = thread_of(on_a)
    on_b = open_thread(context, b.port, thread)
    on_b_answer = Answer(on_b, answer.id)
    snapshot = streaming_snapshot(on_b_answer)
    return SimpleNamespace(full=full, url=url, a=a, b=b, context=context, on_a=on_a, answer=answer, thread=thread,
                           on_b=on_b, on_b_answer=on_b_answer, snapshot=snapshot)


# a. Live on the other host --------------------------------------------------------------------------------------

def test_an_answer_on_a_streams_into_a_page_on_b_frame_for_frame(browser, quarry, standin, tmp_path, postgres,
                                                                 redis, followers, page_server):
    model = answer_model(standin)
    full = model.answer()
    assert full == ANSWER
    url, a, b = two_hosts(quarry, tmp_path, postgres, redis, model)
    assert f"redis={redis.url}" in a.output() and f"redis={redis.url}" in b.output()
    context = browser.new_context()
    on_a = open_page(context, a.port)
    answer = ask(on_a, QUESTION)
    streaming_snapshot(answer)
    thread, stream = thread_of(on_a)
    cookie = session_cookie(context)
    # A socket on each host follows the thread, A's first; B's snapshot is fenced against A's publishes.
    at_a = followers(a.port, cookie, stream)
    wait_until(at_a.has_snapshot, what="the snapshot on host A")
    on_b = open_thread(context, b.port, thread)
    at_b = followers(b.port, cookie, stream)
    wait_until(at_b.has_snapshot, what="the snapshot on host B")
    snapshot_b, _ = at_b.after_snapshot()
    assert 'data-status="streaming"' in snapshot_b and f'id="message-content-{answer.id}"' in snapshot_b, \
        "B subscribed while A was still answering"
    on_b_answer = Answer(on_b, answer.id)
    on_b_answer.status("streaming")
    # The page on B shows the text growing while A sends it (not only once the answer has ended).
    first = streaming_snapshot(on_b_answer)["text"]
    wait_until(lambda: (lambda s: s["status"] == "streaming" and len(s["text"]) > len(first))(
        on_b.evaluate("(id) => ({status: document.getElementById('message-state-' + id).dataset.status, "
                      "text: document.getElementById('message-content-' + id).textContent})", answer.id)),
        timeout=LONG / 1000, what="more text on B while the answer streams")

    answer.status("complete")
    on_b_answer.status("complete")
    wait_until(lambda: at_a.saw_status(answer.id, "complete") and at_b.saw_status(answer.id, "complete"),
               what="the end of the answer at both sockets")
    expect_rendered(answer, full)
    expect_rendered(on_b_answer, full)
    assert on_b_answer.html() == answer.html()
    # The ending came once: one list of sources, one copy button for the answer.
    expect(on_b_answer.sources).to_have_count(1)
    expect(on_b_answer.article.locator(f"button.copy[data-copy='{answer.id}']")).to_have_count(1)
    assert on_b_answer.sources.inner_html() == answer.sources.inner_html()
    expect(on_b.locator("#messages > article")).to_have_count(2)

    # What B's socket received after its snapshot is exactly the end of what A's received: nothing missing,
    # nothing twice, in the same order.
    _, after_a = at_a.after_snapshot()
    _, after_b = at_b.after_snapshot()
    assert len(content_envelopes(after_b, answer.id)) >= 3, after_b
    assert len(after_b) <= len(after_a)
    assert after_a[len(after_a) - len(after_b):] == after_b, \
        "\n".join(f"A {x}\nB {y}" for x, y in zip(after_a[len(after_a) - len(after_b):], after_b) if x != y)
    assert status(postgres, url, answer.id) == ("complete", full)
    assert at_a.closed is None and at_b.closed is None
    assert no_problems(on_a) == [] and no_problems(on_b) == []

    # Every step of B's socket, as the page applies it, shows the render of the text so far, as on one host: its
    # snapshot (made on B from what A had sent) and the state after each envelope are renders of a prefix of the
    # stand-in's tokens, never shorter than the one before, ending with the whole answer.
    snapshot_b, after_b = at_b.after_snapshot()
    replay, shown = after_every_envelope(browser, page_server, snapshot_b, after_b, answer.id)
    pieces = tokens(ANSWER)
    prefixes = normalise_all(replay, [render("".join(pieces[:n])) for n in range(len(pieces) + 1)])
    which = [prefixes.index(html) if html in prefixes else None for html in shown]
    assert None not in which, f"after envelope {which.index(None) - 1} B showed no render of a prefix: " \
                              f"{shown[which.index(None)]!r}"
    assert which == sorted(which) and which[-1] == len(pieces) and 0 < which[0] < len(pieces), which
    assert replay.problems == []


# a'. The thread list and the admin pages' documents table ---------------------------------------------------------

def test_the_thread_list_and_the_documents_table_on_b_follow_what_happens_on_a(browser, quarry, standin, tmp_path,
                                                                                 postgres, redis):
    model = answer_model(standin, rate="0")
    # Each host looks at the (shared) folder every second, one at a time; either may read a new file.
    url, a, b = two_hosts(quarry, tmp_path, postgres, redis, model, {"QUARRY_DOCS_RESCAN": "1"})
    added = run("user", "add", "ada", "--admin", "--db", url, input="correct horse\ncorrect horse\n")
    assert added.returncode == 0, added.stderr
    context = browser.new_context()
    on_a = open_page(context, a.port)
    on_b = open_page(context, b.port)
    on_b.evaluate("() => { window.neverReloaded = true; }")
    threads_on_b = on_b.locator("#threads button")
    expect(threads_on_b).to_have_count(0)
    # A new conversation on A shows in B's list at once, over B's socket.
    ask(on_a, QUESTION).status("complete")
    thread, _ = thread_of(on_a)
    expect(threads_on_b).to_have_count(1)
    expect(on_b.locator(f"#threads button[data-thread='{thread}']")).to_have_count(1)

    admin_a, admin_b = admin_page(browser, a.port), admin_page(browser, b.port)
    for admin in (admin_a, admin_b):
        expect(admin.locator(".admin-table tbody tr")).to_have_count(len(DOCS))
        admin.evaluate("() => { window.neverReloaded = true; }")
    (tmp_path / "docs" / "library.md").write_text("# Library hours\n\nThe library opens at nine.\n")
    # Whichever host read it, the documents table shows it on both, without a reload.
    for admin in (admin_a, admin_b):
        expect(admin.locator(".admin-table tbody tr").filter(has_text="Library hours")).to_have_count(1, timeout=LONG)
        assert admin.evaluate("() => window.neverReloaded === true")
    assert on_b.evaluate("() => window.neverReloaded === true")
    assert no_problems(on_a) == [] and no_problems(on_b) == []


# a''. Questions a minute across hosts ------------------------------------------------------------------------------

@pytest.mark.parametrize("limit, second_tab, notice", [
    ("QUARRY_QUESTIONS_PER_MINUTE", "same session",
     r"^That is 1 questions? in a minute\. Please wait \d+ s before asking again\.$"),
    ("QUARRY_QUESTIONS_PER_MINUTE_PER_PEER", "another session",
     r"^That is 1 questions? in a minute from this computer's network address\. Please wait \d+ s"),
], ids=["session", "address"])
def test_questions_a_minute_are_counted_across_hosts(browser, quarry, standin, tmp_path, postgres, redis, limit,
                                                     second_tab, notice):
    model = answer_model(standin, rate="0")
    url, a, b = two_hosts(quarry, tmp_path, postgres, redis, model, {limit: "1"})
    first = browser.new_context()
    ask(open_page(first, a.port), QUESTION).status("complete")
    # The next question, on the other host, from the same browser or another one at the same address: refused.
    on_b = open_page(first if second_tab == "same session" else browser.new_context(), b.port)
    box = on_b.get_by_label("Your question")
    box.fill("Where do deliveries arrive?")
    box.press("Enter")
    refused = on_b.locator("#notice > p.notice-error[data-error=too_many_questions]")
    expect(refused).to_have_text(re.compile(notice), timeout=LONG)
    expect(box).to_have_value("Where do deliveries arrive?")
    assert postgres.query(url, "SELECT count(*) FROM messages") == [["2"]]


def test_a_sessions_answers_held_are_counted_across_hosts(browser, quarry, standin, tmp_path, postgres, redis):
    """One answer at a time per session (no waiting one): while the session's answer runs on A, its question on B
    is refused with the single-host notice; once it has ended, B takes the next."""
    model = answer_model(standin)
    url, a, b = two_hosts(quarry, tmp_path, postgres, redis, model, {"QUARRY_WAITING_ANSWERS_PER_SESSION": "0"})
    context = browser.new_context()
    answer = ask(open_page(context, a.port), QUESTION)
    streaming_snapshot(answer)
    on_b = open_page(context, b.port)
    box = on_b.get_by_label("Your question")
    box.fill("Where do deliveries arrive?")
    box.press("Enter")
    refused = on_b.locator("#notice > p.notice-error[data-error=too_many_questions]")
    expect(refused).to_have_text(re.compile(r"^Your earlier questions are still being answered\."), timeout=LONG)
    assert postgres.query(url, "SELECT count(*) FROM messages") == [["2"]]
    assert "refused a question: session holds its share of answers across hosts" in b.output()
    answer.status("complete")
    # Its place went with it: B answers the session's next question.
    box.press("Enter")
    expect(on_b.locator("#messages > article[data-role=assistant]")).to_have_count(1, timeout=LONG)
    wait_until(lambda: postgres.query(url, "SELECT count(*) FROM messages") == [["4"]], what="B's answer saved")


# b. A reload on the other host ----------------------------------------------------------------------------------

def test_a_page_on_b_reloaded_mid_answer_gets_the_text_so_far_then_the_rest(browser, quarry, standin, tmp_path,
                                                                            postgres, redis):
    f = followed_on_b(browser, quarry, standin, tmp_path, postgres, redis)
    full, url, on_a, answer, thread, on_b, on_b_answer, before = (f.full, f.url, f.on_a, f.answer, f.thread, f.on_b,
                                                                  f.on_b_answer, f.snapshot)

    on_b.reload()
    expect(on_b.locator("#connection-status")).to_have_text("Connected")
    expect(on_b.locator("#thread-source")).to_have_attribute("data-thread", thread)
    # The snapshot made on B holds the answer as far as A had sent it (its live state is in Redis): text at once,
    # at least what the page showed before the reload, and the answer still arriving.
    again = streaming_snapshot(on_b_answer)
    assert again["text"].startswith(before["text"][:len(before["text"]) // 2]), (before["text"], again["text"])

    on_b_answer.status("complete")
    answer.status("complete")
    expect_rendered(on_b_answer, full)
    expect_rendered(answer, full)
    expect(on_b.locator("#messages > article")).to_have_count(2)
    expect(on_b.locator(f"#message-content-{answer.id}")).to_have_count(1)
    expect(on_b_answer.sources).to_have_count(1)
    expect(on_b_answer.article.locator(f"button.copy[data-copy='{answer.id}']")).to_have_count(1)
    assert status(postgres, url, answer.id) == ("complete", full)
    assert no_problems(on_b) == [] and no_problems(on_a) == []


# c. A host killed mid-answer ------------------------------------------------------------------------------------

def test_a_killed_mid_answer_shows_interrupted_live_on_bs_open_page_and_retry_completes_on_b(
        browser, quarry, standin, tmp_path, postgres, redis):
    f = followed_on_b(browser, quarry, standin, tmp_path, postgres, redis)
    full, url, a, answer, on_b, on_b_answer = f.full, f.url, f.a, f.answer, f.on_b, f.on_b_answer
    on_b.evaluate("() => { window.neverReloaded = true; }")
    # Within the lease (3 s) and a round of B's, B takes the answer over; its open page hears it live.
    saved = kill_mid_answer(postgres, url, a, answer, full, on_b_answer)
    assert on_b.evaluate("() => window.neverReloaded === true"), "B's page was reloaded"
    assert status(postgres, url, answer.id) == ("interrupted", saved)

    on_b_answer.retry.click()
    on_b_answer.status("complete", timeout=LONG)
    expect_rendered(on_b_answer, full)
    expect(on_b_answer.retry).to_have_count(0)
    expect(on_b.locator("#messages > article")).to_have_count(2)
    assert status(postgres, url, answer.id) == ("complete", full)
    assert postgres.query(url, f"SELECT host FROM jobs WHERE message_id = {int(answer.id)}") == [["host-b"]]
    assert on_b.evaluate("() => window.neverReloaded === true")
    assert no_problems(on_b) == []


# e. The Redis address in the log and in doctor ------------------------------------------------------------------

def test_doctor_checks_a_reachable_redis_and_the_log_hides_its_password(quarry, standin, tmp_path, postgres,
                                                                          redis):
    url = postgres.create_database()
    assert redis.cli("CONFIG", "SET", "requirepass", "redis-secret-9") == "OK"
    redis.password = "redis-secret-9"
    secret = f"redis://:redis-secret-9@127.0.0.1:{redis.port}"
    doctor = run("doctor", "--db", url, "--redis", secret, env={"OPENAI_API_KEY": ""}, timeout=60)
    assert f"ok       redis: redis://:***@127.0.0.1:{redis.port} answers" in doctor.stdout, doctor.stdout
    assert "redis-secret-9" not in doctor.stdout + doctor.stderr
    model = standin()
    served = serve_on(quarry, tmp_path, url, model, "host-a", {"QUARRY_REDIS": secret})
    assert f"redis=redis://:***@127.0.0.1:{redis.port}" in served.output(), served.output()
    assert "redis-secret-9" not in served.output()
    wrong = run("doctor", "--db", url, "--redis", secret.replace("redis-secret-9", "wrong-one"),
                env={"OPENAI_API_KEY": ""}, timeout=60)
    assert wrong.returncode == 1 and "PROBLEM  redis: redis://:***@" in wrong.stdout, wrong.stdout
    assert "wrong-one" not in wrong.stdout + wrong.stderr
