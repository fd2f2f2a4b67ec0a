"""Support for the chat's browser tests (test_chat.py): the stand-in model server, a small documents folder, a
`quarry serve` pointed at both, the page's answers as locators, the database as the server left it, and the
renders of markdown by Quarry's own Markdown module (quarry-stream-fixtures render)."""
import functools
import json
import os
import sqlite3
import subprocess
import re
import urllib.request

import pytest

from conftest import get, wait_until
from websocket import WebSocket

STANDIN = os.environ.get("QUARRY_STANDIN", ".build/debug/quarry-standin")
# Built next to the stand-in (both are debug products of the same package); QUARRY_STREAM_FIXTURES overrides.
STREAM_FIXTURES = os.environ.get("QUARRY_STREAM_FIXTURES") or os.path.join(os.path.dirname(STANDIN),
                                                                           "quarry-stream-fixtures")

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

# Waits for answers: generous, since they are conditions (never timings); a healthy run takes a fraction.
LONG = 30_000


def require(path, build):
    """A binary the tests need: a missing one fails the test (it is never skipped)."""
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is missing; build it with `{build}`", pytrace=False)
    return path


# The stand-in model server --------------------------------------------------------------------------------------

class StandIn:
    """quarry-standin on a free port, with a pipe on stdin so it ends with the test."""

    def __init__(self, log_path, *args):
        require(STANDIN, "swift build --product quarry-standin")
        self.log = open(log_path, "w+")
        self.process = subprocess.Popen([STANDIN, "--port", "0", *args], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError(f"quarry-standin did not start: {self.output()}")
        self.port = json.loads(line)["port"]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    def env(self, **extra):
        """The environment that points `quarry serve` at this stand-in."""
        return {"QUARRY_LLM_BASE_URL": self.base_url, "QUARRY_LLM_MODEL": "standin-chat", **extra}

    def completion(self, question="hello"):
        """The message it answers `question` with (faults in the question apply), as a whole completion: the same
        text it streams. (A status fault with `times` counts this request too.)"""
        body = json.dumps({"model": "standin-chat", "messages": [{"role": "user", "content": question}]}).encode()
        request = urllib.request.Request(f"{self.base_url}/chat/completions", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())["choices"][0]["message"]

    def answer(self, question="hello"):
        """The answer it streams for `question`."""
        return self.completion(question)["content"]

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.process.poll() is None:
            try:
                self.process.stdin.close()  # end of stdin: it stops by itself
                self.process.wait(timeout=5)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()


@pytest.fixture
def standin(tmp_path):
    started = []

    def start(*args):
        server = StandIn(tmp_path / f"standin-{len(started)}.log", *args)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


# Documents and the server ---------------------------------------------------------------------------------------

DOCS = {
    "cafe.md": """# Café hours

The café opens at 8:00 and closes at 18:00 on weekdays. On Saturdays the café opens at 9:00 and closes at noon.
The café is closed on Sundays and public holidays.

## Payment

The café takes cards and cash. The café does not take cheques.
""",
    "deliveries.md": """# Deliveries

Deliveries arrive through the side door. Sign for deliveries in the delivery book kept by the café counter.
Large deliveries need a trolley from the store room.
""",
    "printers.md": """# Printers

The printer on floor 2 prints in colour. Ask the café staff for paper when the printer runs out.
Toner is kept in the store room next to the trolley.
""",
    "parking.md": """# Parking

Visitors park in the north car park. Staff park behind the building, next to the bicycle shed.
""",
}


def write_docs(root, extra=None):
    docs = root / "docs"
    docs.mkdir(exist_ok=True)
    for name, text in {**DOCS, **(extra or {})}.items():
        (docs / name).write_text(text, encoding="utf-8")
    return docs


def query(db, sql, *params):
    """Rows from the database while the server may be writing it."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def documents_ingested(db, count):
    try:
        return query(db, "SELECT count(*) FROM documents")[0][0] == count
    except sqlite3.DatabaseError:
        return False


def serve(quarry, tmp_path, model=None, env=None, port=None, docs_extra=None):
    """`quarry serve` with the test's documents read in, answering with `model` (a StandIn) or, with none, by
    quoting passages; returns once the documents are searchable."""
    docs = write_docs(tmp_path, docs_extra)
    environment = {"OPENAI_API_KEY": "", "no_proxy": "127.0.0.1,localhost", "NO_PROXY": "127.0.0.1,localhost",
                   "QUARRY_DOCS_RESCAN": "3600"}
    if model is not None:
        environment.update(model.env())
    environment.update(env or {})
    q = quarry("--docs", str(docs), env=environment, port=port).wait_ready()
    total = len(DOCS) + len(docs_extra or {})
    wait_until(lambda: documents_ingested(q.db, total), what="the documents in the database")
    return q


def ask_over_socket(port, question):
    """Asks `question` from a new browser session over the socket, as the page does, without a browser; returns the
    socket (kept open)."""
    _, headers, _ = get(port, "/")
    ws = WebSocket(port, headers={"Cookie": headers["Set-Cookie"].split(";")[0]})
    assert ws.status == 101
    ws.send_text(json.dumps({"op": "ask", "content": question}))
    return ws


def messages(db):
    """Every message: (id, thread, role, content, status, error), in order."""
    return query(db, "SELECT id, thread_id, role, content, status, error FROM messages ORDER BY id")


def message(db, id):
    rows = query(db, "SELECT id, thread_id, role, content, status, error FROM messages WHERE id = ?", int(id))
    return rows[0] if rows else None


# Markdown as Quarry renders it ----------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def render(markdown, db=None, message=None):
    """Markdown.html(markdown), from Quarry's own Markdown module; with `db` and `message`, as the page shows that
    ended answer, its citations ([2]) linked to the sources saved with it."""
    require(STREAM_FIXTURES, "swift build --product quarry-stream-fixtures")
    cited = ["--db", str(db), "--message", str(message)] if db else []
    result = subprocess.run([STREAM_FIXTURES, "render", *cited], input=markdown.encode(), capture_output=True,
                            timeout=30, check=True)
    return json.loads(result.stdout)["html"]


def stream_fixtures():
    """Every awkward stream's frames and expected renders (one dict per stream and piece size)."""
    require(STREAM_FIXTURES, "swift build --product quarry-stream-fixtures")
    result = subprocess.run([STREAM_FIXTURES], capture_output=True, timeout=60, check=True, text=True)
    return [json.loads(line) for line in result.stdout.splitlines()]


# The page -------------------------------------------------------------------------------------------------------

# Failures the browser logs while the server is down (a reconnecting socket): expected in restart tests only.
def connection_noise(text):
    return "WebSocket" in text or "ERR_CONNECTION_REFUSED" in text


def open_page(context, port, path="/"):
    """A tab on the server, connected; its console errors and uncaught exceptions gather in `page.problems`, and
    any dialog (an alert a script injection would raise) in `page.dialogs`."""
    page = context.new_page()
    page.problems, page.dialogs = [], []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))

    def dialog(d):
        page.dialogs.append(d.message)
        d.dismiss()
    page.on("dialog", dialog)
    page.goto(f"http://127.0.0.1:{port}{path}")
    expect(page.locator("#connection-status")).to_have_text("Connected")
    return page


def question_box(page):
    return page.get_by_label("Your question")


def assistant_articles(page):
    return page.locator("#messages > article[data-role=assistant]")


def ask(page, text):
    """Types `text` and presses Enter; returns the Answer that appears for it."""
    before = assistant_articles(page).count()
    box = question_box(page)
    expect(box).to_be_enabled(timeout=LONG)
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")
    expect(assistant_articles(page)).to_have_count(before + 1, timeout=LONG)
    return Answer(page, assistant_articles(page).nth(before).get_attribute("id").removeprefix("message-"))


class Answer:
    """One answer on a page, by its message id."""

    def __init__(self, page, id):
        self.page, self.id = page, str(id)
        self.article = page.locator(f"#message-{id}")
        self.content = page.locator(f"#message-content-{id}")
        self.marker = page.locator(f"#message-state-{id}")
        self.thinking = page.locator(f"#thinking-{id}")
        self.summary = page.locator(f"#thinking-{id} > summary")
        self.steps = page.locator(f"#thinking-steps-{id} > li")
        self.error = self.article.locator("p.error[role=alert]")
        self.retry = self.article.locator(f"button[data-retry='{id}']")
        self.sources = self.article.locator("details.sources")
        self.relevances = self.article.locator("details.sources .relevance")

    def status(self, status, timeout=LONG):
        expect(self.marker).to_have_attribute("data-status", status, timeout=timeout)

    def html(self):
        """The content's markup as the browser holds it."""
        return self.page.evaluate("(id) => document.getElementById('message-content-' + id).innerHTML", self.id)


def normalise(page, html):
    """`html` as the browser's own parser and serialiser give it back (a template's innerHTML), so markup is
    compared with what a page holds, not with cmark's spelling of it."""
    return page.evaluate("""(html) => { const t = document.createElement('template'); t.innerHTML = html;
        return t.innerHTML; }""", html)


def normalise_all(page, items):
    return page.evaluate("""(items) => items.map((html) => { const t = document.createElement('template');
        t.innerHTML = html; return t.innerHTML; })""", items)


def expect_rendered(answer, markdown, db=None):
    """The answer's content is exactly the render of `markdown` (with `db`, its citations linked to its sources)."""
    expect(answer.content).to_be_attached()
    assert db or not re.search(r"\[\d", markdown), "an answer that may cite: pass the database its sources are in"
    assert answer.html() == normalise(answer.page, render(markdown, db, answer.id)), markdown


def relevance_numbers(answer):
    return [int(text.rstrip("%")) for text in answer.relevances.all_text_contents()]


SNAPSHOT = """(id) => {
    const $ = (x) => document.getElementById(x);
    const marker = $('message-state-' + id), content = $('message-content-' + id), thinking = $('thinking-' + id);
    let last = content && (content.lastElementChild || content);
    if (last && (last.localName === 'ul' || last.localName === 'ol')) last = last.lastElementChild || last;
    return {
        status: marker ? marker.dataset.status : null,
        text: content ? content.textContent : null,
        html: content ? content.innerHTML : null,
        summary: thinking ? thinking.querySelector('summary').textContent : null,
        open: thinking ? thinking.open : null,
        steps: thinking ? [...thinking.querySelectorAll('ol > li')].map((li) => li.textContent) : [],
        cursor: last ? getComputedStyle(last, '::after').content : null,
        formDisabled: $('composer-fields').disabled,
        stopShown: !$('composer-stop').hidden,
    };
}"""


def snapshot(answer):
    """The answer's state at one instant (one evaluation, so its parts agree with each other)."""
    return answer.page.evaluate(SNAPSHOT, answer.id)


def streaming_snapshot(answer, timeout=20):
    """A snapshot taken while the answer streams with some text already shown."""
    def taken():
        state = snapshot(answer)
        return state if state["status"] == "streaming" and state["text"] else None
    return wait_until(taken, timeout=timeout, what=f"answer {answer.id} streaming with some text")
