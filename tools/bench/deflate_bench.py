#!/usr/bin/env python3
"""permessage-deflate benchmark for Quarry: for each compression setting of `quarry-socket-bench`, the memory of an
idle subscribed socket whose client offers permessage-deflate (as Chromium does), the same after an answer has
streamed to it, the compression of a streamed answer (small `append` envelopes) and of the same envelopes coalesced
into large frames, and the server's CPU per delivery.

Run it through tools/bench/deflate, which builds the server and pins it and this client to different CPUs.
"""
import argparse
import asyncio
import datetime
import json
import os
import resource
import sys
import tempfile

from bench_deflate import deflate_client
from bench_support import Tally, connect_all
from bench_system import Process, free_port, machine, memory, process_cpu, wait_until

SETTINGS = [
    ("off", "off: no compression"),
    ("standard", "standard: Quarry's setting (primed)"),
    ("unprimed", "lws compresses, no context kept"),
    ("keep-context", "lws compresses, compressor kept"),
    ("libwebsockets", "libwebsockets' defaults"),
]
FULL = dict(sockets=1_000, tokens=200, interval_ms=30, burst=600, idle_s=2.0)
QUICK = dict(sockets=100, tokens=50, interval_ms=5, burst=200, idle_s=0.5)


def say(text):
    print(f"   {text}", file=sys.stderr, flush=True)


async def command(server, line, timeout=120):
    server.process.stdin.write(f"{line}\n".encode())
    await server.process.stdin.drain()
    reply = (await asyncio.wait_for(server.process.stdout.readline(), timeout)).decode().strip()
    if reply != "done":
        raise RuntimeError(f"the bench server answered {reply!r} to {line!r}")


async def measure(args, config, setting, workdir):
    """One setting: sockets opened and subscribed, then a streamed answer, then a burst that coalesces."""
    n = config["sockets"]
    log = open(os.path.join(workdir, f"bench-{setting}.log"), "w+")
    server = await Process.start([args.bench_server, "--compression", setting], args.server_cpu, log,
                                 stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    tally, clients = Tally(), []
    try:
        hello = json.loads(await asyncio.wait_for(server.process.stdout.readline(), 30))
        port, stream = hello["port"], hello["stream"]
        await asyncio.sleep(config["idle_s"])
        before = memory(server.pid)
        clients, refused = await connect_all([deflate_client(port, tally, None, stream, confirm_by_ping=True)
                                              for _ in range(n)])
        if refused:
            raise RuntimeError(f"{len(refused)} of {n} sockets were refused: {refused[0]!r}")
        await wait_until(lambda: tally.ready + tally.closed + tally.errors >= n, 60, "every subscribe", server)
        await asyncio.sleep(config["idle_s"])
        idle = memory(server.pid)
        agreed = sum(1 for c in clients if c.agreed)

        for c in clients:
            c.reset_counts()
        cpu = process_cpu(server.pid)
        await command(server, f"tokens {config['tokens']} {config['interval_ms']}")
        await wait_until(lambda: all(c.envelopes >= config["tokens"] for c in clients) or tally.closed, 30,
                         "every token at every socket", server)
        cpu = process_cpu(server.pid) - cpu
        stream_wire, stream_plain = sum(c.wire for c in clients), sum(c.plain for c in clients)
        delivered = sum(c.envelopes for c in clients)
        answer_messages = sum(c.messages for c in clients)
        single_ratio = sum(c.single_wire for c in clients) / max(sum(c.single_plain for c in clients), 1)
        await asyncio.sleep(config["idle_s"])
        after = memory(server.pid)

        for c in clients:
            c.reset_counts()
        cpu = process_cpu(server.pid)
        await command(server, f"tokens {config['burst']} 0")
        await wait_until(lambda: all(c.envelopes >= config["burst"] for c in clients) or tally.closed, 60,
                         "every burst token at every socket", server)
        burst_cpu = process_cpu(server.pid) - cpu
        burst_wire, burst_plain = sum(c.wire for c in clients), sum(c.plain for c in clients)
        largest = max(c.largest for c in clients)
        compressed = sum(c.compressed_messages for c in clients)
        return dict(setting=setting, sockets=n, agreed=agreed, closed=tally.closed, errors=tally.errors,
                    idle=(idle["VmRSS"] - before["VmRSS"]) * 1024 / n,
                    after=(after["VmRSS"] - before["VmRSS"]) * 1024 / n,
                    stream_ratio=stream_wire / max(stream_plain, 1), stream_plain=stream_plain / max(delivered, 1),
                    stream_wire=stream_wire / max(delivered, 1), cpu_us=cpu * 1e6 / max(answer_messages, 1),
                    burst_ratio=burst_wire / max(burst_plain, 1), largest=largest, burst_messages=compressed,
                    burst_cpu_ms=burst_cpu * 1e3 / n, answer_messages=answer_messages / n,
                    single_ratio=single_ratio)
    finally:
        for client in clients:
            client.disconnect()
        if server.process.returncode is None:
            server.process.stdin.write(b"quit\n")
        await server.stop(grace=5)


def table(results, config):
    rows = [("setting", "negotiated", "idle B/socket", "after answer B/socket", "answer messages",
             "answer: B/envelope wire (plain)", "answer ratio", "one-envelope ratio", "coalesced ratio",
             "server CPU/message", "CPU/socket, coalesced")]
    for name, title in SETTINGS:
        r = results.get(name)
        if r is None:
            continue
        rows.append((title, f"{r['agreed']:,}/{r['sockets']:,}", f"{r['idle']:,.0f}", f"{r['after']:,.0f}",
                     f"{r['answer_messages']:.0f}",
                     f"{r['stream_wire']:.0f} ({r['stream_plain']:.0f})", f"{r['stream_ratio']:.3f}",
                     f"{r['single_ratio']:.3f}",
                     f"{r['burst_ratio']:.3f}", f"{r['cpu_us']:.1f} µs", f"{r['burst_cpu_ms']:.2f} ms"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(f"{cell:<{widths[0]}}" if i == 0 else f"{cell:>{widths[i]}}" for i, cell in enumerate(row)))
    print(f"\nAnswer: {config['tokens']} envelopes, one every {config['interval_ms']} ms, to {config['sockets']:,} "
          f"subscribers; coalesced: {config['burst']} envelopes published at once (frames up to 16 KiB).")


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-server", required=True, help="the quarry-socket-bench binary (release)")
    parser.add_argument("--server-cpu", type=int, help="pin the server to this CPU (taskset)")
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--settings", default=",".join(name for name, _ in SETTINGS),
                        help="which settings to measure, comma-separated")
    parser.add_argument("--sockets", type=int, help="sockets per setting (default 1,000; 100 with --quick)")
    args = parser.parse_args()
    config = dict(QUICK if args.quick else FULL)
    if args.sockets:
        config["sockets"] = args.sockets
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Quarry permessage-deflate benchmark{' (quick)' if args.quick else ''}, {when}: {machine()}")
    results, failures = {}, []
    with tempfile.TemporaryDirectory(prefix="quarry-deflate-") as workdir:
        for setting in args.settings.split(","):
            say(f"{setting}: {config['sockets']:,} sockets offering permessage-deflate")
            try:
                result = await measure(args, config, setting, workdir)
            except (RuntimeError, OSError, asyncio.TimeoutError, ValueError) as error:
                failures.append(f"{setting}: {error}")
                continue
            results[setting] = result
            expected = 0 if setting == "off" else result["sockets"]
            if result["agreed"] != expected or result["closed"] or result["errors"]:
                failures.append(f"{setting}: {result['agreed']} negotiated (expected {expected}), "
                                f"{result['closed']} closed, {result['errors']} errors")
    print()
    table(results, config)
    if failures:
        print(f"\nFAILED: {'; '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
