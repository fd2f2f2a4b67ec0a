#!/usr/bin/env python3
"""Chat streaming benchmark for Quarry: what one streamed answer costs on the socket, against the seed's way of
streaming (the whole answer re-rendered and sent as a `replace` on every token, or every 5 tokens), and how soon a
token reaches the page in Chromium, and the server's CPU per token.

Run it through tools/bench/chat, which builds `quarry`, `quarry-standin` and `quarry-chat-seed` in release mode and
pins the server and this client to different CPUs. A fixed ~1,000-token markdown answer (below) is streamed by the
stand-in at 50 tokens/s into a real `quarry serve`; two sockets of the asking session follow the thread and record
every frame. The seed's strategies are computed from the same tokens with Quarry's own renderer
(quarry-chat-seed) and priced on the same wire (the permessage-deflate parameters the server agreed to).
Exits non-zero when a correctness check fails; byte targets are judged (PASS/FAIL), timing is reported.
"""
import argparse
import asyncio
import base64
import datetime
import json
import os
import re
import sys
import tempfile
import time
import urllib.request

from bench_report import Report, percentile
from bench_system import Process, cpu_busy, free_port, machine, process_cpu
from chat_envelopes import KINDS, STATE, STREAM_NAME, THREAD, Content, content_html, envelopes, kind
from chat_socket import OFFER, SERVER_LEVEL, SERVER_MEM_LEVEL, ChatSocket, WirePricer, fragment_size
from timestamp_probe import realtime_offset

# Targets (the issue's): Quarry's payload is the final HTML plus a small envelope per update, and with
# permessage-deflate the wire carries at most 1.5 times the final HTML.
ENVELOPE_ALLOWANCE = 150      # bytes of payload per update beyond the final HTML
WIRE_FACTOR = 1.5             # wire bytes per byte of final HTML

FULL = dict(rate=50, questions=6, latency_tokens=20)
QUICK = dict(rate=400, questions=2, latency_tokens=10)

# The answer the stand-in streams: what a model answering from a facilities handbook might write. Headings,
# paragraphs with emphasis and links, a numbered and a bulleted list, a table, a fenced code block.
ANSWER = """\
## Resetting the lobby kiosk

The kiosk in the lobby runs a *locked-down* browser on a small fanless PC behind the screen. Most problems go away \
after a **soft reset**, and a **full reset** is only needed when the kiosk no longer starts at all. Both are \
described in the [Kiosk Operations Guide](https://intranet.example.org/docs/kiosk-operations), section 4, and the \
steps below follow it closely.

Before you start, check whether the problem is the kiosk itself or the network: if the screen shows the page but \
every search ends in *"Cannot reach the server"*, the kiosk is fine and the switch in the cabinet needs attention \
instead. The [network runbook](https://intranet.example.org/docs/network#lobby-switch) explains how to restart it \
without touching anything else.

### Soft reset

A soft reset restarts the browser and clears its cache, but keeps the configuration and the Wi-Fi settings. It \
takes about a minute and visitors only see the start screen again.

1. Tap the top-left corner of the screen **five times** within three seconds. A small menu with a PIN pad appears.
2. Enter the maintenance PIN. It is printed on the inside of the cabinet door, next to the serial number, and it \
changes every quarter.
3. Choose **Restart browser** and wait until the welcome page comes back.
4. If the menu does not appear at all, hold the power button for *ten seconds* until the fan stops, wait another \
ten seconds, then press it once to start the kiosk again.
5. Write the time and the reason in the logbook on the reception desk, so that repeated problems are noticed.

### Full reset

A full reset reinstalls the kiosk software from the recovery partition. Everything on the kiosk is replaced, \
including the cached pages and any settings changed by hand, so only do it when a soft reset did not help or the \
kiosk shows the recovery screen by itself.

- Unlock the cabinet with the **blue key** from the key box in the facilities office; the grey key opens only the \
paper tray.
- Connect a USB keyboard to the port on the left side of the PC. Any keyboard works, but the one labelled *Kiosk* \
in the storeroom is known to be good.
- Restart the PC and press `F12` while the logo is shown, then choose *Recovery* from the boot menu.
- Confirm twice. The reinstallation takes about fifteen minutes and restarts the PC on its own when it is done.
- After the restart, the kiosk asks for its **site code**: it is `LOBBY-01` for the main entrance and `LOBBY-02` \
for the east wing.
- Lock the cabinet again and return the key, then run the checks in the next section before you leave.

If the recovery menu is missing, the disk has probably failed. Do not try to repair it on site; open a ticket with \
the facilities team instead (see *Who to call* below) and put the **Out of order** sign on the screen.

### Checks after a reset

Whatever kind of reset you did, check the following before you leave the kiosk. Each check takes a few seconds, \
and together they cover the problems that visitors report most often.

| Check | What you should see | If not |
| --- | --- | --- |
| Start screen | The welcome page with today's date | Restart the browser once more |
| Search | Results for the word *parking* within two seconds | Check the network cable behind the PC |
| Printer | A test ticket from the slot under the screen | Reload paper, then see the printer guide |
| Touch | Taps land where you touch, also in the corners | Run the calibration from the menu |
| Sound | A short chime when the page loads | Check the volume in the maintenance menu |

### Checking the configuration by hand

Sometimes the kiosk starts but shows the wrong building or an old floor plan. The configuration lives in a small \
file that you can read from the maintenance menu (choose **Show configuration**). It should look like this, with \
your own site code:

```yaml
site: LOBBY-01
start_page: https://kiosk.example.org/welcome
idle_timeout_seconds: 90
printer:
  model: TM-T20III
  paper: 80mm
updates:
  channel: stable
  window: "02:00-04:00"
```

If `start_page` or `site` is different, do a full reset rather than editing the file: changes made by hand are \
overwritten by the next update anyway, and the update window is every night between two and four.

### Preventing problems

Most resets are caused by a few habits that are easy to avoid. The kiosk is sturdy, but it is not a normal \
computer, and it works best when it is left alone.

- **Do not unplug the kiosk** to turn it off. It writes its logs every few minutes, and pulling the plug can \
corrupt them; the power button shuts it down safely in about twenty seconds.
- Keep the ventilation slots on the back of the cabinet free. In summer the PC slows down when the cabinet gets \
warm, and an overheated kiosk often looks like a frozen one.
- Clean the screen with a dry cloth only. Cleaning sprays leave a film that makes the touch screen register taps in \
the wrong place.
- Report a broken printer right away. A jammed printer makes the page wait for it, and visitors then think the \
kiosk itself has stopped.

### Who to call

During office hours, the **facilities help desk** handles everything about the kiosk: call extension 4410 or write \
to [facilities@example.org](mailto:facilities@example.org). Outside office hours, the security desk can restart the \
kiosk with the steps above, but cannot do a full reset.

For anything about the pages the kiosk shows (opening hours, floor plans, the visitor list), ask the communications \
team instead; their contact details are on the [intranet home page](https://intranet.example.org/).
"""

# --quick: the introduction, the numbered list, the table and the code block (every kind of block but the bullets).
_SECTIONS = ANSWER.split("\n### ")
QUICK_ANSWER = "\n### ".join([_SECTIONS[0], _SECTIONS[1], _SECTIONS[3], _SECTIONS[4]])

QUESTION = "How do I reset the lobby kiosk, and what should I check afterwards?"

# The documents the server answers from (--docs): one short page, so the answer has a source.
DOCUMENT = """\
# Kiosk operations

## Resetting the kiosk

Tap the top-left corner five times and enter the maintenance PIN, then choose Restart browser. If the menu does not
appear, hold the power button for ten seconds. A full reset reinstalls the software from the recovery partition.

## After a reset

Check the start screen, search, the printer, touch and sound.
"""


def say(text):
    print(f"   {text}", file=sys.stderr, flush=True)


def standin_pieces(text):
    """The stand-in's tokens (tools/standin/StandIn/Tokenizer.swift): each word with the whitespace after it, words
    over 8 characters cut into 6-character pieces."""
    pieces, word, space = [], "", ""

    def flush():
        nonlocal word, space
        rest = word
        while len(rest) > 8:
            pieces.append(rest[:6])
            rest = rest[6:]
        if rest + space:
            pieces.append(rest + space)
        word, space = "", ""
    for character in text:
        if character.isspace():
            space += character
        else:
            if space:
                flush()
            word += character
    flush()
    return pieces


def fault(spec):
    return f" [standin:{spec}]"


def answer_fault(text):
    return "answer=" + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# MARK: Servers

async def start_standin(args, answer, rate, workdir):
    log = open(os.path.join(workdir, "standin.log"), "w+")
    standin = await Process.start([args.standin, "--tokens-per-second", str(rate), "--answer", answer], None, log,
                                  stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    port = json.loads(await asyncio.wait_for(standin.process.stdout.readline(), 30))["port"]
    return standin, port


def whole_completion(port):
    """A non-streamed completion from the stand-in: its text and its completion_tokens."""
    body = json.dumps({"model": "standin-chat", "messages": [{"role": "user", "content": "count"}]}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat/completions", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        reply = json.load(response)
    return reply["choices"][0]["message"]["content"], reply["usage"]["completion_tokens"]


async def start_quarry(args, llm_port, workdir):
    docs = os.path.join(workdir, "docs")
    os.makedirs(docs, exist_ok=True)
    with open(os.path.join(docs, "kiosk.md"), "w") as f:
        f.write(DOCUMENT)
    for name in [name for name in os.environ if name.startswith("QUARRY_")]:
        del os.environ[name]
    os.environ.update(QUARRY_LLM_BASE_URL=f"http://127.0.0.1:{llm_port}/v1", QUARRY_LLM_MODEL="standin-chat")
    # Every tab of the benchmark comes from 127.0.0.1 and asks at once: the shares meant for one client among many
    # (per address, the model's requests a minute, the waiting line) are raised out of the way.
    os.environ.update(QUARRY_QUESTIONS_PER_MINUTE_PER_PEER="100000", QUARRY_ANSWERS_PER_PEER="10000",
                      QUARRY_WAITING_ANSWERS="10000", QUARRY_LLM_REQUESTS_PER_MINUTE="0",
                      QUARRY_MAX_CONNECTIONS_PER_PEER="100000", QUARRY_MAX_PENDING_HEADERS_PER_PEER="100000")
    port = free_port()
    log = open(os.path.join(workdir, "quarry.log"), "w+")
    server = await Process.start([args.quarry, "serve", "--host", "127.0.0.1", "--port", str(port),
                                  "--db", os.path.join(workdir, "quarry.db"), "--docs", docs], args.server_cpu, log)
    deadline = time.monotonic() + 30
    while True:
        try:
            if (await http_get(port, "/"))[0] == 200:
                return server, port
        except OSError:
            pass
        server.check_alive()
        if time.monotonic() > deadline:
            raise RuntimeError("quarry serve did not answer within 30 s" + server.log_tail())
        await asyncio.sleep(0.05)


async def http_get(port, path):
    """GET on a new connection: (status, headers with lower-cased names, body)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        return int(head[0].split()[1]), headers, body
    finally:
        writer.close()


# MARK: Sockets

class Subscriber:
    """A socket of the session that records every message it receives, with its envelopes."""

    offer = True   # offer permessage-deflate (--no-deflate: not)

    def __init__(self, name, socket):
        self.name, self.socket = name, socket
        self.messages = []           # (Message, [Envelope])
        self.error = None
        self.task = asyncio.ensure_future(self.read())

    @classmethod
    async def open(cls, name, port, cookie):
        return cls(name, await ChatSocket.open(port, cookie, offer=cls.offer))

    async def read(self):
        try:
            while True:
                message = await self.socket.receive(timeout=3600)
                self.messages.append((message, envelopes(message.payload)))
        except asyncio.CancelledError:
            raise
        except Exception as error:   # reported by whoever waits on this socket
            self.error = error

    async def send(self, **op):
        await self.socket.send_text(json.dumps(op))

    async def until(self, predicate, timeout, what, start=0):
        """Waits for a message at index ≥ start for which predicate(payload text) holds; returns its index."""
        deadline = time.monotonic() + timeout
        while True:
            for index in range(start, len(self.messages)):
                if predicate(self.messages[index][0].payload.decode()):
                    return index
            start = len(self.messages)
            if self.error:
                raise RuntimeError(f"{self.name}: {self.error}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name}: timed out after {timeout} s waiting for {what}")
            await asyncio.sleep(0.005)

    async def subscribe(self, stream, snapshot_of):
        """Subscribes and waits for the snapshot (an `update` of element `snapshot_of`); returns its index."""
        start = len(self.messages)
        await self.send(op="subscribe", stream=stream)
        return await self.until(lambda text: f'action="update" target="{snapshot_of}"' in text, 10,
                                f"the snapshot of {snapshot_of}", start)

    def close(self):
        self.task.cancel()
        self.socket.close()


def completed(answer):
    return lambda text: f'id="message-state-{answer}" data-message="{answer}" data-status="complete"' in text


async def socket_run(config, port, answer_text, server, standin):
    """The asker and a second subscriber follow one thread; a warm-up answer, then the measured one. Returns the
    figures of each subscriber, the final HTML from a fresh snapshot, and the server's CPU during the answer."""
    status, headers, body = await http_get(port, "/")
    cookie = headers["set-cookie"].split(";", 1)[0]
    session_stream = STREAM_NAME.search(body.decode()).group(1)
    asker = await Subscriber.open("asker", port, cookie)
    subscribers = [asker]
    try:
        if status != 200:
            raise RuntimeError(f"GET / answered {status}")
        await asker.subscribe(session_stream, "threads")
        # The warm-up question opens a thread (the asker is moved to it) and warms the server and the model client.
        start = len(asker.messages)
        await asker.send(op="ask", content="Where is the kiosk's maintenance PIN?"
                         + fault(answer_fault("It is inside the cabinet door.")))
        moved = await asker.until(lambda text: 'id="thread-source"' in text, 10, "the move to the new thread", start)
        moved_text = asker.messages[moved][0].payload.decode()
        thread, thread_stream = THREAD.search(moved_text).group(1), STREAM_NAME.search(moved_text).group(1)
        follower = await Subscriber.open("second subscriber", port, cookie)
        subscribers.append(follower)
        for subscriber in (asker, follower):
            await subscriber.subscribe(thread_stream, "messages")
        for subscriber in (asker, follower):
            await subscriber.until(lambda text: 'data-status="complete"' in text, 30, "the warm-up answer's end")
        extension = asker.socket.extension
        if (follower.socket.extension and follower.socket.extension.header) != (extension and extension.header):
            raise RuntimeError("the two sockets agreed to different extensions")

        # The measured answer.
        marks = {subscriber: len(subscriber.messages) for subscriber in subscribers}
        tokens = standin_pieces(answer_text)
        cpu_before, wall_before = process_cpu(server.pid), time.monotonic()
        ours_before, busy_before = process_cpu(standin.pid) + time.process_time(), cpu_busy()
        await asker.send(op="ask", content=QUESTION, thread=thread)
        placeholder = await follower.until(lambda text: 'data-role="assistant"' in text, 10, "the answer's placeholder",
                                           marks[follower])
        answer = STATE.search(follower.messages[placeholder][0].payload.decode()).group(1)
        timeout = len(tokens) / config["rate"] + 30
        ends = {}
        for subscriber in subscribers:
            ends[subscriber] = await subscriber.until(completed(answer), timeout, "the answer's end", marks[subscriber])
        cpu, wall = process_cpu(server.pid) - cpu_before, time.monotonic() - wall_before
        ours = process_cpu(standin.pid) + time.process_time() - ours_before
        others = max(0.0, (cpu_busy() - busy_before - cpu - ours) / wall)

        # A fresh subscriber's snapshot: the finished answer as any page now gets it.
        fresh = await Subscriber.open("fresh subscriber", port, cookie)
        subscribers.append(fresh)
        snapshot = await fresh.subscribe(thread_stream, "messages")
        final_html = content_html(fresh.messages[snapshot][0].payload, answer)
        if final_html is None:
            raise RuntimeError("the fresh snapshot has no content for the answer")
        complete = completed(answer)(fresh.messages[snapshot][0].payload.decode())

        results = []
        for subscriber in (asker, follower):
            received = subscriber.messages[marks[subscriber]:ends[subscriber] + 1]
            results.append(subscriber_figures(subscriber.name, received, answer))
        return dict(extension=extension, answer=answer, tokens=tokens, final_html=final_html,
                    complete=complete, subscribers=results, cpu=cpu, wall=wall, others=others)
    finally:
        for subscriber in subscribers:
            subscriber.close()


def subscriber_figures(name, received, answer):
    """One subscriber's messages of the answer: totals, the bytes by envelope kind, the text envelopes' bytes split
    into their HTML and their own markup, the blocks sent again whole (by element), and the text rebuilt."""
    content = Content(answer)
    by_kind = {what: [0, 0] for what in KINDS}
    resent = {}                 # element of a replaced block (or "whole text") → [envelopes, bytes of HTML]
    text_html = text_markup = text_messages = 0
    for message, items in received:
        carries_text = False
        for envelope in items:
            what = kind(envelope, answer)
            by_kind[what][0] += 1
            by_kind[what][1] += envelope.size
            if KINDS[what] == "text":
                carries_text = True
                content.apply(envelope)
                text_html += len(envelope.html.encode())
                text_markup += envelope.size - len(envelope.html.encode())
                if envelope.action != "append":
                    if envelope.action == "replace":
                        element = "<" + envelope.html[1:].split(">")[0].split(" ")[0] + ">"
                    elif envelope.selector == f"#message-content-{answer}":
                        element = "whole text"
                    else:
                        element = "content of an open element"
                    entry = resent.setdefault(element, [0, 0])
                    entry[0] += 1
                    entry[1] += len(envelope.html.encode())
        text_messages += carries_text
    return dict(name=name, payload=sum(len(m.payload) for m, _ in received), messages=len(received),
                frames=sum(m.frames for m, _ in received), wire=sum(m.wire for m, _ in received),
                text_messages=text_messages, by_kind=by_kind, text_html=text_html, text_markup=text_markup,
                resent=resent, rebuilt=content.html, received=[m for m, _ in received],
                payloads=[m.payload for m, _ in received])


# MARK: The seed, from the same tokens

async def seed_strategies(args, answer, tokens, extension, fragment):
    process = await asyncio.create_subprocess_exec(args.seed, stdin=asyncio.subprocess.PIPE,
                                                   stdout=asyncio.subprocess.PIPE)
    out, _ = await process.communicate(json.dumps({"id": answer, "tokens": tokens}).encode())
    if process.returncode != 0:
        raise RuntimeError(f"quarry-chat-seed failed with status {process.returncode}")
    seed = json.loads(out)
    strategies = {}
    for name, chosen in (("seed, every token", seed["streaming"]), ("seed, every 5 tokens", seed["streaming"][4::5])):
        pricer = WirePricer(extension, fragment=fragment)
        for message in chosen + [seed["final"]]:   # broadcast_completion: the same div without the cursor
            pricer.add(message)
        strategies[name] = pricer
    return strategies, seed["html"]


def priced(payloads, extension, **options):
    pricer = WirePricer(extension, **options)
    for payload in payloads:
        pricer.add(payload)
    return pricer


# MARK: The page in Chromium

TIMESTAMP = re.compile(r"\d{9,}")   # a token of the stand-in's `timestamps` fault

OBSERVER = """() => {
    window.benchFirsts = [];
    const seen = new Set();
    const messages = document.getElementById('messages');
    new MutationObserver(() => {
        const now = performance.timeOrigin + performance.now();
        const contents = messages.querySelectorAll('article[data-role="assistant"] > [id^="message-content-"]');
        const last = contents[contents.length - 1];
        if (!last) return;
        for (const match of last.textContent.matchAll(/\\d{9,}/g)) {
            if (!seen.has(match[0])) { seen.add(match[0]); window.benchFirsts.push([match[0], now, last.id]); }
        }
    }).observe(messages, {subtree: true, childList: true, characterData: true});
}"""


async def browser_clock(page):
    """Chromium's clock (performance.timeOrigin + now(), ms) − this process's CLOCK_REALTIME, in ns, from the
    sample with the shortest round trip; and that round trip."""
    best = None
    for _ in range(15):
        before = time.time_ns()
        browser = await page.evaluate("performance.timeOrigin + performance.now()")
        after = time.time_ns()
        sample = (after - before, browser * 1e6 - (before + after) / 2)
        best = min(best or sample, sample)
    return best[1], best[0]


async def browser_run(config, port):
    """Several questions asked in the page, each answered with `latency_tokens` tokens that carry the stand-in's
    write time; per token, the time from that write to its first appearance in the page's DOM, and to its arrival
    at a plain socket of the same session following the same thread (the server's share)."""
    from playwright.async_api import async_playwright
    watcher = None
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            context = await browser.new_context(bypass_csp=True)
            page = await context.new_page()
            await page.goto(f"http://127.0.0.1:{port}/")
            await page.wait_for_function("document.getElementById('connection-status').textContent === 'Connected'")
            box = page.locator("#composer-input")

            async def ask(question, done):
                await page.wait_for_function("!document.getElementById('composer-fields').disabled")
                await box.fill(question)
                await box.press("Enter")
                await page.wait_for_function(
                    f"document.querySelectorAll('#messages [data-status=\"complete\"]').length >= {done}",
                    timeout=30_000)

            # A first question opens the thread, so the measured ones stream into a page already following it.
            await ask("Where is the maintenance PIN?" + fault(answer_fault("Inside the cabinet door.")), 1)
            await page.evaluate(OBSERVER)
            cookie = "; ".join(f"{c['name']}={c['value']}" for c in await context.cookies())
            stream = await page.get_attribute("#thread-source", "signed-stream-name")
            watcher = await Subscriber.open("socket beside the page", port, cookie)
            await watcher.subscribe(stream, "messages")
            mono_offset = realtime_offset()
            clock, round_trip = await browser_clock(page)
            spec = "timestamps," + answer_fault("a " * config["latency_tokens"])
            for q in range(config["questions"]):
                await ask(f"How long does a reset take (question {q + 1})?" + fault(spec), q + 2)
            firsts = await page.evaluate("window.benchFirsts")
            clock_after, round_trip_after = await browser_clock(page)
            expected = config["questions"] * config["latency_tokens"]
        finally:
            await browser.close()
            if watcher:
                watcher.close()
    # Per answer (its content element), each token's write time (CLOCK_MONOTONIC) and first appearance in the page
    # (Chromium's clock, made CLOCK_REALTIME); CLOCK_MONOTONIC + mono_offset = CLOCK_REALTIME.
    answers = {}
    for written, seen, answer in firsts:
        answers.setdefault(answer, []).append((int(written), seen * 1e6 - clock))
    # The same tokens' arrival at the socket beside the page (both CLOCK_MONOTONIC).
    arrivals = {}
    for message, _ in watcher.messages:
        for written in TIMESTAMP.findall(message.payload.decode()):
            arrivals.setdefault(int(written), message.arrived - int(written))
    first_written = [min(written for written, _ in tokens) for tokens in answers.values()]
    return dict(latencies=sorted(seen - written - mono_offset
                                 for tokens in answers.values() for written, seen in tokens),
                # The first token of each answer: from its write to the answer's first change in the page.
                first=sorted(min(seen for _, seen in tokens) - min(written for written, _ in tokens) - mono_offset
                             for tokens in answers.values()),
                socket=sorted(arrivals.values()),
                socket_first=sorted(arrivals[w] for w in first_written if w in arrivals),
                expected=expected, received=len(firsts), round_trip=max(round_trip, round_trip_after),
                drift=clock_after - clock,
                questions=config["questions"])


# MARK: The run

async def measure(args, config, report, lines):
    answer_text = QUICK_ANSWER if args.quick else ANSWER
    tokens = standin_pieces(answer_text)
    if "".join(tokens) != answer_text:
        raise RuntimeError("the tokens do not add up to the answer")
    with tempfile.TemporaryDirectory(prefix="quarry-chat-bench-") as workdir:
        say(f"the stand-in streams a {len(tokens):,}-token answer at {config['rate']} tokens/s")
        standin, llm_port = await start_standin(args, answer_text, config["rate"], workdir)
        server = None
        try:
            text, completion_tokens = await asyncio.to_thread(whole_completion, llm_port)
            report.check("stand-in's answer and completion_tokens = the driver's tokens",
                         f"{completion_tokens:,} tokens", f"{len(tokens):,}",
                         text == answer_text and completion_tokens == len(tokens), "the stand-in cuts tokens otherwise")
            server, port = await start_quarry(args, llm_port, workdir)
            say("asking: the asker and a second subscriber follow the thread")
            run = await socket_run(config, port, answer_text, server, standin)
            # Idle baseline: the same server, sockets still open, for as long as the answer took.
            say(f"idle baseline for {run['wall']:.1f} s; meanwhile the seed's strategies from the same tokens")
            idle_start, idle_wall = process_cpu(server.pid), time.monotonic()
            run["fragment"] = fragment_size([m for s in run["subscribers"] for m in s["received"]])
            strategies, seed_html = await seed_strategies(args, run["answer"], run["tokens"], run["extension"],
                                                          run["fragment"])
            await asyncio.sleep(max(0.0, run["wall"] - (time.monotonic() - idle_wall)))
            idle = (process_cpu(server.pid) - idle_start) * run["wall"] / (time.monotonic() - idle_wall)
            browser = None
            try:
                import playwright.async_api  # noqa: F401
                missing = "" if os.path.exists("/usr/bin/chromium") else "no /usr/bin/chromium"
            except ImportError:
                missing = "Playwright is not installed"
            if missing:
                report.row("time to the page in Chromium", f"skipped: {missing}")
            else:
                say(f"Chromium: {config['questions']} questions of {config['latency_tokens']} timestamped tokens")
                browser = await browser_run(config, port)
        finally:
            if server:
                await server.stop()
            standin.process.stdin.close()
            await standin.stop(grace=5)
        if args.save:
            with open(args.save, "w") as f:
                for message in run["subscribers"][1]["received"]:
                    f.write(json.dumps(dict(payload=message.payload.decode(), wire=message.wire,
                                            frames=message.frames)) + "\n")
        results(args, run, strategies, seed_html, idle, browser, report, lines)


def kib(n):
    return f"{n:,} B"


def results(args, run, strategies, seed_html, idle, browser, report, lines):
    final = len(run["final_html"].encode())
    extension = run["extension"]
    pmd = extension.describe() if extension else "none (the server declined)"
    lines.append(f"Socket extension offered: {OFFER if Subscriber.offer else 'none (--no-deflate)'}")
    lines.append(f"Socket extension agreed:  {pmd}")
    lines.append(f"Answer: {len(run['tokens']):,} tokens; final answer HTML (content element of a fresh snapshot): "
                 f"{final:,} B")
    lines.append("")
    header = ("", "payload", "messages", "frames", "wire", "payload/final", "wire/final")
    table = [header]
    for s in run["subscribers"]:
        table.append((f"Quarry, {s['name']}", kib(s["payload"]), f"{s['messages']:,}", f"{s['frames']:,}",
                      kib(s["wire"]), f"{s['payload'] / final:.2f}×", f"{s['wire'] / final:.2f}×"))
    for name, pricer in strategies.items():
        table.append((name, kib(pricer.payload), f"{pricer.messages:,}", f"{pricer.frames:,}", kib(pricer.wire),
                      f"{pricer.payload / final:.1f}×", f"{pricer.wire / final:.1f}×"))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        lines.append("  ".join(row[0].ljust(widths[0]) if i == 0 else cell.rjust(widths[i])
                               for i, cell in enumerate(row)).rstrip())
    lines.append("(wire: every frame's header and payload as received; the seed's priced with the same "
                 + ("permessage-deflate)" if extension else "framing, uncompressed)"))
    lines.append("")
    follower = run["subscribers"][1]
    lines.append(f"Where Quarry's bytes go ({follower['name']}): envelopes, payload bytes")
    for what, (count, size) in follower["by_kind"].items():
        if count:
            lines.append(f"  {what:<40} {count:>5,}  {size:>9,} B")
    other = sum(size for what, (_, size) in follower["by_kind"].items() if KINDS[what] != "text")
    lines.append(f"  = the final HTML {final:,} B + HTML sent again {follower['text_html'] - final:,} B "
                 f"+ the text envelopes' own markup {follower['text_markup']:,} B + the rest {other:,} B")
    lines.append(f"  the text envelopes' markup: {follower['text_markup'] / max(follower['text_messages'], 1):.0f} B "
                 f"per message with text ({follower['text_messages']:,}); "
                 f"the HTML they carry: {follower['text_html'] / max(follower['text_messages'], 1):.0f} B per message")
    if follower["resent"]:
        lines.append("  blocks sent again whole: " + ", ".join(
            f"{element} {count}× {size:,} B" for element, (count, size) in
            sorted(follower["resent"].items(), key=lambda item: -item[1][1])))
    lines.append("")

    # Correctness: the streamed text rebuilt as the page's patcher would, against the fresh snapshot and the
    # renderer's own render of the whole answer.
    for s in run["subscribers"]:
        report.check(f"{s['name']}: streamed content = fresh snapshot", "equal" if s["rebuilt"] == run["final_html"]
                     else "DIFFERENT", "equal", s["rebuilt"] == run["final_html"],
                     f"the {s['name']}'s streamed content differs from the snapshot")
    report.check("answer completed (fresh snapshot's marker)", "complete" if run["complete"] else "not complete",
                 "complete", run["complete"], "the answer did not complete")
    report.check("fresh snapshot = the seed renderer's HTML of the same tokens", "equal" if seed_html == run[
        "final_html"] else "DIFFERENT", "equal", seed_html == run["final_html"],
        "Quarry's final HTML is not the render of the tokens streamed")

    # Targets.
    for s in run["subscribers"]:
        limit = final + ENVELOPE_ALLOWANCE * s["messages"]
        report.target(f"Quarry payload, {s['name']}", kib(s["payload"]),
                      f"≤ final + {ENVELOPE_ALLOWANCE} B × {s['messages']} updates = {limit:,} B",
                      s["payload"] <= limit)
    for s in run["subscribers"]:
        limit = WIRE_FACTOR * final
        if extension:
            report.target(f"Quarry on the wire, {s['name']}", f"{kib(s['wire'])} ({s['wire'] / final:.2f}×)",
                          f"≤ {WIRE_FACTOR} × final = {limit:,.0f} B", s["wire"] <= limit)
        else:
            report.row(f"Quarry on the wire, {s['name']}", f"{kib(s['wire'])} ({s['wire'] / final:.2f}×)",
                       f"not judged: no permessage-deflate agreed (target ≤ {WIRE_FACTOR} × final with it)")
    every5 = strategies["seed, every 5 tokens"]
    report.row("seed every 5 tokens: payload / final HTML", f"{every5.payload / final:.0f}×", "expected ~100×")
    report.row("seed every 5 tokens / Quarry (second subscriber)",
               f"payload {every5.payload / follower['payload']:.0f}×, wire {every5.wire / follower['wire']:.0f}×")

    # How faithful the seed's pricing is: Quarry's own messages priced the same way, against what was received.
    if extension:
        fragment = run["fragment"]
        check = priced(follower["payloads"], extension, fragment=fragment)
        report.row("pricing check: Quarry's messages priced as the seed's",
                   f"{kib(check.wire)}, {check.frames} frames",
                   f"received {kib(follower['wire'])}, {follower['frames']} frames (zlib level {SERVER_LEVEL}, "
                   f"memLevel {SERVER_MEM_LEVEL}, "
                   + ("one frame per message)" if fragment >= 1 << 20 else f"≤ {fragment} B per frame as received)"))
        kept = priced(follower["payloads"], extension, fragment=fragment, keeps_context=True)
        kept15 = priced(follower["payloads"], extension, fragment=fragment, keeps_context=True, window_bits=15)
        report.row("  what if: Quarry's messages, server context kept", kib(kept.wire),
                   f"{kept.wire / final:.2f}× final (window {extension.server_window_bits} bits); "
                   f"{kept15.wire / final:.2f}× with 15 bits")
    plain = priced(follower["payloads"], None)
    report.row("  what if: Quarry's messages uncompressed", kib(plain.wire), f"{plain.wire / final:.2f}× final")

    # CPU.
    tokens = len(run["tokens"])
    used = run["cpu"] - idle
    report.row("server CPU per streamed token", f"{used * 1e6 / tokens:.0f} µs",
               f"({run['cpu']:.2f} s during the answer's {run['wall']:.1f} s − {idle:.2f} s idle) "
               f"/ {tokens:,} tokens")
    report.row("CPU used by other processes (or stolen) during the answer", f"{run['others']:.2f} cores",
               "0 on a quiet machine")

    if browser:
        report.check("timestamped tokens seen in Chromium", f"{browser['received']} / {browser['expected']}",
                     "all", browser["received"] == browser["expected"], "tokens missing in the page")
        first, every = browser["first"], browser["latencies"]
        report.row(f"first token → first DOM change, p50 / p95 ({len(first)} answers)",
                   f"{percentile(first, 50) / 1e6:.1f} / {percentile(first, 95) / 1e6:.1f} ms")
        report.row(f"every token → its first appearance, p50 / p95 ({len(every)} tokens)",
                   f"{percentile(every, 50) / 1e6:.1f} / {percentile(every, 95) / 1e6:.1f} ms",
                   "includes waiting for the next update (every 100 ms)")
        first, every = browser["socket_first"], browser["socket"]
        report.row("  at a socket beside the page: first token, p50 / p95",
                   f"{percentile(first, 50) / 1e6:.1f} / {percentile(first, 95) / 1e6:.1f} ms", "the server's share")
        report.row("  at a socket beside the page: every token, p50 / p95",
                   f"{percentile(every, 50) / 1e6:.1f} / {percentile(every, 95) / 1e6:.1f} ms")
        report.row("  clock: Chromium vs this process", f"±{browser['round_trip'] / 2e6:.2f} ms",
                   f"drift over the questions {browser['drift'] / 1e6:+.2f} ms")


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarry", required=True, help="the quarry binary (release)")
    parser.add_argument("--standin", required=True, help="the quarry-standin binary")
    parser.add_argument("--seed", required=True, help="the quarry-chat-seed binary")
    parser.add_argument("--server-cpu", type=int, help="pin quarry serve to this CPU (taskset)")
    parser.add_argument("--quick", action="store_true", help="a short smoke run: correctness only")
    parser.add_argument("--no-deflate", action="store_true",
                        help="offer no permessage-deflate (as a client without it): the wire carries the payload")
    parser.add_argument("--save", metavar="FILE", help="also write the second subscriber's messages of the answer "
                        "to FILE (JSON lines: payload, wire bytes, frames), for a closer look")
    args = parser.parse_args()
    config = QUICK if args.quick else FULL
    Subscriber.offer = not args.no_deflate

    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    server_cpu = args.server_cpu if args.server_cpu is not None else "any"
    client_cpus = ",".join(map(str, sorted(os.sched_getaffinity(0))))
    print(f"Quarry chat streaming benchmark{' (quick)' if args.quick else ''}, {when}: {machine()}; "
          f"quarry on CPU {server_cpu}, stand-in, client and Chromium on CPU {client_cpus}")

    report, lines = Report(args.quick), []
    try:
        await measure(args, config, report, lines)
    except (RuntimeError, OSError, asyncio.TimeoutError, ValueError, KeyError) as error:
        report.failures.append(f"{type(error).__name__}: {error}")
    print()
    for line in lines:
        print(line)
    report.print()
    if report.failures:
        print(f"\nFAILED: {'; '.join(report.failures)}")
        return 1
    print("\nall correctness checks passed" + ("" if args.quick else "; byte targets as above, timing reported"))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
