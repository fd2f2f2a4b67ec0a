"""The chat end to end: a person asks in a real headless Chromium; the real `quarry serve` searches a small documents
folder in a real SQLite file, asks the stand-in model (quarry-standin) and streams the answer into the page.

Every wait is on a condition (locator expectations, the database, the page's state), never on the clock, and
nothing asserts on speed; where a test needs an answer to be still arriving, the stand-in is slowed so that the
window is seconds wide. Part B at the end checks the page against Quarry's own Markdown renders after every frame
of a table of awkward markdown streams (tools/testing/stream-fixtures)."""
import json
import re

import pytest

from chat_support import (LONG, Answer, ask, assistant_articles, expect, expect_rendered, connection_noise, message,
                          messages, normalise_all, open_page, query, question_box, relevance_numbers, serve,
                          snapshot, standin, stream_fixtures, streaming_snapshot)  # noqa: F401 (standin: fixture)
from conftest import get, wait_until
from pageserver import page_server, stream, wait_applied  # noqa: F401 (page_server: fixture)
from websocket import WebSocket

FOUND = re.compile(r"^Found (\d+) relevant sources?$")
CURSOR = '"▍"'


def steps(answer):
    return answer.steps.all_text_contents()


def expect_form_ready(page):
    expect(question_box(page)).to_be_enabled(timeout=LONG)
    expect(page.locator("#composer-stop")).to_be_hidden()


def expect_closed(answer, summary):
    expect(answer.summary).to_have_text(summary)
    assert answer.page.evaluate("(id) => document.getElementById('thinking-' + id).open", answer.id) is False


# 1. An answer, start to end -------------------------------------------------------------------------------------

def test_an_answer_streams_with_thinking_then_sources_in_a_new_thread_that_takes_the_next_question(
        browser, quarry, standin, tmp_path):
    model = standin("--tokens-per-second", "20")
    full = model.answer()
    assert "**" in full and "`" in full and "1. " in full and "é" in full, "the stand-in's answer is awkward enough"
    q = serve(quarry, tmp_path, model)
    page = open_page(browser.new_context(), q.port)
    expect(page.locator("#threads button")).to_have_count(0)

    answer = ask(page, "When does the café open?")
    # While it streams (one instant, so every part is checked against the same state): thinking open with its
    # steps, the streaming marker and the cursor after the text, the form waiting and Stop offered.
    during = streaming_snapshot(answer)
    assert during["summary"] == "Thinking…" and during["open"] is True, during
    assert during["steps"][0] == "Searching knowledge base…", during
    assert FOUND.match(during["steps"][1]), during
    assert during["steps"][2:] == ["Generating response…"], during
    assert during["cursor"] == CURSOR, during
    assert during["formDisabled"] and during["stopShown"], during

    answer.status("complete")
    # The end: the cursor gone, the exact render of the answer, thinking collapsed, the sources by relevance.
    assert snapshot(answer)["cursor"] == "none"
    expect_rendered(answer, full)
    expect_closed(answer, "Thinking complete")
    found = steps(answer)
    assert found[0] == "Searching knowledge base…" and found[2:] == ["Generating response…"], found
    count = int(FOUND.match(found[1]).group(1))
    assert count >= 2, "the question matches several documents"
    expect(answer.sources.locator("summary")).to_have_text(f"{count} sources used")
    expect(answer.sources.locator("li")).to_have_count(count)
    percentages = relevance_numbers(answer)
    assert len(percentages) == count and all(0 <= p <= 100 for p in percentages), percentages
    assert percentages == sorted(percentages, reverse=True), f"relevance never rises down the list: {percentages}"
    expect(answer.error).to_have_count(0)
    expect(answer.retry).to_have_count(0)
    expect_form_ready(page)
    expect(page.locator("#announcer")).to_have_text(re.compile(r"^Quarry found two passages"))

    # The new thread: on the page's stream source and at the top of the list.
    thread = page.locator("#thread-source").get_attribute("data-thread")
    listed = page.locator("#threads button")
    expect(listed).to_have_count(1)
    expect(listed).to_have_text("When does the café open?")
    expect(listed).to_have_attribute("data-thread", thread)

    # A second question goes to the same thread.
    second = ask(page, "Where do deliveries arrive?")
    second.status("complete")
    expect_rendered(second, full)
    expect(page.locator("#thread-source")).to_have_attribute("data-thread", thread)
    expect(listed).to_have_count(1)
    expect(page.locator("#messages > article")).to_have_count(4)
    rows = messages(q.db)
    assert [(r[1], r[2], r[4]) for r in rows] == [(int(thread), role, "complete") for role in
                                                 ["user", "assistant"] * 2], rows
    assert [r[3] for r in rows] == ["When does the café open?", full, "Where do deliveries arrive?", full]
    assert page.problems == [] and page.dialogs == []


# 2. No model configured -----------------------------------------------------------------------------------------

def test_without_a_model_the_passages_are_quoted_and_labelled(browser, quarry, tmp_path):
    q = serve(quarry, tmp_path)
    assert "no language model configured" in q.output()
    page = open_page(browser.new_context(), q.port)
    answer = ask(page, "When does the café open on Saturdays?")
    answer.status("complete")
    found = steps(answer)
    assert found[0] == "Searching knowledge base…" and FOUND.match(found[1]), found
    assert found[2:] == ["No language model is configured: quoting the documents", "Generating response…"], found
    label = answer.content.locator("p > em").first
    expect(label).to_have_text("No language model is configured, so here are the passages from the documents "
                               "that match your question best, quoted as they are written.")
    expect(answer.content.locator("strong").first).to_have_text("Café hours")
    expect(answer.content.locator("blockquote").first).to_contain_text(
        "The café opens at 8:00 and closes at 18:00 on weekdays. On Saturdays the café opens at 9:00")
    saved = message(q.db, answer.id)
    assert saved[4] == "complete" and saved[3].startswith("*No language model is configured"), saved
    expect_rendered(answer, saved[3], q.db)
    count = int(FOUND.match(found[1]).group(1))
    # The passages quoted are cited ([1] after each title), so they are listed as cited, the others apart.
    quoted = min(count, 3)
    expect(answer.sources.locator("summary")).to_have_text(f"{quoted} sources cited" if quoted > 1 else "1 source cited")
    expect(answer.sources.locator("li")).to_have_count(count)
    percentages = relevance_numbers(answer)
    assert percentages == sorted(percentages, reverse=True), percentages
    expect_closed(answer, "Thinking complete")
    expect_form_ready(page)
    assert page.problems == []


# 3. Faults upstream ---------------------------------------------------------------------------------------------

WORDS = "Alpha beta gamma delta epsilon zeta eta theta iota kappa."
KEPT = "Alpha beta gamma "  # the first three tokens (words with their following space)
# The service's own words go to the log only (issue 11): the page gets a sentence for people.
SERVER_ERROR = "The language model service had a problem. Please try again in a moment."
FAULTS = [
    # id, spec in the question, stand-in options, quarry environment, status, error (None: a regex below), text kept,
    # steps after "Generating response…"
    ("key rejected", "[standin:status=401]", [], {}, "error",
     "The language model service did not accept Quarry's key. An administrator needs to check the API key.", "", []),
    ("wrong key", "", ["--api-key", "sk-right"], {"QUARRY_LLM_API_KEY": "sk-wrong"}, "error",
     "The language model service did not accept Quarry's key. An administrator needs to check the API key.", "", []),
    ("server error after the retries", "[standin:status=500]", [], {}, "error", SERVER_ERROR, "",
     ["The model service answered 500, retrying in 1 s…", "The model service answered 500, retrying in 4 s…"]),
    ("server error once", "[standin:status=500,times=1]", [], {}, "complete", None, WORDS,
     ["The model service answered 500, retrying in 1 s…"]),
    ("rate limited once", "[standin:status=429,retry-after=1,times=1]", [], {}, "complete", None, WORDS,
     ["Rate limited, retrying in 1 s…"]),
    ("cut off", "[standin:cut-after=3]", [], {}, "error",
     f"The answer was cut off after {len(KEPT)} characters. What arrived is kept above.", KEPT, []),
    ("error inside the stream", "[standin:error-after=3]", [], {}, "error",
     SERVER_ERROR, KEPT, []),
    ("first token too late", "[standin:first-token-delay=30]", [], {"QUARRY_LLM_FIRST_TOKEN_TIMEOUT": "1"}, "error",
     "The language model took too long to start answering.", "", []),
    ("stalled", "[standin:stall-after=3]", [], {"QUARRY_LLM_IDLE_TIMEOUT": "1"}, "error",
     "The language model stopped answering partway through. What arrived is kept above.", KEPT, []),
]


@pytest.mark.parametrize("spec,options,env,status,error,kept,retries", [f[1:] for f in FAULTS],
                         ids=[f[0] for f in FAULTS])
def test_an_upstream_fault_is_told_in_the_answer_and_keeps_what_arrived(
        browser, quarry, standin, tmp_path, spec, options, env, status, error, kept, retries):
    model = standin("--answer", WORDS, *options)
    q = serve(quarry, tmp_path, model, env=env)
    page = open_page(browser.new_context(), q.port)
    answer = ask(page, f"When does the café open? {spec}".strip())
    answer.status(status)
    found = steps(answer)
    assert found[2] == "Generating response…" and found[3:] == retries, found
    expect_rendered(answer, kept)
    saved = message(q.db, answer.id)
    assert (saved[3], saved[4]) == (kept, status), saved
    if status == "complete":
        expect(answer.error).to_have_count(0)
        expect_closed(answer, "Thinking complete")
    else:
        expect(answer.error).to_have_text(error)
        assert re.fullmatch(error, saved[5]) if isinstance(error, re.Pattern) else saved[5] == error, saved
        expect(answer.retry).to_be_visible()
        expect_closed(answer, "Thinking stopped")
    expect(answer.sources.locator("summary")).to_have_text(re.compile(r"^\d+ sources? used$"))
    expect_form_ready(page)
    assert page.problems == []


def test_a_reasoning_models_thoughts_show_as_thinking_never_as_the_answer(browser, quarry, standin, tmp_path):
    model = standin()
    spec = "[standin:reasoning=12]"
    expected = model.completion(spec)
    q = serve(quarry, tmp_path, model)
    page = open_page(browser.new_context(), q.port)
    answer = ask(page, f"When does the café open? {spec}")
    answer.status("complete")
    reasoning = page.locator(f"#thinking-{answer.id} > p#reasoning-{answer.id}.reasoning")
    expect(reasoning).to_have_text(expected["reasoning_content"])
    expect_rendered(answer, expected["content"])
    expect_closed(answer, "Thinking complete")
    assert message(q.db, answer.id)[3] == expected["content"]
    assert page.problems == []


# 4. Reload, and a second tab ------------------------------------------------------------------------------------

def test_a_reloaded_page_and_a_second_tab_follow_the_answer_to_its_exact_end(browser, quarry, standin, tmp_path):
    model = standin("--tokens-per-second", "10")
    full = model.answer()
    q = serve(quarry, tmp_path, model)
    context = browser.new_context()
    page = open_page(context, q.port)
    answer = ask(page, "When does the café open?")
    streaming_snapshot(answer)
    thread = page.locator("#thread-source").get_attribute("data-thread")

    assert page.url.endswith(f"#{thread}"), "the address names the conversation on screen"
    page.reload()
    expect(page.locator("#connection-status")).to_have_text("Connected")
    expect(page.locator(f"#threads button[data-thread='{thread}']")).to_have_count(1)
    # The reload reopens the conversation by itself.
    expect(page.locator("#thread-source")).to_have_attribute("data-thread", thread)
    again = Answer(page, answer.id)
    # The text so far is there at once, and the answer is still arriving: the thread's stream is followed again.
    streaming_snapshot(again)
    # A second tab of the same browser session opens the same thread while it streams.
    other = open_page(context, q.port)
    other.locator(f"#threads button[data-thread='{thread}']").click()
    twin = Answer(other, answer.id)
    expect(twin.content).not_to_be_empty()

    again.status("complete")
    twin.status("complete")
    expect_rendered(again, full)
    expect_rendered(twin, full)
    assert twin.html() == again.html()
    sources = again.sources.inner_html()
    for shown in (again, twin):
        expect_closed(shown, "Thinking complete")
        found = steps(shown)
        assert len(found) == 3 and found[0] == "Searching knowledge base…" and FOUND.match(found[1]), found
        assert shown.sources.inner_html() == sources
        expect(shown.page.locator("#messages > article")).to_have_count(2)
        expect_form_ready(shown.page)
    assert message(q.db, answer.id)[3:5] == (full, "complete")
    assert page.problems == [] and other.problems == []


# 5. A killed server ---------------------------------------------------------------------------------------------

def test_an_answer_cut_by_a_killed_server_shows_interrupted_and_retry_completes_it(browser, quarry, standin,
                                                                                   tmp_path):
    model = standin("--tokens-per-second", "10")
    full = model.answer()
    q = serve(quarry, tmp_path, model)
    page = open_page(browser.new_context(), q.port)
    answer = ask(page, "When does the café open?")
    streaming_snapshot(answer)

    def checkpointed():
        saved = message(q.db, answer.id)
        return saved if saved[4] == "streaming" and saved[3] else None
    wait_until(checkpointed, what="a checkpoint of the answer in the database")
    assert q.stop(sig=9) == -9
    saved = message(q.db, answer.id)[3]
    assert saved and full.startswith(saved) and saved != full, saved
    expect(page.locator("#connection-status")).to_have_text("Reconnecting…")

    restarted = serve(quarry, tmp_path, model, port=q.port)
    expect(page.locator("#connection-status")).to_have_text("Connected", timeout=LONG)
    # The page resubscribed by itself; the snapshot shows the saved text, what happened, and Retry.
    answer.status("interrupted")
    expect(answer.error).to_have_text("The server stopped before this answer finished.")
    expect(answer.retry).to_be_visible()
    expect_rendered(answer, saved)
    expect_closed(answer, "Thinking stopped")
    expect_form_ready(page)
    assert message(restarted.db, answer.id)[4] == "interrupted"

    answer.retry.click()
    answer.status("complete")
    expect_rendered(answer, full)
    expect(answer.retry).to_have_count(0)
    expect(answer.error).to_have_count(0)
    expect(page.locator("#messages > article")).to_have_count(2)
    expect_form_ready(page)
    rows = messages(restarted.db)
    assert [(r[0], r[3], r[4]) for r in rows][1] == (int(answer.id), full, "complete"), rows
    assert len(rows) == 2, rows
    assert [p for p in page.problems if not connection_noise(p)] == []


# 6. Stop --------------------------------------------------------------------------------------------------------

def test_stop_keeps_the_text_so_far_and_frees_the_form(browser, quarry, standin, tmp_path):
    model = standin("--tokens-per-second", "10")
    full = model.answer()
    q = serve(quarry, tmp_path, model)
    page = open_page(browser.new_context(), q.port)
    answer = ask(page, "When does the café open?")
    streaming_snapshot(answer)
    page.locator("#composer-stop").click()
    answer.status("stopped")
    expect(answer.error).to_have_text("Stopped. What arrived is kept above.")
    expect(answer.retry).to_be_visible()
    expect_closed(answer, "Stopped")
    expect_form_ready(page)
    saved = message(q.db, answer.id)
    assert saved[4] == "stopped" and saved[3] and full.startswith(saved[3]) and saved[3] != full, saved
    expect_rendered(answer, saved[3])
    assert snapshot(answer)["cursor"] == "none"
    assert page.problems == []


# 7. Too many questions ------------------------------------------------------------------------------------------

def test_too_many_questions_in_a_minute_get_a_clear_notice(browser, quarry, tmp_path):
    q = serve(quarry, tmp_path, env={"QUARRY_QUESTIONS_PER_MINUTE": "2"})
    page = open_page(browser.new_context(), q.port)
    for question in ["When does the café open?", "Where do deliveries arrive?"]:
        ask(page, question).status("complete")
    box = question_box(page)
    box.fill("Where do visitors park?")
    box.press("Enter")
    notice = page.locator("#notice > p.notice-error[data-error=too_many_questions]")
    expect(notice).to_have_text(re.compile(r"^That is 2 questions in a minute\. Please wait \d+ s before asking "
                                           r"again\.$"))
    expect(notice).to_have_attribute("role", "alert")
    expect(question_box(page)).to_be_enabled()
    # Nothing the person typed is lost: the refused question is back in the box.
    expect(question_box(page)).to_have_value("Where do visitors park?")
    expect(assistant_articles(page)).to_have_count(2)
    assert len(messages(q.db)) == 4
    assert page.problems == []


# 8. Another session ---------------------------------------------------------------------------------------------

def test_another_session_can_neither_follow_nor_steer_a_thread(browser, quarry, standin, tmp_path):
    model = standin("--tokens-per-second", "10")
    full = model.answer()
    q = serve(quarry, tmp_path, model)
    page = open_page(browser.new_context(), q.port)
    answer = ask(page, "When does the café open?")
    streaming_snapshot(answer)
    source = page.locator("#thread-source")
    thread, thread_stream = source.get_attribute("data-thread"), source.get_attribute("signed-stream-name")
    assert thread_stream == page.locator("#threads button").get_attribute("data-stream")
    session_stream = page.locator("body > quarry-stream-source:not([id])").get_attribute("signed-stream-name")

    status, headers, _ = get(q.port, "/")
    assert status == 200
    cookie = headers["Set-Cookie"].split(";")[0]
    own = [c["value"] for c in page.context.cookies() if c["name"] == "quarry_session"]
    assert cookie.startswith("quarry_session=") and len(own) == 1 and cookie != "quarry_session=" + own[0]
    ws = WebSocket(q.port, headers={"Cookie": cookie})
    assert ws.status == 101
    received = []

    def notice():
        while True:
            kind, value = ws.next()
            assert kind == "text", (kind, value)
            received.append(value)
            found = re.search(r'data-error="([a-z_]+)"', value)
            if found:
                return found.group(1)

    for name in (thread_stream, session_stream):
        ws.send_text(json.dumps({"op": "subscribe", "stream": name}))
        assert notice() == "forbidden"
    ws.send_text(json.dumps({"op": "stop", "message": answer.id}))
    ws.send_text(json.dumps({"op": "retry", "message": answer.id}))
    assert notice() == "not_found"
    ws.send_text(json.dumps({"op": "ask", "thread": thread, "content": "Hijacked question"}))
    assert notice() == "not_found"
    assert message(q.db, answer.id)[4] == "streaming", "B's stop came while A's answer was running"
    for text in received:
        assert "message-content" not in text and "café" not in text and "Quarry found" not in text, text

    answer.status("complete")
    expect_rendered(answer, full)
    expect(page.locator("#messages > article")).to_have_count(2)
    expect(page.locator("#notice > *")).to_have_count(0)
    rows = messages(q.db)
    assert [(r[1], r[4]) for r in rows] == [(int(thread), "complete")] * 2, rows
    assert query(q.db, "SELECT count(*) FROM threads")[0][0] == 1
    assert page.problems == []


# 9. Waiting for a turn ------------------------------------------------------------------------------------------

def test_an_answer_beyond_the_cap_waits_then_completes(browser, quarry, standin, tmp_path):
    model = standin()
    full = model.answer()
    q = serve(quarry, tmp_path, model, env={"QUARRY_MAX_ANSWERS": "1"})
    first_page = open_page(browser.new_context(), q.port)
    second_page = open_page(browser.new_context(), q.port)
    first = ask(first_page, "When does the café open? [standin:token-delay=0.1]")
    streaming_snapshot(first)
    second = ask(second_page, "Where do deliveries arrive?")
    expect(second.steps.first).to_have_text("Waiting for another answer to finish…")
    assert message(q.db, first.id)[4] == "streaming", "the second answer waited while the first ran"
    first.status("complete")
    second.status("complete")
    found = steps(second)
    assert found[:2] == ["Waiting for another answer to finish…", "Searching knowledge base…"], found
    assert found[-1] == "Generating response…", found
    expect_rendered(first, full)
    expect_rendered(second, full)
    expect_form_ready(second_page)
    assert first_page.problems == [] and second_page.problems == []


# 10. Escaping ---------------------------------------------------------------------------------------------------

EVIL = "<script>alert(1)</script>"


def test_markup_in_titles_questions_and_answers_is_shown_as_text(browser, quarry, standin, tmp_path):
    reply = f"Tags like {EVIL} & <img src=x onerror=alert(3)> stay text, and so does &lt;b&gt; & co."
    model = standin("--answer", reply)
    title = f"Tools {EVIL} & Co"
    # An HTML document, whose <title> is text: the markup in it arrives in the title as characters.
    q = serve(quarry, tmp_path, model, docs_extra={"tools.html": (
        "<html><head><title>Tools &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co</title></head>"
        "<body><p>The script tools &amp; co handle the alert words of the café menu.</p></body></html>\n")})
    assert query(q.db, "SELECT title FROM documents WHERE path LIKE '%tools.html'") == [(title,)]
    page = open_page(browser.new_context(), q.port)
    question = f"What about {EVIL} & the script tools?"
    answer = ask(page, question)
    answer.status("complete")
    expect(page.locator("#messages > article[data-role=user] .content")).to_have_text(question)
    expect(page.locator("#threads button")).to_have_text(question)
    expect(answer.sources.locator(".title").first).to_have_text(title)
    expect(answer.sources.locator("q").first).to_contain_text("The script tools & co handle")
    expect_rendered(answer, reply)
    expect(answer.content).to_contain_text("stay text, and so does <b> & co.")
    # Nothing ran and nothing was added: no script in the body, no image, no handler, no alert, no error.
    expect(page.locator("body script")).to_have_count(0)
    expect(page.locator("#messages img, #threads img, [onerror]")).to_have_count(0)
    assert page.locator("head script").count() == 1
    assert page.dialogs == [] and page.problems == []


# Part B: the render of the text so far after every frame --------------------------------------------------------

PROBE = """() => {
    window.seen = [];
    customElements.define('x-probe', class extends HTMLElement {
        // Runs as the patcher inserts it, right after the frame before it was applied and before the next.
        connectedCallback() {
            window.seen.push([Number(this.dataset.i), document.getElementById('message-content-5').innerHTML]);
            this.remove();
        }
    });
}"""


def test_the_page_shows_the_render_of_the_text_so_far_after_every_frame(browser, page_server):
    fixtures = stream_fixtures()
    assert len(fixtures) >= 60 and all(len(f["frames"]) == len(f["expected"]) > 0 for f in fixtures)
    server = page_server()
    page = open_page(browser.new_context(), server.port)
    page.evaluate(PROBE)
    server.publish(stream("append", "messages",
                          '<article id="message-5" class="message" data-role="assistant">'
                          '<div id="message-content-5" class="content"></div></article>'
                          '<div id="probes" hidden></div><p id="marker" hidden></p>'))
    expect(page.locator("#message-content-5")).to_be_attached()
    failures, frames = [], 0
    for fixture in fixtures:
        server.publish(stream("update", "message-content-5", ""))
        for i, frame in enumerate(fixture["frames"]):
            server.publish(frame)
            server.publish(stream("append", "probes", f'<x-probe data-i="{i}"></x-probe>'))
        wait_applied(page, server)
        seen = page.evaluate("() => window.seen.splice(0)")
        assert [i for i, _ in seen] == list(range(len(fixture["frames"]))), fixture["name"]
        expected = normalise_all(page, fixture["expected"])
        for i, ((_, shown), wanted) in enumerate(zip(seen, expected)):
            frames += 1
            if shown != wanted:
                failures.append(f"{fixture['name']!r} in pieces of {fixture['pieces']}, after frame {i}:\n"
                                f"  frame:    {fixture['frames'][i]}\n  page:     {shown!r}\n  expected: {wanted!r}")
    assert not failures, f"{len(failures)} of {frames} frames differ:\n" + "\n".join(failures[:10])
    assert frames == sum(len(f["frames"]) for f in fixtures)
    assert page.problems == []
