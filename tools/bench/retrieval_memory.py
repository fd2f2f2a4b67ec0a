#!/usr/bin/env python3
"""The memory `quarry ingest` takes while it ingests a folder of mixed documents into a fresh database, beside the
same binary ingesting an empty folder:

- quarry's own peak resident set size: its VmHWM (/proc/PID/status), read every 20 ms (the high-water mark only
  rises, so the last reading misses at most the last 20 ms); the figure the target is set for;
- the peak of quarry with its converters (pdftotext, pdftohtml), summed at each reading: what the machine needs;
- ru_maxrss from os.wait4, which on Linux is the largest of quarry's and each reaped child's own peaks (so a big
  PDF's pdftotext can be the figure): what `/usr/bin/time -f %M` prints, given for comparison.

    retrieval_memory.py --quarry BIN [--json] PATH...
    retrieval_memory.py --quarry BIN [--json] --selection FILE

The full benchmark gives it the whole python3.11-doc HTML tree (HTML pages and their reST sources) and .corpus/
(PDFs, DOCX, ODT, EPUB, Markdown and text): over 300 MB. The quick run gives it the files of its selection
(tools/corpus/corpus.py: every form of the quick pages). The bytes read are the ones `quarry ingest` reports in
its summary ("… MB in … s"); the bytes given are those of every file under PATH.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../corpus"))
import corpus  # noqa: E402 (tools/corpus/corpus.py: the files of a selection)


def status_kb(pid, field):
    """A field of /proc/PID/status in KiB (VmHWM, VmRSS), or 0 when the process is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid):
    """The process ids of pid's children, grandchildren, …"""
    found, queue = [], [pid]
    while queue:
        parent = queue.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children", encoding="ascii") as f:
                    children = [int(c) for c in f.read().split()]
            except OSError:
                continue
            found += children
            queue += children
    return found


def measure(quarry, paths, database):
    """Runs `quarry ingest --db DATABASE PATH…`; returns its figures (KiB, seconds), exit status and stderr."""
    started = time.perf_counter()
    own = tree = 0
    converters = False
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen([quarry, "ingest", "--db", database, *paths], stdout=subprocess.DEVNULL, stderr=err)
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            own = max(own, status_kb(child.pid, "VmHWM"))
            below = descendants(child.pid)
            converters = converters or bool(below)
            tree = max(tree, status_kb(child.pid, "VmRSS") + sum(status_kb(c, "VmRSS") for c in below))
            time.sleep(0.02)
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        seconds = time.perf_counter() - started
        err.seek(0)
        if not converters:  # then ru_maxrss is quarry's own (and it may have ended between two readings)
            own = max(own, usage.ru_maxrss)
        figures = {"own_peak_kb": own, "tree_peak_kb": max(tree, own), "ru_maxrss_kb": usage.ru_maxrss}
        return figures, seconds, child.returncode, err.read().decode("utf-8", "replace")


def given_bytes(paths):
    total = 0
    for path in paths:
        if os.path.isfile(path):
            total += os.path.getsize(path)
        for folder, _, names in os.walk(path):
            total += sum(os.path.getsize(os.path.join(folder, n)) for n in names if not n.startswith("."))
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quarry", required=True, help="the quarry binary (release build)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--selection", help="tools/corpus/corpus.py selection's JSON: ingest its files")
    ap.add_argument("paths", nargs="*")
    args = ap.parse_args()
    if args.selection:
        with open(args.selection, encoding="utf-8") as f:
            args.paths += [path for paths in corpus.forms(json.load(f)).values() for path in paths]
    if not args.paths:
        ap.error("nothing to ingest: give paths or --selection")
    with tempfile.TemporaryDirectory(prefix="quarry-memory-") as tmp:
        os.mkdir(os.path.join(tmp, "empty"))
        idle, _, _, _ = measure(args.quarry, [os.path.join(tmp, "empty")], os.path.join(tmp, "idle.db"))
        peaks, seconds, status, log = measure(args.quarry, args.paths, os.path.join(tmp, "quarry.db"))
    summary = next((l for l in log.splitlines() if l.startswith("Ingested ")), "")
    read = re.search(r"Ingested (\d+) files.*?([\d.]+) MB in", summary)
    figures = {
        "peak_rss_kb": peaks["own_peak_kb"], "with_converters_kb": peaks["tree_peak_kb"],
        "ru_maxrss_kb": peaks["ru_maxrss_kb"], "idle_rss_kb": idle["own_peak_kb"], "seconds": seconds, "exit_status": status,
        "files_read": int(read.group(1)) if read else 0,
        "bytes_read": float(read.group(2)) * 1e6 if read else 0,
        "bytes_given": given_bytes(args.paths), "summary": summary, "paths": args.paths,
    }
    if args.json:
        json.dump(figures, sys.stdout, indent=2)
        print()
        return
    print(f"quarry ingest: peak RSS {figures['peak_rss_kb'] / 1024:.1f} MB (empty folder: "
          f"{figures['idle_rss_kb'] / 1024:.1f} MB; with its converters {figures['with_converters_kb'] / 1024:.1f} MB; "
          f"ru_maxrss {figures['ru_maxrss_kb'] / 1024:.1f} MB), {seconds:.1f} s")
    print(f"  {summary}")


if __name__ == "__main__":
    main()
