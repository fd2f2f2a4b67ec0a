"""The soak: `quarry serve` (release) with 100 tabs for 30 minutes, an answer every few seconds, some tabs reloading;
the server's RSS and open files sampled all along. Run it through tools/bench/soak, which builds the binaries.

Each tab is one session (its own cookie from `GET /`) with one socket subscribed to its session stream and, once it
has asked, to its thread's stream, as the page does. Tabs take turns asking so that the whole server sees
`--answers-per-minute` answers (each session far below its 10 questions a minute); the stand-in streams each answer
with `token-delay`. Some tabs reload between answers, and some in the middle of one (close the socket, load the page
again with their cookie, open a new socket, subscribe again, follow the answer to its end).

Errors: an answer that does not end `complete` in its frames or in the database, a socket closed by the server, an
error notice in a frame, a reload that loses the session. Exit status 1 on any error, or when the open files at the
end pass the first minute's by more than `--fd-margin`.

Also the abuse benchmark's building blocks (abuse_bench.py): the servers, a page load, a tab."""
import argparse
import asyncio
import json
import os
import random
import re
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_system import Process, free_port, machine  # noqa: E402
from chat_envelopes import STREAM_NAME, THREAD, content_html  # noqa: E402
from chat_socket import ChatSocket  # noqa: E402

STATE = re.compile(r'id="message-state-(\d+)" data-message="\d+" data-status="(\w+)"')
NOTICE = re.compile(r'class="notice-error" role="alert" data-error="([\w-]+)"')
DOCUMENT = """# The kiosk

The kiosk's screen sleeps after ten minutes. Its printer takes A4 paper from the drawer below the screen.
The maintenance PIN is kept by the front desk. Restart the kiosk with the switch behind the left panel.
"""
# Every per-peer limit, set far above what 100 tabs from 127.0.0.1 need (the soak measures leaks, not limits).
GENEROUS = {
    "QUARRY_MAX_CONNECTIONS_PER_PEER": "100000",
    "QUARRY_MAX_PENDING_HEADERS_PER_PEER": "100000",
    "QUARRY_QUESTIONS_PER_MINUTE_PER_PEER": "100000",
    "QUARRY_ANSWERS_PER_PEER": "10000",
    "QUARRY_WAITING_ANSWERS": "10000",
    "QUARRY_LLM_REQUESTS_PER_MINUTE": "0",
    "QUARRY_MAX_PARTIAL_BYTES_PER_PEER": str(1 << 30),
}


def say(text):
    print(f"   {text}", file=sys.stderr, flush=True)


def fault(spec):
    return f" [standin:{spec}]"


# MARK: Servers

async def start_standin(binary, workdir, rate=200, answer=None):
    log = open(os.path.join(workdir, "standin.log"), "w+")
    extra = ["--answer", answer] if answer else []
    standin = await Process.start([binary, "--port", "0", "--tokens-per-second", str(rate), *extra], None, log,
                                  stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    port = json.loads(await asyncio.wait_for(standin.process.stdout.readline(), 30))["port"]
    return standin, port


async def start_quarry(binary, llm_port, workdir, env, cpu=None, args=()):
    """`quarry serve` on a free port with a one-document folder, answering through the stand-in; the environment's
    QUARRY_* variables are replaced by `env`. Returns (process, port, database path)."""
    docs = os.path.join(workdir, "docs")
    os.makedirs(docs, exist_ok=True)
    with open(os.path.join(docs, "kiosk.md"), "w") as f:
        f.write(DOCUMENT)
    for name in [name for name in os.environ if name.startswith("QUARRY_")]:
        del os.environ[name]
    os.environ.update(QUARRY_LLM_BASE_URL=f"http://127.0.0.1:{llm_port}/v1", QUARRY_LLM_MODEL="standin-chat",
                      QUARRY_DOCS_RESCAN="3600", no_proxy="127.0.0.1,localhost", NO_PROXY="127.0.0.1,localhost",
                      **env)
    os.environ.pop("OPENAI_API_KEY", None)
    db = os.path.join(workdir, "quarry.db")
    log = open(os.path.join(workdir, "quarry.log"), "w+")
    for attempt in range(5):
        # A free port can be taken by another program's outgoing connection before quarry binds it: try another.
        port = free_port()
        server = await Process.start([binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--db", db,
                                      "--docs", docs, *args], cpu, log)
        deadline = time.monotonic() + 30
        while True:
            try:
                if (await http_get(port, "/healthz"))[0] == 200:
                    return server, port, db
            except OSError:
                pass
            if server.process.returncode is not None and "Could not listen" in server.log_tail() and attempt < 4:
                break
            server.check_alive()
            if time.monotonic() > deadline:
                raise RuntimeError("quarry serve did not answer within 30 s" + server.log_tail())
            await asyncio.sleep(0.05)


async def http_get(port, path, cookie=None, local=None, timeout=30):
    """GET on a new connection (from loopback address `local`, if given): (status, lower-cased headers, body)."""
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", port, local_addr=(local, 0) if local else None), timeout)
    try:
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"] + ([f"Cookie: {cookie}"] if cookie else [])
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)).decode("latin-1").split("\r\n")
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await asyncio.wait_for(reader.readexactly(int(headers.get("content-length", "0"))), timeout)
        return int(head[0].split()[1]), headers, body
    finally:
        writer.close()


def db_rows(db, sql, *params):
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


# MARK: A tab

class TabError(Exception):
    pass


class Tab:
    """One browser tab: a session cookie, the page's session stream, one socket (replaced on reload) and, once it
    asked, its thread. `local`: the loopback address it connects from. `cookie_extra`: other apps' cookies sent
    beside ours."""

    def __init__(self, name, port, local=None, cookie_extra=""):
        self.name, self.port, self.local, self.cookie_extra = name, port, local, cookie_extra
        self.cookie = self.session_stream = self.thread = self.thread_stream = None
        self.socket = self.reader = None
        self.messages = []        # decoded payloads of the current socket
        self.times = []           # when each of them arrived (time.monotonic())
        self.arrived = asyncio.Event()
        self.closed_by_server = None
        self.busy = False         # the soak: asking or reloading

    def cookie_header(self):
        ours = self.cookie or ""
        return "; ".join(part for part in (self.cookie_extra, ours) if part) or None

    async def load(self, timeout=30):
        """Loads the page and connects as the page does: GET /, a socket, the session stream's snapshot (and the
        thread's, when the tab has one). Returns the seconds it took."""
        started = time.monotonic()
        status, headers, body = await http_get(self.port, "/", self.cookie_header(), self.local, timeout)
        if status != 200:
            raise TabError(f"{self.name}: GET / answered {status}")
        if "set-cookie" in headers:
            if self.cookie:
                raise TabError(f"{self.name}: the page load lost the session (a new cookie was set)")
            self.cookie = headers["set-cookie"].split(";", 1)[0]
        self.session_stream = STREAM_NAME.search(body.decode()).group(1)
        await self.connect(timeout)
        await self.subscribe(self.session_stream, "threads", timeout)
        elapsed = time.monotonic() - started
        if self.thread_stream:
            await self.subscribe(self.thread_stream, "messages", timeout)
        return elapsed

    async def connect(self, timeout=30):
        self.close()
        self.socket = await asyncio.wait_for(ChatSocket.open(self.port, self.cookie_header(), local=self.local),
                                             timeout)
        self.messages, self.times, self.closed_by_server = [], [], None
        self.reader = asyncio.ensure_future(self.read(self.socket))

    async def read(self, socket):
        try:
            while True:
                message = await socket.receive(timeout=86_400)
                self.times.append(time.monotonic())
                self.messages.append(message.payload.decode())
                self.arrived.set()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self.closed_by_server = str(error) or type(error).__name__
            self.arrived.set()

    def close(self):
        if self.reader:
            self.reader.cancel()
        if self.socket:
            self.socket.close()
        self.socket = self.reader = None

    async def send(self, **op):
        await self.socket.send_text(json.dumps(op))

    async def until(self, predicate, timeout, what, start=0):
        """The index of the first message at ≥ `start` for which predicate(text) holds; raises TabError on a close
        by the server, an error notice, or the timeout."""
        deadline = time.monotonic() + timeout
        while True:
            for index in range(start, len(self.messages)):
                text = self.messages[index]
                if predicate(text):
                    return index
                if "notice-error" in text:
                    notice = NOTICE.search(text)
                    raise TabError(f"{self.name}: an error notice ({notice[1] if notice else text[:120]!r}) "
                                   f"while waiting for {what}")
            start = len(self.messages)
            if self.closed_by_server:
                raise TabError(f"{self.name}: {self.closed_by_server} while waiting for {what}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TabError(f"{self.name}: timed out after {timeout} s waiting for {what}")
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def subscribe(self, stream, snapshot_of, timeout=30):
        start = len(self.messages)
        await self.send(op="subscribe", stream=stream)
        return await self.until(lambda text: f'action="update" target="{snapshot_of}"' in text, timeout,
                                f"the snapshot of {snapshot_of}", start)

    async def ask(self, content, timeout=60, new_thread=False):
        """Asks; returns (answer id, seconds from the ask to the answer's first text, index of that message)."""
        start, asked = len(self.messages), time.monotonic()
        if self.thread and not new_thread:
            await self.send(op="ask", content=content, thread=self.thread)
        else:
            await self.send(op="ask", content=content)
            moved = await self.until(lambda text: 'id="thread-source"' in text, timeout, "the move to the new thread",
                                     start)
            text = self.messages[moved]
            self.thread, self.thread_stream = THREAD.search(text).group(1), STREAM_NAME.search(text).group(1)
            await self.subscribe(self.thread_stream, "messages", timeout)
        found = {}

        def placeholder(text):
            ids = [int(m[1]) for m in STATE.finditer(text)]
            if ids and 'data-role="assistant"' in text:
                found["id"] = max(ids)
                return True
            return False
        await self.until(placeholder, timeout, "the answer's placeholder", start)
        answer = found["id"]
        target = re.compile(rf'<turbo-stream action="\w+" targets?="[^"]*message-content-{answer}\b')

        def text_arrived(text):
            return bool(target.search(text)) or bool(content_html(text, answer) if
                                                     f'id="message-content-{answer}"' in text else False)
        first = await self.until(text_arrived, timeout, f"answer {answer}'s first text", start)
        return answer, time.monotonic() - asked, start

    async def until_complete(self, answer, timeout=120, start=0):
        marker = f'id="message-state-{answer}" data-message="{answer}" data-status='
        ended = {}

        def ends(text):
            at = text.find(marker)
            if at < 0:
                return False
            status = text[at + len(marker):].split('"', 2)[1]
            if status == "streaming":
                return False
            ended["status"] = status
            return True
        await self.until(ends, timeout, f"answer {answer}'s end", start)
        if ended["status"] != "complete":
            raise TabError(f"{self.name}: answer {answer} ended {ended['status']}")


# MARK: The soak

class Samples:
    """RSS and open files from /proc; SQLite's heap (its page caches, which fill to their cap and stay) from the
    server's own /metrics, so that the growth of the rest can be read apart."""
    def __init__(self, pid, port):
        self.pid = pid
        self.port = port
        # (seconds since start, RSS KiB, open files, SQLite heap KiB, RSS less SQLite's heap KiB, heap in use KiB,
        #  heap in use less SQLite's KiB, RSS of private memory KiB, RSS of mapped files KiB, the writer's page
        #  cache KiB, answers complete so far)
        self.rows = []

    async def take(self, started, answers):
        with open(f"/proc/{self.pid}/status") as f:
            status = {line.split(":")[0]: line.split()[1] for line in f if line.startswith(("VmRSS:", "RssAnon:", "RssFile:"))}
        rss = int(status["VmRSS"])
        # Private memory (the heap, stacks, lws' buffers) apart from the pages of the binary and its libraries that the
        # run has touched so far, which count in RSS too and grow as more of the code runs.
        anon, mapped = int(status.get("RssAnon", 0)), int(status.get("RssFile", 0))
        files = len(os.listdir(f"/proc/{self.pid}/fd"))
        writer_cache = 'quarry_sqlite_page_cache_bytes{connection="writer"}'
        figures = await self.metrics_kib("quarry_sqlite_memory_bytes", "quarry_heap_in_use_bytes", writer_cache)
        sqlite, heap = figures.get("quarry_sqlite_memory_bytes"), figures.get("quarry_heap_in_use_bytes")
        self.rows.append((time.monotonic() - started, rss, files, sqlite, rss - sqlite if sqlite is not None else None,
                          heap, heap - sqlite if heap is not None and sqlite is not None else None, anon, mapped,
                          figures.get(writer_cache), answers))

    async def metrics_kib(self, *names):
        """The named gauges of the server's /metrics, in KiB (none when it has no /metrics)."""
        try:
            status, _, body = await http_get(self.port, "/metrics", timeout=10)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
            return {}
        if status != 200:
            return {}
        found = {}
        for line in body.decode().splitlines():
            name, _, value = line.partition(" ")
            if name in names:
                found[name] = round(float(value) / 1024)
        return found


def slope(points):
    """Least-squares slope of (x, y) points."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0


def second_half(rows):
    """The samples the slopes are taken over."""
    return rows[len(rows) // 2:]


def summary(rows, column, unit, per_minute_scale=60):
    values = [row[column] for row in rows]
    first_minute = [row[column] for row in rows if row[0] <= 60] or values[:1]
    half = second_half(rows)
    per_minute = slope([(row[0], row[column]) for row in half]) * per_minute_scale
    baseline = sum(first_minute) / len(first_minute)
    return (baseline, values[0], values[-1], max(values), per_minute,
            f"start {values[0]:>8,} {unit}   end {values[-1]:>8,}   max {max(values):>8,}   "
            f"first-minute mean {baseline:>10,.0f}   slope (second half) {per_minute:+.1f} {unit}/min")


class Soak:
    def __init__(self, args, port, db):
        self.args, self.port, self.db = args, port, db
        self.errors = []
        self.answers = self.reloads = self.mid_answer_reloads = 0
        self.ending = False

    def error(self, text):
        self.errors.append(f"{time.strftime('%H:%M:%S')} {text}")
        say(f"error: {text}")

    async def tab_life(self, tab, interval):
        args = self.args
        await asyncio.sleep(random.uniform(0, interval))
        while not self.ending:
            tab.busy = True
            try:
                if random.random() < args.reload_fraction:
                    await tab.load()
                    self.reloads += 1
                if self.ending:
                    break
                answer, _, start = await tab.ask(f"When does the kiosk's screen sleep? ({tab.name})"
                                                 + fault(f"token-delay={args.token_delay}"))
                if random.random() < args.mid_answer_reload_fraction:
                    await tab.load()
                    self.mid_answer_reloads += 1
                    start = 0
                await tab.until_complete(answer, start=start)
                self.answers += 1
            except TabError as error:
                self.error(str(error))
                try:
                    await tab.load()   # the page's reconnect
                except Exception as again:
                    self.error(f"{tab.name}: could not reload: {again}")
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as error:
                self.error(f"{tab.name}: {type(error).__name__} {error}")
                await asyncio.sleep(1)
            finally:
                tab.busy = False
            await asyncio.sleep(random.uniform(0.5, 1.5) * interval)

    async def reloader(self, tabs):
        """Reloads an idle tab (one not asking) `--reloads-per-minute` times a minute, besides the reloads before
        asks."""
        while not self.ending:
            await asyncio.sleep(random.expovariate(self.args.reloads_per_minute / 60))
            idle = [tab for tab in tabs if not tab.busy]
            if self.ending or not idle:
                continue
            tab = random.choice(idle)
            tab.busy = True
            try:
                await tab.load()
                self.reloads += 1
            except (TabError, OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as error:
                self.error(f"{tab.name}: reload: {type(error).__name__} {error}")
            finally:
                tab.busy = False


async def warm_up(run, tabs, rounds):
    """Takes the server to the load its caps allow before anything is sampled: every tab asks at once (the answer
    slots full, the rest waiting), a tenth of them reloading mid-answer, then every tab reloads at once. The
    allocator's arenas keep the pages the highest load so far needed (a high-water mark, not a leak); without this it
    is reached by chance, whenever the random pace bunches up, and shows as steps. The arenas still settle over the
    first few thousand answers after it (docs/limits.md, "Where it levels off")."""
    async def ask_and_follow(tab, index):
        answer, _, start = await tab.ask(f"When does the kiosk's screen sleep? ({tab.name}, warm-up)"
                                         + fault(f"token-delay={run.args.token_delay}"), timeout=600)
        if index % 10 == 0:
            await tab.load()
            start = 0
        await tab.until_complete(answer, timeout=600, start=start)
        run.answers += 1
    for round in range(rounds):
        started = time.monotonic()
        await asyncio.gather(*(ask_and_follow(tab, i) for i, tab in enumerate(tabs)))
        asked = time.monotonic() - started
        await asyncio.gather(*(tab.load() for tab in tabs))
        say(f"warm-up {round + 1} of {rounds}: {len(tabs)} questions at once ({asked:.0f} s), then {len(tabs)} "
            f"reloads at once")


async def soak(args):
    workdir = tempfile.mkdtemp(prefix="quarry-soak-")
    env = dict(GENEROUS)
    standin, llm_port = await start_standin(args.standin, workdir)
    server, port, db = await start_quarry(args.quarry, llm_port, workdir, env, args.server_cpu)
    print(f"Soak: {args.tabs} tabs for {args.minutes:g} min, {args.answers_per_minute:g} answers a minute "
          f"(token-delay {args.token_delay} s), {machine()}")
    print("Per-peer limits set generously (every tab comes from 127.0.0.1): "
          + ", ".join(f"{k}={v}" for k, v in env.items()))
    interval = args.tabs * 60 / args.answers_per_minute
    print(f"Each tab asks about every {interval:.0f} s ({60 / interval:.2f} questions a minute per session); "
          f"{args.reload_fraction:.0%} of asks follow a reload, {args.mid_answer_reload_fraction:.0%} reload mid-answer, "
          f"and {args.reloads_per_minute:g} idle tabs a minute reload")
    if interval < 6:
        raise SystemExit("that pace passes a session's 10 questions a minute: fewer answers a minute or more tabs")
    run = Soak(args, port, db)
    tabs = [Tab(f"tab {i}", port) for i in range(args.tabs)]
    try:
        for i in range(0, len(tabs), 20):
            await asyncio.gather(*(tab.load() for tab in tabs[i:i + 20]))
        say(f"{len(tabs)} tabs connected")
        if args.warm_up:
            await warm_up(run, tabs, args.warm_up)
        say("soaking")
        samples = Samples(server.pid, port)
        started = time.monotonic()
        lives = [asyncio.ensure_future(run.tab_life(tab, interval)) for tab in tabs]
        lives.append(asyncio.ensure_future(run.reloader(tabs)))
        end = started + args.minutes * 60
        last_report = started
        while time.monotonic() < end:
            server.check_alive()
            await samples.take(started, run.answers)
            if time.monotonic() - last_report >= 60:
                last_report = time.monotonic()
                _, rss, files, sqlite = samples.rows[-1][:4]
                say(f"{(last_report - started) / 60:.0f} min: {run.answers} answers, {run.reloads} reloads, "
                    f"RSS {rss:,} KiB" + (f" (SQLite {sqlite:,})" if sqlite is not None else "")
                    + f", {files} open files, {len(run.errors)} errors")
            await asyncio.sleep(min(args.sample_seconds, max(0.0, end - time.monotonic())))
        run.ending = True
        say("time is up; waiting for the answers under way")
        deadline = time.monotonic() + 120
        while any(tab.busy for tab in tabs) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        for life in lives:
            life.cancel()
        closed = [tab.name for tab in tabs if tab.closed_by_server]
        for name in closed:
            run.error(f"{name}: its socket was closed by the server")
        await samples.take(started, run.answers)
        bad = db_rows(db, "SELECT id, status, error FROM messages WHERE role = 'assistant' AND status != 'complete'")
        for id, status, error in bad:
            run.error(f"answer {id} is {status} in the database ({error})")
        stored = db_rows(db, "SELECT count(*) FROM messages WHERE role = 'assistant'")[0][0]
    finally:
        for tab in tabs:
            tab.close()
        await server.stop()
        standin.process.stdin.close()
        await standin.stop(grace=5)

    rows = samples.rows
    rss = summary(rows, 1, "KiB")
    files = summary(rows, 2, "fds")
    print(f"Answers: {run.answers} complete in the frames, {stored} in the database; reloads {run.reloads} between "
          f"answers, {run.mid_answer_reloads} mid-answer; {len(rows)} samples every {args.sample_seconds:g} s")
    print(f"RSS         {rss[5]}")
    # A leak grows with the work done, not with the time: the same slope against the answers finished.
    half = second_half(rows)
    print(f"  per answer: {slope([(row[10], row[1]) for row in half]) * 1000:+.0f} KiB a thousand answers over the "
          f"second half ({half[0][10]:,} → {half[-1][10]:,} answers)")
    print(f"  private   {summary(rows, 7, 'KiB')[5]}")
    print(f"  files     {summary(rows, 8, 'KiB')[5]}")
    if all(row[3] is not None for row in rows):
        print(f"SQLite heap {summary(rows, 3, 'KiB')[5]}")
        print(f"RSS less it {summary(rows, 4, 'KiB')[5]}")
    if all(row[9] is not None for row in rows):
        print(f"  writer's page cache {summary(rows, 9, 'KiB')[5]}")
    if all(row[6] is not None for row in rows):
        print(f"heap in use {summary(rows, 5, 'KiB')[5]}")
        print(f"  less SQLite {summary(rows, 6, 'KiB')[5]}")
    print(f"open files  {files[5]}")
    last_minute = [row[2] for row in rows if row[0] >= rows[-1][0] - 60]
    grown = min(last_minute) - files[0]
    failed = False
    if grown > args.fd_margin:
        print(f"FAIL: open files grew by {grown:.0f} (the last minute's least over the first minute's mean; "
              f"margin {args.fd_margin})")
        failed = True
    print(f"Errors: {len(run.errors)}")
    for line in run.errors[:30]:
        print(f"   {line}")
    if run.errors:
        failed = True
    print(f"Workdir (database and logs): {workdir}")
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quarry", required=True)
    parser.add_argument("--standin", required=True)
    parser.add_argument("--server-cpu", type=int, help="pin quarry serve to this CPU (taskset)")
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--quick", action="store_true", help="2 minutes")
    parser.add_argument("--tabs", type=int, default=100)
    parser.add_argument("--answers-per-minute", type=float, default=20, help="over the whole server (default 20)")
    parser.add_argument("--token-delay", type=float, default=0.02, help="the stand-in's seconds between tokens")
    parser.add_argument("--reload-fraction", type=float, default=0.2, help="asks that follow a reload")
    parser.add_argument("--reloads-per-minute", type=float, default=10, help="idle tabs reloaded, besides those")
    parser.add_argument("--mid-answer-reload-fraction", type=float, default=0.05, help="answers followed through a reload")
    parser.add_argument("--sample-seconds", type=float, default=5)
    parser.add_argument("--warm-up", type=int, default=0, metavar="ROUNDS",
                        help="before sampling, ROUNDS times: every tab asks at once, then every tab reloads at once")
    parser.add_argument("--fd-margin", type=int, default=16, help="open files the run may end with beyond its first minute's")
    args = parser.parse_args()
    if args.quick:
        args.minutes = 2
    sys.exit(asyncio.run(soak(args)))


if __name__ == "__main__":
    main()
