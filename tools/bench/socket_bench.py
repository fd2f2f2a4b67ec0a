#!/usr/bin/env python3
"""Socket benchmark for Quarry: memory of `quarry serve` (idle, and per idle subscribed socket) and fan-out
latency of one stream to many subscribers through the real Hub (the `quarry-socket-bench` server).

Run it through tools/bench/socket, which builds both binaries and pins the servers and this client to different
CPUs. Prints a table with each figure beside its target; exits non-zero on message loss, refused or dropped
sockets, or any failure. Timing and memory targets are reported, not enforced: the machine may be shared.
"""
import argparse
import asyncio
import datetime
import gc
import json
import os
import resource
import sys
import tempfile
import time

from bench_deflate import deflate_client
from bench_report import SOCKETS_HELD, Report
from bench_support import Tally, connect_all, fetch_pages, picows_client, subscribe_message, until_serving
from bench_system import Process, cpu_busy, free_port, machine, mapped_files, memory, process_cpu, wait_until
from timestamp_probe import Probe, realtime_offset

# `probes`: how many of the fan-out's subscribers read kernel receive timestamps (timestamp_probe.py).
# A message every 25 ms keeps the client below one core (1,000 subscribers × 40/s × ~12 µs ≈ 50 %) and each
# message is read by every subscriber before the next one is published.
FULL = dict(socket_counts=[1_000, 5_000, 10_000], subscribers=1_000, probes=100, messages=200, interval_ms=25,
            idle_s=2.0)
QUICK = dict(socket_counts=[100], subscribers=100, probes=10, messages=20, interval_ms=20, idle_s=0.5)
SIZES = [512, 4096]


def say(text):
    print(f"   {text}", file=sys.stderr, flush=True)


async def start_quarry(args, workdir):
    """`quarry serve` on a free port with a fresh database, once /healthz answers."""
    port = free_port()
    log = open(os.path.join(workdir, f"quarry-{port}.log"), "w+")
    database = os.path.join(workdir, f"quarry-{port}.db")
    # Every tab of the benchmark comes from 127.0.0.1: the per-address shares, meant for one client among many,
    # are raised to the whole server's.
    os.environ.update(QUARRY_MAX_CONNECTIONS_PER_PEER="100000", QUARRY_MAX_PENDING_HEADERS_PER_PEER="100000")
    server = await Process.start([args.quarry, "serve", "--host", "127.0.0.1", "--port", str(port), "--db", database],
                                 args.server_cpu, log)
    await until_serving(server, port)
    return server, port


async def idle_rss(args, config, workdir):
    """RSS of `quarry serve` idle, what it maps, and RSS again after one page view (the first visitor's session and
    signed stream bring in what signing needs)."""
    say("idle RSS of quarry serve")
    server, port = await start_quarry(args, workdir)
    try:
        await asyncio.sleep(config["idle_s"])
        idle, files = memory(server.pid), mapped_files(server.pid)
        await fetch_pages(port, 1, workers=1)
        await asyncio.sleep(config["idle_s"])
        return idle, files, memory(server.pid)
    finally:
        await server.stop()


async def idle_sockets(args, config, workdir, count):
    """Opens `count` sockets to `quarry serve`, each with its own page (session and signed stream) as browser tabs
    would, subscribes each and confirms it was processed; (RSS after − RSS before) / count."""
    say(f"{count:,} idle subscribed sockets against quarry serve")
    server, port = await start_quarry(args, workdir)
    tally = Tally()
    clients = []
    try:
        pages = await fetch_pages(port, count)
        await asyncio.sleep(config["idle_s"])
        before = memory(server.pid)
        opener = deflate_client if args.deflate else picows_client
        clients, refused = await connect_all([opener(port, tally, cookie, stream, confirm_by_ping=True)
                                              for cookie, stream in pages])
        await wait_until(lambda: tally.ready + tally.closed + tally.errors >= len(clients), 60,
                         "every subscribe to be processed", server)
        await asyncio.sleep(config["idle_s"])
        after = memory(server.pid)
        held = sum(1 for client in clients if client.ready and not client.closed)
        agreed = sum(1 for client in clients if getattr(client, "agreed", None))
        return dict(count=count, agreed=agreed, refused=len(refused), refusal=repr(refused[0]) if refused else "",
                    held=held, errors=tally.errors, per_socket=(after["VmRSS"] - before["VmRSS"]) * 1024 / count,
                    per_socket_anon=(after["RssAnon"] - before["RssAnon"]) * 1024 / count,
                    before=before["VmRSS"], after=after["VmRSS"])
    finally:
        for client in clients:
            client.disconnect()
        await server.stop()


async def fan_out(args, config, workdir):
    """Subscribes n sockets to the bench stream, then has the bench server publish to it, once per size."""
    n, messages, interval = config["subscribers"], config["messages"], config["interval_ms"]
    say(f"fan-out to {n:,} subscribers")
    log = open(os.path.join(workdir, "quarry-socket-bench.log"), "w+")
    server = await Process.start([args.bench_server], args.server_cpu, log,
                                 stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    tally = Tally()
    subscribers = []
    try:
        hello = json.loads(await asyncio.wait_for(server.process.stdout.readline(), 30))
        port, stream, offset = hello["port"], hello["stream"], realtime_offset()
        # The server writes to its sockets in the order it accepted them: spread the probes evenly among them.
        every = n // config["probes"]
        subscribers, refused = await connect_all([
            (lambda: Probe(tally, subscribe_message(stream), offset).open(port)) if i % every == every - 1
            else (deflate_client if args.deflate else picows_client)(port, tally, None, stream, confirm_by_ping=False)
            for i in range(n)])
        if refused:
            raise RuntimeError(f"{len(refused)} of {n} subscribers were refused: {refused[0]!r}")
        await wait_until(lambda: tally.ready >= n, 60, "every subscriber's snapshot", server)
        results, first = [], 0
        for size in SIZES:
            say(f"publishing {messages} envelopes of {size} B, one every {interval} ms")
            run = tally.start_run(first, messages, size, subscribers)
            gc.collect()
            gc.disable()   # no collector pause inside the measurement
            wall, busy = time.monotonic(), cpu_busy()
            client_cpu, server_cpu = time.process_time(), process_cpu(server.pid)
            server.process.stdin.write(f"publish {messages} {size} {interval}\n".encode())
            await server.process.stdin.drain()
            reply = (await asyncio.wait_for(server.process.stdout.readline(), 120)).decode().strip()
            if reply != "done":
                raise RuntimeError(f"the bench server answered {reply!r} to publish")
            try:
                await wait_until(lambda: run.received >= messages * n or tally.closed, 10, "every delivery")
            except RuntimeError:
                pass   # reported as loss
            client_cpu, server_cpu = time.process_time() - client_cpu, process_cpu(server.pid) - server_cpu
            wall = time.monotonic() - wall
            others = (cpu_busy() - busy - client_cpu - server_cpu) / wall
            gc.enable()
            deliveries = max(run.received, 1)
            results.append(dict(size=size, run=run, expected=messages * n, subscribers=n, probes=config["probes"],
                                client_us=client_cpu * 1e6 / deliveries, server_us=server_cpu * 1e6 / deliveries,
                                client_load=client_cpu / wall, others=max(0.0, others), closed=tally.closed,
                                errors=tally.errors))
            first += messages
        return results
    finally:
        for subscriber in subscribers:
            subscriber.disconnect()
        if server.process.returncode is None:
            server.process.stdin.write(b"quit\n")
        await server.stop(grace=5)


async def measure(args, config, report):
    with tempfile.TemporaryDirectory(prefix="quarry-bench-") as workdir:
        report.idle(*await idle_rss(args, config, workdir))
        held = 0
        for count in config["socket_counts"]:
            result = await idle_sockets(args, config, workdir, count)
            report.sockets(result)
            if args.deflate:
                report.check("  of which agreed to permessage-deflate", f"{result['agreed']:,}", f"{count:,}",
                             result["agreed"] == count, f"permessage-deflate not agreed by all at {count:,}")
            held = max(held, result["held"])
        if not args.quick:
            report.target("most sockets held at once", f"{held:,}", f"≥ {SOCKETS_HELD:,}", held >= SOCKETS_HELD)
        for result in await fan_out(args, config, workdir):
            report.fan_out(result)


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarry", required=True, help="the quarry binary (release)")
    parser.add_argument("--bench-server", required=True, help="the quarry-socket-bench binary (release)")
    parser.add_argument("--server-cpu", type=int, help="pin the servers to this CPU (taskset)")
    parser.add_argument("--quick", action="store_true", help="a small smoke run: correctness only")
    parser.add_argument("--deflate", action="store_true",
                        help="sockets offer permessage-deflate as Chromium does (the fan-out's probes do not)")
    args = parser.parse_args()
    config = QUICK if args.quick else FULL

    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    needed = max(config["socket_counts"] + [config["subscribers"]]) + 100
    if hard < needed:
        print(f"The open-file limit is {hard}; this run needs {needed} (raise ulimit -n).", file=sys.stderr)
        return 1

    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    server_cpu = args.server_cpu if args.server_cpu is not None else "any"
    client_cpus = ",".join(map(str, sorted(os.sched_getaffinity(0))))
    print(f"Quarry socket benchmark{' (quick)' if args.quick else ''}{' (permessage-deflate)' if args.deflate else ''}, "
          f"{when}: {machine()}; "
          f"servers on CPU {server_cpu}, client on CPU {client_cpus}")

    report = Report(args.quick)
    try:
        await measure(args, config, report)
    except (RuntimeError, OSError, asyncio.TimeoutError, ValueError) as error:
        report.failures.append(str(error))
    print()
    report.print()
    if report.failures:
        print(f"\nFAILED: {'; '.join(report.failures)}")
        return 1
    print("\nall correctness checks passed" + ("" if args.quick else "; timing and memory targets as above"))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
