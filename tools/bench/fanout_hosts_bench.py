#!/usr/bin/env python3
"""Fan-out across hosts: two `quarry serve` hosts on one PostgreSQL database and one Redis (docs/many-hosts.md),
1,000 sockets of one session following one thread, and one answer streamed on host A. Run it through
tools/bench/fanout-hosts, which builds the binaries.

Three placements of the same 1,000 subscribers, in one invocation: all on one host on PostgreSQL without Redis (what
Redis costs), all on host A (the baseline: every frame goes through Redis and back, but reaches sockets of one
host), then half on A and half on B. The answer's tokens are the
stand-in's `timestamps` (each token's text is CLOCK_MONOTONIC in ns when the stand-in wrote it; Python's
monotonic_ns reads the same clock), so each subscriber gives one latency per token: from the token leaving the
model to its first arrival at that socket. It includes the model client and the page's update interval (the
server sends the text so far about every 100 ms), the same for both placements; what differs between them is
Redis's relay to the second host. Also the spread: for each envelope, its arrival at a socket minus its first
arrival at any socket of the run.

Correctness (fails the run): every subscriber gets its snapshot, the answer to its end, and exactly the same
envelopes after its snapshot as every other subscriber, on either host.

Then answers a second: `questions` sessions ask at once (new threads, the stand-in as fast as it goes), all on A,
then split between A and B; from the first ask to the last answer's end.
"""
import argparse
import asyncio
import base64
import datetime
import os
import re
import resource
import sys
import tempfile
import time
from time import monotonic_ns

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "Tests", "e2e"))
from picows import WSListener, WSMsgType, ws_connect  # noqa: E402

from bench_report import percentile  # noqa: E402
from bench_support import connect_all, subscribe_message, until_serving  # noqa: E402
from bench_system import Process, free_port, machine, wait_until  # noqa: E402
from postgres_support import Postgres, binaries  # noqa: E402
from redis_support import Redis, installed  # noqa: E402
from soak_bench import GENEROUS, Tab, TabError, fault, start_standin  # noqa: E402

FULL = dict(subscribers=1_000, tokens=200, token_delay=0.02, questions=40)
QUICK = dict(subscribers=100, tokens=40, token_delay=0.02, questions=6)
SNAPSHOT = b'<turbo-stream action="update" target="messages">'
ENVELOPE = re.compile(rb"<turbo-stream\b.*?</turbo-stream>", re.S)
STAMP = re.compile(rb"\b(\d{6,})\b")
TEXT, CONTINUATION, CLOSE = WSMsgType.TEXT, WSMsgType.CONTINUATION, WSMsgType.CLOSE


def say(text):
    print(f"   {text}", file=sys.stderr, flush=True)


class Follower(WSListener):
    """One socket following the thread: every message after its snapshot, with its arrival time."""

    def __init__(self, stream, host, answer_marker):
        super().__init__()
        self.subscribe, self.host, self.marker = subscribe_message(stream), host, answer_marker
        self.transport, self.partial = None, []
        self.snapshot = self.complete = self.closed = self.closing = False
        self.messages = []   # (arrival ns, payload) after the snapshot

    def on_ws_connected(self, transport):
        self.transport = transport
        transport.send(TEXT, self.subscribe)

    def on_ws_disconnected(self, transport):
        self.closed = True

    def disconnect(self):
        self.closing = True
        if self.transport is not None and not self.closed:
            self.transport.disconnect(graceful=False)

    def on_ws_frame(self, transport, frame):
        now = monotonic_ns()
        kind = frame.msg_type
        if kind is CLOSE:
            transport.send_close(frame.get_close_code())
            transport.disconnect()
            return
        if kind is not TEXT and kind is not CONTINUATION:
            return
        self.partial.append(frame.get_payload_as_bytes())
        if not frame.fin:
            return
        payload = b"".join(self.partial)
        self.partial = []
        if not self.snapshot:
            self.snapshot = payload.startswith(SNAPSHOT)
            return
        self.messages.append((now, payload))
        if self.marker[0] and self.marker[0] in payload:
            self.complete = True


def follower(port, cookie, stream, host, marker):
    async def open_():
        _, client = await ws_connect(lambda: Follower(stream, host, marker), f"ws://127.0.0.1:{port}/socket",
                                     extra_headers={"Cookie": cookie}, read_buffer_init_size=4096,
                                     websocket_handshake_timeout=30)
        return client
    return open_


async def start_host(args, name, db, redis_url, llm_port, workdir, docs):
    """`quarry serve` as host `name` on the database `db` and Redis (none: without), once /healthz answers."""
    for key in [key for key in os.environ if key.startswith("QUARRY_")]:
        del os.environ[key]
    os.environ.update(QUARRY_LLM_BASE_URL=f"http://127.0.0.1:{llm_port}/v1", QUARRY_LLM_MODEL="standin-chat",
                      QUARRY_DOCS_RESCAN="3600", QUARRY_HOST_NAME=name, no_proxy="127.0.0.1,localhost",
                      NO_PROXY="127.0.0.1,localhost", **GENEROUS)
    if redis_url:
        os.environ["QUARRY_REDIS"] = redis_url
    os.environ.pop("OPENAI_API_KEY", None)
    port = free_port()
    log = open(os.path.join(workdir, f"quarry-{name}.log"), "w+")
    server = await Process.start([args.quarry, "serve", "--host", "127.0.0.1", "--port", str(port), "--db", db,
                                  "--docs", docs], args.server_cpu, log)
    await until_serving(server, port, f"host {name}")
    return server, port


async def fan_out(config, hosts, split):
    """One answer on host A followed by `subscribers` sockets, all on A or (split) half on each host."""
    n = config["subscribers"]
    (_, port_a), (_, port_b) = hosts
    asker = Tab("asker", port_a)
    await asker.load()
    answer, _, start = await asker.ask("Warm-up: where is the kiosk's printer?" + fault("token-delay=0"),
                                       new_thread=True)
    await asker.until_complete(answer, start=start)
    marker = [None]
    say(f"{n:,} subscribers {'split between A and B' if split else 'all on A'}")
    placed = [(port_b, "B") if split and i % 2 else (port_a, "A") for i in range(n)]
    sockets, refused = await connect_all([follower(port, asker.cookie, asker.thread_stream, host, marker)
                                          for port, host in placed])
    try:
        if refused:
            raise RuntimeError(f"{len(refused)} of {n} subscribers were refused: {refused[0]!r}")
        await wait_until(lambda: all(s.snapshot or s.closed for s in sockets), 60, "every subscriber's snapshot")
        words = base64.urlsafe_b64encode(("word " * config["tokens"]).encode()).decode()
        start = len(asker.messages)
        await asker.send(op="ask", thread=asker.thread, content="Where is the kiosk's printer?" +
                         fault(f"timestamps,token-delay={config['token_delay']},answer={words}"))
        answer = await asker.until(lambda text: 'data-role="assistant"' in text, 30, "the placeholder", start)
        answer = max(int(m) for m in re.findall(r'id="message-state-(\d+)"', asker.messages[answer]))
        marker[0] = f'id="message-state-{answer}" data-message="{answer}" data-status="complete"'.encode()
        # A socket may have got the end before the marker was known.
        for s in sockets:
            s.complete = s.complete or any(marker[0] in payload for _, payload in s.messages)
        await wait_until(lambda: all(s.complete or s.closed for s in sockets), 60 + config["tokens"],
                         "the answer's end at every subscriber")
        return measure(sockets, answer)
    finally:
        for s in sockets:
            s.disconnect()
        asker.close()


def measure(sockets, answer):
    """Latencies per host, the spread, and the correctness checks of one fan-out run."""
    content = re.compile(rb'<turbo-stream [^>]*targets?="#?message-content-%d(?![0-9])' % answer)
    reference, first = None, []
    latencies, mismatched, closed, incomplete = {"A": [], "B": []}, 0, 0, 0
    timed = []
    for s in sockets:
        closed += s.closed and not s.closing
        incomplete += not s.complete
        envelopes = [(at, e) for at, payload in s.messages for e in ENVELOPE.findall(payload)]
        sequence = [e for _, e in envelopes]
        if reference is None:
            reference, first = sequence, [at for at, _ in envelopes]
        elif sequence != reference:
            mismatched += 1
            continue
        for i, (at, _) in enumerate(envelopes):
            first[i] = min(first[i], at)
        timed.append((s.host, envelopes))
        seen = set()
        for at, envelope in envelopes:
            if content.match(envelope):
                for stamp in STAMP.findall(envelope):
                    if stamp not in seen:
                        seen.add(stamp)
                        latencies[s.host].append(at - int(stamp))
    spread = {"A": [], "B": []}
    for host, envelopes in timed:
        for i, (at, _) in enumerate(envelopes):
            spread[host].append(at - first[i])
    return dict(latencies={k: sorted(v) for k, v in latencies.items()}, spread={k: sorted(v) for k, v in spread.items()},
                envelopes=len(reference or []), mismatched=mismatched, closed=closed, incomplete=incomplete,
                subscribers=len(sockets))


async def answers_per_second(config, hosts, split):
    """`questions` sessions ask at once, all on A or alternating between A and B; answers a second."""
    m = config["questions"]
    (_, port_a), (_, port_b) = hosts
    tabs = [Tab(f"tab-{i}", port_b if split and i % 2 else port_a) for i in range(m)]
    await asyncio.gather(*(tab.load() for tab in tabs))
    say(f"{m} questions at once {'split between A and B' if split else 'all on A'}")
    started = time.monotonic()

    async def one(tab):
        answer, _, start = await tab.ask("Where is the kiosk's printer?" + fault("token-delay=0"), timeout=120,
                                         new_thread=True)
        await tab.until_complete(answer, timeout=120, start=start)
    try:
        await asyncio.gather(*(one(tab) for tab in tabs))
        return m / (time.monotonic() - started)
    finally:
        for tab in tabs:
            tab.close()


def ms(ns):
    return f"{ns / 1e6:.1f}"


def print_fan_out(name, result):
    print(f"\n{name}: {result['subscribers']:,} subscribers, {result['envelopes']} envelopes after the snapshot")
    print(f"  {'sockets on':<12} {'token → socket p50 / p99 (ms)':>32} {'spread p50 / p99 (ms)':>24} {'samples':>9}")
    for host in ("A", "B"):
        lat, spread = result["latencies"][host], result["spread"][host]
        if lat:
            print(f"  {'host ' + host:<12} {ms(percentile(lat, 50)) + ' / ' + ms(percentile(lat, 99)):>32} "
                  f"{ms(percentile(spread, 50)) + ' / ' + ms(percentile(spread, 99)):>24} {len(lat):>9,}")


def problems(name, result):
    found = []
    for key, what in (("mismatched", "got other envelopes than the rest"), ("closed", "were closed by the server"),
                      ("incomplete", "did not see the answer end")):
        if result[key]:
            found.append(f"{name}: {result[key]} subscribers {what}")
    if not result["envelopes"]:
        found.append(f"{name}: no envelopes after the snapshot")
    return found


async def run(args, config, workdir, postgres, redis):
    docs = os.path.join(workdir, "docs")
    os.makedirs(docs, exist_ok=True)
    with open(os.path.join(docs, "kiosk.md"), "w") as f:
        f.write("# The kiosk\n\nThe kiosk's printer takes A4 paper from the drawer below the screen.\n")
    standin, llm_port = await start_standin(args.standin, workdir, rate=0)
    hosts = []
    try:
        solo = await start_host(args, "solo", postgres.create_database(), None, llm_port, workdir, docs)
        try:
            alone_no_redis = await fan_out(config, [solo, solo], split=False)
        finally:
            await solo[0].stop()
        db = postgres.create_database()
        hosts.append(await start_host(args, "host-a", db, redis.url, llm_port, workdir, docs))
        hosts.append(await start_host(args, "host-b", db, redis.url, llm_port, workdir, docs))
        one = await fan_out(config, hosts, split=False)
        two = await fan_out(config, hosts, split=True)
        alone = await answers_per_second(config, hosts, split=False)
        both = await answers_per_second(config, hosts, split=True)
        for server, _ in hosts:
            server.check_alive()
        return alone_no_redis, one, two, alone, both
    finally:
        for server, _ in hosts:
            await server.stop()
        standin.process.stdin.close()
        await standin.stop(grace=5)


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarry", required=True, help="the quarry binary (release)")
    parser.add_argument("--standin", required=True, help="the quarry-standin binary")
    parser.add_argument("--server-cpu", type=int, help="pin the hosts to this CPU (taskset)")
    parser.add_argument("--quick", action="store_true", help="a small run (100 subscribers): correctness only")
    args = parser.parse_args()
    config = QUICK if args.quick else FULL
    if binaries() is None or not installed():
        print("PostgreSQL's server binaries and redis-server are needed (tools/test installs them).", file=sys.stderr)
        return 1
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < config["subscribers"] + 200:
        print(f"The open-file limit is {hard}; this run needs {config['subscribers'] + 200}.", file=sys.stderr)
        return 1
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Quarry fan-out across hosts{' (quick)' if args.quick else ''}, {when}: {machine()}; hosts on CPU "
          f"{args.server_cpu if args.server_cpu is not None else 'any'}; PostgreSQL and Redis on loopback")
    failures = []
    postgres, redis = Postgres(), Redis()
    try:
        with tempfile.TemporaryDirectory(prefix="quarry-bench-") as workdir:
            solo, one, two, alone, both = await run(args, config, workdir, postgres, redis)
    except (RuntimeError, OSError, asyncio.TimeoutError, TabError) as error:
        print(f"\nFAILED: {error}")
        return 1
    finally:
        postgres.stop()
        redis.remove()
    print_fan_out("One host without Redis (PostgreSQL only)", solo)
    print_fan_out("All on host A, through Redis (the baseline)", one)
    print_fan_out("Half on A, half on B", two)
    print(f"\nanswers a second, {config['questions']} questions at once (both hosts share the hosts' CPUs): "
          f"all on A {alone:.1f}, split between A and B {both:.1f}")
    failures += problems("without Redis", solo) + problems("all on A", one) + problems("split", two)
    if failures:
        print(f"\nFAILED: {'; '.join(failures)}")
        return 1
    print("\nall correctness checks passed (every subscriber on either host got the same envelopes to the end)")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
