"""What a longer run holds that a shorter one does not: reads `heaptrack_print --diff` output (the long run's memory
leaked at its end minus the short run's) and prints each allocation site with the first frames of Quarry's own code
(or of the library, where none is Quarry's), largest first. Run by tools/bench/soak-heap.

    python3 heap_diff.py DIFF_TEXT [--sites 12] [--traces 3]"""
import argparse
import re
import subprocess

SITE = re.compile(r"^(-?[\d.]+)([KMG]?)B? leaked over (-?\d+) calls from(:?)$")
OURS = re.compile(r"^\$s\d*(quarry|Chat|Server|Store|Retrieval|LLM|Admin|Contracts|Curl|SQLite|Markdown|Gzip|"
                  r"TurboStream|Locking|JSON|Words|Telemetry|Crypto|XML|Zip|LDAP|Argon2|TextLines)")
SCALE = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def size(number, unit):
    return float(number) * SCALE[unit]


def parse(text):
    """[(bytes, calls, function, [(bytes, calls, frames)])] from the MEMORY LEAKS section."""
    sites = []
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "MEMORY LEAKS"), None)
    if start is None:
        return sites
    i = start + 1
    while i < len(lines):
        line = lines[i].rstrip()
        match = SITE.match(line.strip())
        if not line or line.startswith("total") or line.startswith("suppressed"):
            if line.startswith("total"):
                break
            i += 1
            continue
        if match and not match.group(4):
            # A site: its function is on the next line.
            function = lines[i + 1].strip() if i + 1 < len(lines) else "?"
            sites.append((size(match.group(1), match.group(2)), int(match.group(3)), function, []))
            i += 2
            continue
        if match and sites:
            frames = []
            i += 1
            while i < len(lines) and lines[i].startswith("    ") and not SITE.match(lines[i].strip()):
                frame = lines[i].strip()
                if not frame.startswith(("at ", "in ")):
                    frames.append(frame)
                i += 1
            sites[-1][3].append((size(match.group(1), match.group(2)), int(match.group(3)), frames))
            continue
        i += 1
    return sites


def demangle(symbols):
    if not symbols:
        return []
    result = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(symbols),
                            capture_output=True, text=True)
    names = result.stdout.splitlines() if result.returncode == 0 else symbols
    return [name[:150] for name in names]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("diff")
    parser.add_argument("--sites", type=int, default=12)
    parser.add_argument("--traces", type=int, default=3)
    options = parser.parse_args()
    with open(options.diff, errors="replace") as file:
        sites = parse(file.read())
    sites.sort(key=lambda site: -abs(site[0]))
    total = sum(site[0] for site in sites)
    print(f"held at the end, long run minus short run: {total / 1024:+.1f} KiB over {len(sites)} sites")
    for amount, calls, function, traces in sites[:options.sites]:
        print(f"{amount / 1024:+9.1f} KiB  {calls:+8d} calls  {demangle([function])[0]}")
        for trace_amount, trace_calls, frames in sorted(traces, key=lambda t: -abs(t[0]))[:options.traces]:
            ours = [frame for frame in frames if OURS.match(frame)][:2] or frames[:2]
            shown = " ← ".join(demangle(ours))
            print(f"      {trace_amount / 1024:+8.1f} KiB  {shown}")


if __name__ == "__main__":
    main()
