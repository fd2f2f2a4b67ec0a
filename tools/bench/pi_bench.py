"""The Raspberry Pi budget: `quarry serve` (release) in a control group shaped like what a Pi gives it (a quarter of
one core, 256 MB of memory, no swap), 100 tabs connected and 10 answers asked at once against the stand-in at 50
tokens a second; printed beside the same run with no limits (the baseline), in the same invocation:

- time from the ask to the answer's first text in the asking tab (median, slowest);
- the gaps between the answer's updates as the tab receives them (median, 99th percentile, longest);
- the server's peak memory (its own VmHWM, and the group's peak, which counts the page cache it touches too);
- its processor time while answering, as a share of one core.

`--stress`: 1,000 tabs and 50 answers at once. Run it through tools/bench/pi, which builds the binaries; the group
needs root and a writable cgroup file system (v1 `cpu` and `memory`, or v2), else the run stops with why.

Every answer must end `complete`; a failure is printed and the exit status is 1."""
import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_system import machine  # noqa: E402
from soak_bench import GENEROUS, Tab, TabError, start_quarry, start_standin  # noqa: E402

CPU_QUOTA, CPU_PERIOD = 25_000, 100_000      # microseconds: a quarter of one core
MEMORY = 256 * 1024 * 1024


class Group:
    """A control group for one process: cgroup v2 when /sys/fs/cgroup is unified, else v1's cpu and memory."""

    def __init__(self, name):
        self.paths = []
        if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
            path = f"/sys/fs/cgroup/{name}"
            os.makedirs(path, exist_ok=True)
            self.write(path, "cpu.max", f"{CPU_QUOTA} {CPU_PERIOD}")
            self.write(path, "memory.max", str(MEMORY))
            self.write(path, "memory.swap.max", "0", optional=True)
            self.paths, self.v2 = [path], True
            return
        self.v2 = False
        cpu = f"/sys/fs/cgroup/cpu/{name}"
        os.makedirs(cpu, exist_ok=True)
        self.write(cpu, "cpu.cfs_period_us", str(CPU_PERIOD))
        self.write(cpu, "cpu.cfs_quota_us", str(CPU_QUOTA))
        # Memory groups nest under the one this process is in (a container's), where it may make them.
        own = next((line.split(":", 2)[2].strip() for line in open("/proc/self/cgroup")
                    if line.split(":", 2)[1] == "memory"), "/")
        memory = f"/sys/fs/cgroup/memory{own.rstrip('/')}/{name}"
        os.makedirs(memory, exist_ok=True)
        self.write(memory, "memory.limit_in_bytes", str(MEMORY))
        self.write(memory, "memory.memsw.limit_in_bytes", str(MEMORY), optional=True)
        self.write(memory, "memory.swappiness", "0", optional=True)
        self.paths, self.memory = [cpu, memory], memory

    @staticmethod
    def write(path, name, value, optional=False):
        try:
            with open(os.path.join(path, name), "w") as f:
                f.write(value)
        except OSError:
            if not optional:
                raise

    def peak_memory(self):
        name = "memory.peak" if self.v2 else "memory.max_usage_in_bytes"
        try:
            return int(open(os.path.join(self.paths[-1], name)).read())
        except OSError:
            return None

    def remove(self):
        for path in self.paths:
            try:
                os.rmdir(path)
            except OSError:
                pass


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))


async def scenario(args, limited):
    """One run; returns its figures."""
    workdir = tempfile.mkdtemp(prefix="quarry-pi-")
    env = dict(GENEROUS, QUARRY_MAX_ANSWERS=str(args.answers), QUARRY_QUESTIONS_PER_MINUTE="1000")
    standin, llm_port = await start_standin(args.standin, workdir, rate=50)
    group, binary = None, args.quarry
    if limited:
        # The server joins the group before it starts, so everything it ever uses is counted there.
        group = Group(f"quarry-pi-{os.getpid()}")
        binary = os.path.join(workdir, "quarry-in-group")
        with open(binary, "w") as f:
            joins = "".join(f"echo $$ > {path}/cgroup.procs\n" for path in group.paths)
            f.write(f"#!/bin/sh\n{joins}exec {args.quarry} \"$@\"\n")
        os.chmod(binary, 0o755)
    server, port, _ = await start_quarry(binary, llm_port, workdir, env)
    try:
        tabs = [Tab(f"tab {i}", port) for i in range(args.tabs)]
        for i in range(0, len(tabs), 50):
            await asyncio.gather(*(tab.load(timeout=120) for tab in tabs[i:i + 50]))
        askers = tabs[:args.answers]
        cpu_before, started = cpu_seconds(server.pid), time.monotonic()
        asked = await asyncio.gather(*(tab.ask(f"How do I restart the kiosk? ({tab.name})", timeout=300)
                                       for tab in askers))
        failures = []
        for tab, (answer, _, start) in zip(askers, asked):
            try:
                await tab.until_complete(answer, timeout=600, start=start)
            except TabError as error:
                failures.append(str(error))
        elapsed = time.monotonic() - started
        cpu = (cpu_seconds(server.pid) - cpu_before) / elapsed
        gaps = []
        for tab, (answer, _, start) in zip(askers, asked):
            marker = f"message-content-{answer}"
            times = [t for t, text in zip(tab.times[start:], tab.messages[start:]) if marker in text]
            # From the first text on: the placeholder before it is the time to first text, not a gap.
            gaps += [b - a for a, b in zip(times[1:], times[2:])]
        firsts = [first for _, first, _ in asked]
        figures = {
            "first": (statistics.median(firsts), max(firsts)),
            "gaps": (statistics.median(gaps) if gaps else 0, quantile(gaps, 0.99), max(gaps, default=0)),
            "rss": peak_rss_kib(server.pid) / 1024,
            "group": (group.peak_memory() or 0) / 1048576 if group else None,
            "cpu": cpu,
            "complete": args.answers - len(failures),
            "failures": failures,
        }
        for tab in tabs:
            tab.close()
        return figures
    finally:
        await server.stop(grace=5)
        standin.process.stdin.close()
        await standin.stop(grace=5)
        if group:
            group.remove()


def quantile(values, q):
    if not values:
        return 0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def row(label, limited, baseline):
    print(f"{label:<44} {limited:<24} {baseline}")


async def main_async(args):
    print(f"Pi budget: {args.tabs} tabs, {args.answers} answers at once, the stand-in at 50 tokens/s; {machine()}")
    print(f"The group: a quarter of one core ({CPU_QUOTA}/{CPU_PERIOD} µs), {MEMORY >> 20} MB, no swap\n")
    baseline = await scenario(args, limited=False)
    limited = await scenario(args, limited=True)
    row("figure", "Pi budget", "no limits (baseline)")
    f = lambda pair: " / ".join(f"{x * 1000:.0f}" for x in pair) + " ms"  # noqa: E731
    row("time to first text: median / slowest", f(limited["first"]), f(baseline["first"]))
    row("gaps between updates: median / p99 / longest", f(limited["gaps"]), f(baseline["gaps"]))
    row("peak RSS of quarry serve (VmHWM)", f"{limited['rss']:.1f} MB", f"{baseline['rss']:.1f} MB")
    row("the group's peak charge (shared pages cached before: not)", f"{limited['group']:.1f} MB", "")
    row("processor while answering (share of a core)", f"{limited['cpu']:.2f}", f"{baseline['cpu']:.2f}")
    row("answers complete", f"{limited['complete']} of {args.answers}", f"{baseline['complete']} of {args.answers}")
    failures = limited["failures"] + baseline["failures"]
    for failure in failures[:20]:
        print(f"   failed: {failure}")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quarry", required=True)
    parser.add_argument("--standin", required=True)
    parser.add_argument("--stress", action="store_true", help="1,000 tabs and 50 answers at once")
    parser.add_argument("--tabs", type=int)
    parser.add_argument("--answers", type=int)
    args = parser.parse_args()
    args.tabs = args.tabs or (1000 if args.stress else 100)
    args.answers = args.answers or (50 if args.stress else 10)
    if os.geteuid() != 0:
        raise SystemExit("the Pi budget needs a control group, which needs root")
    sys.exit(asyncio.run(main_async(args)))


if __name__ == "__main__":
    main()
