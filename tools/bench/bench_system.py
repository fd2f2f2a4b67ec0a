"""The benchmark's view of processes and the machine: server processes pinned with taskset, and readings of memory
and CPU from /proc."""
import asyncio
import os
import platform
import socket
import time


class Process:
    """A server process, pinned to `cpu` with taskset when one is given."""

    def __init__(self, process, log):
        self.process, self.log = process, log

    @classmethod
    async def start(cls, command, cpu, log, stdin=None, stdout=None):
        pinned = ["taskset", "-c", str(cpu), *command] if cpu is not None else command
        process = await asyncio.create_subprocess_exec(*pinned, stdin=stdin, stdout=stdout or log, stderr=log)
        return cls(process, log)

    @property
    def pid(self):
        return self.process.pid

    def check_alive(self):
        if self.process.returncode is not None:
            raise RuntimeError(f"the server exited early (status {self.process.returncode}){self.log_tail()}")

    def log_tail(self):
        self.log.flush()
        self.log.seek(0)
        return "; its log ends:\n" + "".join(self.log.readlines()[-15:])

    async def stop(self, grace=0.0):
        """Waits `grace` seconds for the process to end by itself, then sends SIGTERM (and SIGKILL 15 s later)."""
        for stop in (None, self.process.terminate, self.process.kill):
            if self.process.returncode is not None:
                return
            if stop:
                stop()
            try:
                await asyncio.wait_for(self.process.wait(), grace if stop is None else 15)
            except asyncio.TimeoutError:
                pass


async def wait_until(condition, timeout, what, process=None):
    """Polls `condition` until it holds; raises after `timeout` seconds or when `process` has exited."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process:
            process.check_alive()
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.02)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mapped_files(pid):
    """Resident KiB of each file `pid` maps (its binary, shared libraries, the database's shared memory), by file
    name, from /proc/<pid>/smaps; largest first."""
    sizes, name = {}, None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if fields and "-" in fields[0] and not fields[0].endswith(":"):
                name = os.path.basename(fields[5]) if len(fields) > 5 and fields[5].startswith("/") else None
            elif fields and fields[0] == "Rss:" and name:
                sizes[name] = sizes.get(name, 0) + int(fields[1])
    return dict(sorted(sizes.items(), key=lambda item: -item[1]))


def memory(pid):
    """VmRSS, RssAnon, RssFile (and Pss, Private when smaps_rollup exists) of `pid`, in KiB."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                values[name] = int(value.split()[0])
    try:
        rollup = {}
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                name, _, value = line.partition(":")
                if name in ("Pss", "Private_Clean", "Private_Dirty"):
                    rollup[name] = int(value.split()[0])
        values["Pss"] = rollup["Pss"]
        values["Private"] = rollup["Private_Clean"] + rollup["Private_Dirty"]
    except (OSError, KeyError):
        pass
    return values


def process_cpu(pid):
    """User + system CPU seconds of `pid` so far (/proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_busy():
    """CPU seconds all CPUs spent busy or stolen by the hypervisor (not idle, not waiting for I/O) since boot
    (/proc/stat: user, nice, system, irq, softirq, steal)."""
    with open("/proc/stat") as f:
        user, nice, system, _, _, irq, softirq, steal = (int(x) for x in f.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def machine():
    """One line describing the machine and the client, for the report's heading."""
    model = platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), model)
    except OSError:
        pass
    try:
        from importlib.metadata import version
        picows = version("picows")
    except Exception:
        picows = "?"
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({model}), "
            f"Python {platform.python_version()}, picows {picows}")
