"""The abuse benchmark: the attacks of issue 11 replayed one at a time against the release `quarry serve` on loopback,
each for a bounded time, and what a well-behaved person saw meanwhile: the page's load (GET /, the socket's
handshake, the session stream's snapshot) and the answer's start (ask → the first frame with the answer's text),
each beside the same figures measured just before the attack, with none. Run it through tools/bench/abuse.

Each attack connects from its own address, 127.0.N.2 (with --partial-peers, also from 127.0.0.11 on), the person
from 127.0.0.3, so per-address limits tell them apart as they would two machines. The server runs with its default limits, except
`--max-connections 200`. Measures rather than asserts: exits 0 unless the person fails outright (an error, a refusal
or no answer within a generous time)."""
import argparse
import asyncio
import base64
import collections
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_system import machine  # noqa: E402
from chat_socket import ChatSocket, masked_frame  # noqa: E402
from soak_bench import (NOTICE, Tab, TabError, db_rows, fault, say, start_quarry,  # noqa: E402
                        start_standin)

VICTIM = "127.0.0.3"


def attacker_address(index):
    """Each attack's own address (127.0.1.2, 127.0.2.2, …), so one attack's per-address counts (questions a
    minute) do not carry into the next."""
    return f"127.0.{index + 1}.2"
def answer_fault(text):
    return "answer=" + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# The stand-in's answer by default is attack (g)'s table (a question may hold only 4,000 characters, too few for it
# in a fault); every other question names its answer, a few sentences of Markdown.
ANSWER = ("The kiosk's screen **sleeps after ten minutes** without a touch. To wake it, touch it anywhere; the "
          "printer below it takes A4 paper from the drawer.\n\n- The PIN is kept by the front desk.\n- Restart "
          "with the switch behind the left panel.\n")


def asked(question, spec=None):
    """`question` answered with ANSWER (and the stand-in's other options in `spec`)."""
    return question + fault(answer_fault(ANSWER) + (f",{spec}" if spec else ""))


QUESTION = asked("When does the kiosk's screen sleep?")
LONG_QUESTION = asked(("Where is the maintenance PIN kept, and who at the front desk may hand it out? " * 36)[:2800])
MAX_CONNECTIONS = 200


class Outcome:
    """What the attacker got: counts by kind (accepted, refused, closed with a code, notices)."""

    def __init__(self):
        self.counts = collections.Counter()

    def add(self, what, n=1):
        self.counts[what] += n

    def tab(self, tab):
        """Counts a tab's notices and how its socket ended."""
        for text in tab.messages:
            for match in NOTICE.finditer(text):
                self.add(f"notice {match[1]}")
        if tab.closed_by_server:
            self.add(closed(tab.closed_by_server))

    def describe(self):
        return ", ".join(f"{what} ×{n}" for what, n in sorted(self.counts.items())) or "nothing"


def closed(reason):
    if isinstance(reason, asyncio.IncompleteReadError) or "bytes read on a total" in str(reason):
        return "closed (EOF, no close frame)"
    reason = str(reason)
    if "code" in reason:
        return "closed " + reason.rsplit("code", 1)[1].strip(" )")
    return "closed (" + (reason[:40] or "EOF") + ")"


async def victim(port, tab, question, timeout):
    """One page load and one answer by the person: (load ms, answer start ms, answer end ms)."""
    load = await tab.load(timeout)
    asked = time.monotonic()
    answer, start, index = await tab.ask(question, timeout, new_thread=True)
    await tab.until_complete(answer, timeout, index)
    return load * 1000, start * 1000, (time.monotonic() - asked) * 1000


# MARK: The attacks. Each runs until `stop` is set, counting into `outcome`; `ready` is set once it is in force.

async def snapshot_storm(ctx, stop, ready, outcome):
    owner = Tab("storm owner", ctx.port, ctx.attacker)
    await owner.load()
    answer, _, index = await owner.ask(QUESTION)
    await owner.until_complete(answer, 60, index)
    exchanges = ctx.args.storm_exchanges
    seed_thread(ctx.db, int(owner.thread), exchanges)
    outcome.add(f"thread of {exchanges + 1} exchanges")
    sockets = []
    for i in range(10):
        tab = Tab(f"storm {i}", ctx.port, ctx.attacker)
        tab.cookie, tab.session_stream, tab.thread_stream = owner.cookie, owner.session_stream, owner.thread_stream
        await tab.connect()
        sockets.append(tab)
    owner.close()

    async def storm(tab):
        # 4 messages a second: within the socket's 10 a second after its burst of 40.
        while not stop.is_set() and not tab.closed_by_server:
            try:
                started = time.monotonic()
                await tab.subscribe(tab.thread_stream, "messages", 30)
                outcome.add("snapshots")
                outcome.counts["snapshot ms (sum)"] += int((time.monotonic() - started) * 1000)
                await tab.send(op="unsubscribe", stream=tab.thread_stream)
                tab.messages.clear()
                await asyncio.sleep(0.5)
            except (TabError, OSError):
                break
    tasks = [asyncio.ensure_future(storm(tab)) for tab in sockets]
    ready.set()
    await stop.wait()
    for task in tasks:
        task.cancel()
    snapshots = outcome.counts.pop("snapshot ms (sum)", 0)
    if outcome.counts["snapshots"]:
        outcome.add(f"mean snapshot {snapshots // outcome.counts['snapshots']} ms", 1)
    for tab in sockets:
        outcome.tab(tab)
        tab.close()


def seed_thread(db, thread, count):
    """`count` ended exchanges written straight into the running server's database (WAL lets it)."""
    import sqlite3
    now = int(time.time())
    rows = []
    for i in range(1, count + 1):
        paragraph = f"Answer {i} says this about the kiosk, with **emphasis**, a `code span` and a [link](#{i}). " * 6
        rows.append((thread, "user", f"Question {i}?", "complete", now, now))
        rows.append((thread, "assistant", f"## Answer {i}\n\n{paragraph}\n\n- one\n- two\n\n{paragraph}", "complete",
                     now, now))
    connection = sqlite3.connect(db, timeout=10)
    try:
        connection.executemany("INSERT INTO messages (thread_id, role, content, status, created_at, updated_at) "
                               "VALUES (?, ?, ?, ?, ?, ?)", rows)
        connection.commit()
    finally:
        connection.close()


async def ask_flood(tab, stop, outcome, pause):
    """Asks in new threads every `pause` seconds until `stop`; counts moves (accepted) and notices (refused)."""
    while not stop.is_set() and not tab.closed_by_server:
        try:
            await tab.send(op="ask", content=asked("When does the kiosk's screen sleep?", "token-delay=0.05"))
        except OSError:
            break
        await asyncio.sleep(pause)


def count_asks(tab, outcome):
    for text in tab.messages:
        if 'id="thread-source"' in text:
            outcome.add("accepted")
    outcome.tab(tab)


async def fresh_sessions(ctx, stop, ready, outcome):
    tabs = [Tab(f"fresh {i}", ctx.port, ctx.attacker) for i in range(20)]
    for tab in tabs:
        try:
            await tab.load()
        except (TabError, OSError) as error:
            outcome.add(f"load refused ({str(error)[:40]})")
    live = [tab for tab in tabs if tab.socket]
    before = db_rows(ctx.db, "SELECT coalesce(max(id), 0) FROM messages")[0][0]
    tasks = [asyncio.ensure_future(ask_flood(tab, stop, outcome, 0.1)) for tab in live]
    ready.set()
    await stop.wait()
    for task in tasks:
        task.cancel()
    await asyncio.sleep(0.5)
    for tab in live:
        count_asks(tab, outcome)
        tab.close()
    stored = db_rows(ctx.db, "SELECT count(*) FROM messages WHERE role = 'assistant' AND id > ?", before)[0][0]
    outcome.add(f"answers stored (all sessions) {stored}", 1)


async def one_session_ten(ctx, stop, ready, outcome):
    tab = Tab("greedy", ctx.port, ctx.attacker)
    await tab.load()
    for _ in range(10):
        await tab.send(op="ask", content=asked("When does the kiosk's screen sleep?", "token-delay=0.2"))
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    ready.set()
    await stop.wait()
    count_asks(tab, outcome)
    tab.close()


async def slowloris(ctx, stop, ready, outcome):
    writers = []

    async def trickle(i):
        while not stop.is_set():
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", ctx.port, local_addr=(ctx.attacker, 0))
            except OSError as error:
                outcome.add(f"connect failed ({type(error).__name__})")
                await asyncio.sleep(1)
                continue
            outcome.add("connections opened")
            writers.append(writer)
            try:
                writer.write(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{ctx.port}\r\n".encode())
                while not stop.is_set():
                    writer.write(b"X")
                    await writer.drain()
                    try:
                        if await asyncio.wait_for(reader.read(1024), 1.0) == b"":
                            outcome.add("closed by the server")
                            break
                        outcome.add("answered")
                        break
                    except asyncio.TimeoutError:
                        pass
            except OSError:
                outcome.add("closed by the server (reset)")
            writer.close()
            await asyncio.sleep(1)   # then open another, as a slowloris keeps its 400
    tasks = [asyncio.ensure_future(trickle(i)) for i in range(400)]
    await asyncio.sleep(2)
    ready.set()
    await stop.wait()
    for task in tasks:
        task.cancel()
    for writer in writers:
        writer.close()


async def connection_cap(ctx, stop, ready, outcome):
    owner = Tab("hoarder", ctx.port, ctx.attacker)
    await owner.load()
    tabs = [owner]
    for i in range(MAX_CONNECTIONS):
        tab = Tab(f"hoard {i}", ctx.port, ctx.attacker)
        tab.cookie, tab.session_stream = owner.cookie, owner.session_stream
        try:
            await tab.connect(10)
            await tab.subscribe(tab.session_stream, "threads", 10)
            outcome.add("sockets held")
            tabs.append(tab)
        except (ConnectionError, OSError, TabError, asyncio.TimeoutError) as error:
            text = str(error)
            outcome.add("refused: " + (text.split("answered", 1)[1].strip(" '\"") if "answered" in text
                                       else closed(text)))
    ready.set()
    await stop.wait()
    for tab in tabs:
        if tab.closed_by_server:
            outcome.add(closed(tab.closed_by_server) + " later")
        tab.close()


async def partial_frames(ctx, stop, ready, outcome):
    """Sockets from `--partial-peers` addresses (one session each), each holding 60 KiB of a message (under the
    64 KiB a message may have) in masked frames without FIN, opened again whenever the server closes one."""
    # Valid UTF-8, as a question would be; --partial-garbage: random bytes (the server closes them with 1007).
    piece = os.urandom(15 * 1024) if ctx.args.partial_garbage else b"q" * (15 * 1024)
    peers = [ctx.attacker] + [f"127.0.0.{10 + i}" for i in range(1, ctx.args.partial_peers)]
    cookies = {}
    for address in peers:
        tab = Tab("partial", ctx.port, address)
        await tab.load()
        cookies[address] = tab.cookie
        tab.close()

    async def hold(address):
        while not stop.is_set():
            try:
                socket = await asyncio.wait_for(ChatSocket.open(ctx.port, cookies[address], offer=False,
                                                                local=address), 10)
            except (ConnectionError, OSError, asyncio.TimeoutError) as error:
                outcome.add("refused: " + (str(error).split("answered", 1)[1].strip(" '\"") if "answered" in
                                           str(error) else closed(error)))
                await asyncio.sleep(1)
                continue
            outcome.add("sockets opened")
            try:
                socket.writer.write(masked_frame(0x01, piece))          # text, no FIN
                for _ in range(3):
                    socket.writer.write(masked_frame(0x00, piece))      # continuation, no FIN
                await socket.writer.drain()
                outcome.add("KiB sent", 60)
                # Held under the 10 s a message may take, then dropped and begun again on a new socket.
                await asyncio.wait_for(socket.receive(), 8)
            except asyncio.TimeoutError:
                outcome.add("held 8 s")
            except (ConnectionError, OSError, asyncio.IncompleteReadError) as error:
                outcome.add(closed(error))
            socket.close()
            await asyncio.sleep(0.5)
    tasks = [asyncio.ensure_future(hold(address)) for address in peers for _ in range(60)]
    await asyncio.sleep(3)
    ready.set()
    await stop.wait()
    for task in tasks:
        task.cancel()


def wide_table(columns=1000):
    """About 6 KB of Markdown: a table with a 1,000-column header and one row."""
    header = "|" + "a|" * columns
    rule = "|" + "-|" * columns
    row = "|" + "x|" * columns
    return f"Here is the table.\n\n{header}\n{rule}\n{row}\n"


async def costly_render(ctx, stop, ready, outcome):
    table = wide_table()   # the stand-in's default answer
    outcome.add(f"answer of {len(table.encode()):,} bytes", 1)
    tabs = []
    for i in range(3):
        tab = Tab(f"table {i}", ctx.port, ctx.attacker)
        await tab.load()
        await tab.send(op="ask", content="Show me a table." + fault("token-delay=0.003"))
        tabs.append(tab)
    await asyncio.sleep(1)
    ready.set()
    await stop.wait()
    complete = db_rows(ctx.db, "SELECT status, count(*) FROM messages WHERE role = 'assistant' AND content LIKE "
                       "'Here is the table%' GROUP BY status")
    for status, n in complete:
        outcome.add(f"table answers {status}", n)
    for tab in tabs:
        count_asks(tab, outcome)
        tab.close()


async def big_cookie(ctx, stop, ready, outcome):
    ready.set()
    await stop.wait()


OTHER_COOKIES = "; ".join(f"app{i}_token={'z' * 90}" for i in range(60))   # about 6 KiB

ATTACKS = [
    ("a", "snapshot storm: 10 sockets re-subscribing a long thread", snapshot_storm),
    ("b", "20 fresh sessions from one address asking fast", fresh_sessions),
    ("c", "one session asks 10 questions", one_session_ten),
    ("d", "slowloris: 400 connections trickling headers", slowloris),
    ("e", f"one client opens sockets up to the cap ({MAX_CONNECTIONS})", connection_cap),
    ("f", "partial frames (60 sockets × 60 KiB an address)", partial_frames),
    ("g", "three 1,000-column table answers", costly_render),
    ("h", "6 KiB Cookie header (other apps' cookies + ours)", big_cookie),
]


class Context:
    def __init__(self, args, port, db):
        self.args, self.port, self.db = args, port, db


async def run_attack(ctx, letter, description, attack, rows, failures):
    args = ctx.args
    question = LONG_QUESTION if letter == "f" else QUESTION
    extra = OTHER_COOKIES if letter == "h" else ""
    tab = Tab(f"person ({letter})", ctx.port, VICTIM, cookie_extra=extra)
    outcome, stop, ready = Outcome(), asyncio.Event(), asyncio.Event()
    say(f"({letter}) {description}")
    baseline = attacked = None
    task = None
    try:
        await quiet(ctx)
        await tab.load(args.victim_timeout)     # a first visit: the session is minted
        baseline = await victim(ctx.port, tab, question, args.victim_timeout)
        task = asyncio.ensure_future(attack(ctx, stop, ready, outcome))
        await asyncio.wait([task, asyncio.ensure_future(ready.wait())], return_when=asyncio.FIRST_COMPLETED,
                           timeout=120)
        if task.done():
            task.result()    # the attack failed to start: its error
        started = time.monotonic()
        attacked = await victim(ctx.port, tab, question, args.victim_timeout)
        await asyncio.sleep(max(0.0, args.seconds - (time.monotonic() - started)))
    except (TabError, OSError, ConnectionError, asyncio.TimeoutError) as error:
        failures.append(f"({letter}) the person failed: {error}")
        say(f"({letter}) the person failed: {error}")
    finally:
        stop.set()
        if task:
            try:
                await asyncio.wait_for(task, 30)
            except Exception as error:
                outcome.add(f"attack error: {str(error)[:80]}")
        tab.close()
    if letter == "h" and attacked:
        outcome.add("session kept across loads, question answered", 1)
    rows.append((letter, description, baseline, attacked, outcome.describe()))
    await asyncio.sleep(args.pause)


async def quiet(ctx, timeout=180):
    """Waits until no answer streams (the previous attack's answers have ended), so the baseline is quiet."""
    deadline = time.monotonic() + timeout
    while db_rows(ctx.db, "SELECT count(*) FROM messages WHERE status = 'streaming'")[0][0]:
        if time.monotonic() > deadline:
            say(f"answers still streaming after {timeout} s; measuring anyway")
            return
        await asyncio.sleep(0.25)


def figure(pair, index):
    base, attacked = pair
    left = f"{base[index]:.0f}" if base else "—"
    right = f"{attacked[index]:.0f}" if attacked else "FAILED"
    return f"{left} / {right}"


def quiet_exceptions(loop, context):
    """Attack tasks cancelled mid-handshake leave exceptions nobody reads; they are counted, not printed."""
    if "exception" not in context or not isinstance(context["exception"], (ConnectionError, OSError)):
        loop.default_exception_handler(context)


async def abuse(args):
    asyncio.get_running_loop().set_exception_handler(quiet_exceptions)
    workdir = tempfile.mkdtemp(prefix="quarry-abuse-")
    standin, llm_port = await start_standin(args.standin, workdir, answer=wide_table())
    server, port, db = await start_quarry(args.quarry, llm_port, workdir, {}, args.server_cpu,
                                          ["--max-connections", str(MAX_CONNECTIONS)])
    ctx = Context(args, port, db)
    rows, failures = [], []
    chosen = [attack for attack in ATTACKS if attack[0] in args.only]
    try:
        for letter, description, attack in chosen:
            server.check_alive()
            ctx.attacker = attacker_address("abcdefgh".index(letter))
            await run_attack(ctx, letter, description, attack, rows, failures)
    finally:
        await server.stop()
        standin.process.stdin.close()
        await standin.stop(grace=5)
    print(f"Abuse benchmark: {machine()}; default limits, --max-connections {MAX_CONNECTIONS}; each attack "
          f"{args.seconds:g} s; attackers from 127.0.N.2 (one address an attack), the person from {VICTIM}")
    print(f"{'attack':<58} {'page load ms':>18} {'answer start ms':>18} {'answer end ms':>18}")
    print(f"{'':<58} {'(none / attack)':>18} {'(none / attack)':>18} {'(none / attack)':>18}")
    for letter, description, base, attacked, got in rows:
        pair = (base, attacked)
        print(f"({letter}) {description:<54} {figure(pair, 0):>18} {figure(pair, 1):>18} {figure(pair, 2):>18}")
        print(f"      attacker got: {got}")
    for line in failures:
        print(f"FAIL: {line}")
    print(f"Workdir (database and logs): {workdir}")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quarry", required=True)
    parser.add_argument("--standin", required=True)
    parser.add_argument("--server-cpu", type=int, help="pin quarry serve to this CPU (taskset)")
    parser.add_argument("--quick", action="store_true", help="each attack briefly")
    parser.add_argument("--seconds", type=float, default=20, help="each attack's length (--quick: 5)")
    parser.add_argument("--only", default="abcdefgh", help="the attacks to run, by letter")
    parser.add_argument("--storm-exchanges", type=int, default=400)
    parser.add_argument("--partial-peers", type=int, default=1, help="addresses the partial-frame attack uses "
                        "(60 sockets each; more than 3 reach --max-connections)")
    parser.add_argument("--partial-garbage", action="store_true", help="partial frames of random bytes")
    parser.add_argument("--victim-timeout", type=float, default=60, help="seconds the person waits for each step")
    parser.add_argument("--pause", type=float, default=3, help="seconds between attacks")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.pause = 5, 1
    sys.exit(asyncio.run(abuse(args)))


if __name__ == "__main__":
    main()
