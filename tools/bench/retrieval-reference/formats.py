#!/usr/bin/env python3
"""Reference ingestion speeds per format, measured on the same files as Quarry's in the same run.

- Text formats (reST, Markdown, plain text): a plain Python chunker with SQLite FTS5, what issue 10 measures Quarry
  against: read, split into paragraphs at blank lines, pack them into ~1,000-character chunks (reference.py's
  `chunk`), insert into FTS5 `chunks(title, body)`, one transaction, in a temporary file.
- HTML: the same with reference.py's html.parser reader.
- DOCX, ODT, EPUB: the same with Python's zipfile and ElementTree (paragraphs of word/document.xml; text:p and
  text:h of content.xml; the EPUB's spine chapters through the HTML reader).
- PDF: poppler's `pdftotext` itself, run over each file to /dev/null one after another: the converter's own
  speed, which Quarry's PDF ingestion (converter plus chunking plus index) is set against.

Speeds are MB of source (10^6 bytes of the files as they are on disk) per second, and files per second. The
text formats (reST, Markdown, plain text) are ingested `--repeat` times (3 by default) into fresh files and the
fastest run counts, as the Quarry side does: on a shared 2-core machine one run can be off by half.

    formats.py --selection FILE [--corpus DIR] [--cache DIR] [--repeat N] [--json]
"""
import argparse
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference  # noqa: E402

corpus = reference.corpus
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
DC = "{http://purl.org/dc/elements/1.1/}"
OPF = "{http://www.idpf.org/2007/opf}"


def blocks(data):
    """Title (first non-empty line) and paragraphs (blank-line separated) of a text file."""
    text = data.decode("utf-8", "replace")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    paragraphs = [p for p in paragraphs if p]
    return (paragraphs[0][:200] if paragraphs else ""), paragraphs


def html_blocks(data):
    parser = reference.PageText()
    parser.feed(data.decode("utf-8", "replace"))
    parser.close()
    parser.flush()
    return parser.title.split(" \u2014 Python ")[0].strip(), parser.paragraphs


def core_title(archive, name, tag):
    try:
        found = ElementTree.fromstring(archive.read(name)).find(f".//{tag}")
    except (KeyError, ElementTree.ParseError):
        return ""
    return (found.text or "").strip() if found is not None else ""


def docx_blocks(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ElementTree.fromstring(archive.read("word/document.xml"))
        paragraphs = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p")]
        return core_title(archive, "docProps/core.xml", f"{DC}title"), [p for p in paragraphs if p.strip()]


def odt_blocks(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ElementTree.fromstring(archive.read("content.xml"))
        paragraphs = ["".join(e.itertext()) for e in root.iter() if e.tag in (f"{TEXT}p", f"{TEXT}h")]
        return core_title(archive, "meta.xml", f"{DC}title"), [p for p in paragraphs if p.strip()]


def epub_blocks(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        container = ElementTree.fromstring(archive.read("META-INF/container.xml"))
        opf_path = next(e.get("full-path") for e in container.iter() if e.tag.endswith("rootfile"))
        opf = ElementTree.fromstring(archive.read(opf_path))
        folder = os.path.dirname(opf_path)
        manifest = {item.get("id"): item.get("href") for item in opf.iter(f"{OPF}item")}
        title = next((e.text or "" for e in opf.iter(f"{DC}title")), "")
        paragraphs = []
        for ref in opf.iter(f"{OPF}itemref"):
            href = manifest.get(ref.get("idref"))
            if href:
                paragraphs += html_blocks(archive.read(os.path.join(folder, href) if folder else href))[1]
        return title, paragraphs


READERS = {"rst": blocks, "markdown": blocks, "text": blocks, "html": html_blocks,
           "docx": docx_blocks, "odt": odt_blocks, "epub": epub_blocks}


def ingest(paths, read):
    """Read, parse, chunk and insert `paths` into a fresh FTS5 table; returns (bytes, chunks, seconds, failures)."""
    with tempfile.TemporaryDirectory(prefix="quarry-formats-") as tmp:
        db = sqlite3.connect(os.path.join(tmp, "reference.db"))
        db.execute("CREATE VIRTUAL TABLE chunks USING fts5(title, body, page UNINDEXED)")
        n_bytes = n_chunks = failures = 0
        start = time.perf_counter()
        with db:
            for path in paths:
                with open(path, "rb") as f:
                    data = f.read()
                try:
                    title, paragraphs = read(data)
                except Exception:  # noqa: BLE001 (counted, like a file Quarry could not read)
                    failures += 1
                    continue
                rows = [(title, body, path) for body in reference.chunk(paragraphs)]
                db.executemany("INSERT INTO chunks(title, body, page) VALUES (?, ?, ?)", rows)
                n_bytes, n_chunks = n_bytes + len(data), n_chunks + len(rows)
        seconds = time.perf_counter() - start
        db.close()
    return n_bytes, n_chunks, seconds, failures


def pdftotext(paths):
    """pdftotext over each file to /dev/null, one after another; returns (bytes, seconds, failures)."""
    n_bytes = failures = 0
    start = time.perf_counter()
    for path in paths:
        done = subprocess.run(["pdftotext", "-q", path, "/dev/null"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        if done.returncode == 0:
            n_bytes += os.path.getsize(path)
        else:
            failures += 1
    return n_bytes, time.perf_counter() - start, failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--selection", required=True, help="tools/corpus/corpus.py selection's JSON")
    ap.add_argument("--corpus", default=corpus.HTML_ROOT)
    ap.add_argument("--cache", default=corpus.CACHE, help="where tools/corpus/make-formats put the formats")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each text format; the fastest counts")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with open(args.selection, encoding="utf-8") as f:
        chosen = json.load(f)
    figures = {}
    for name, paths in corpus.forms(chosen, args.corpus, args.cache).items():
        if not paths:
            continue
        if name == "pdf":
            n_bytes, seconds, failures = pdftotext(paths)
            system, n_chunks = "pdftotext to /dev/null", None
        else:
            runs = args.repeat if name in ("rst", "markdown", "text") else 1
            n_bytes, n_chunks, seconds, failures = min((ingest(paths, READERS[name]) for _ in range(runs)),
                                                       key=lambda run: run[2])
            system = "Python chunker + FTS5"
        figures[name] = {"system": system, "files": len(paths) - failures, "failed": failures, "bytes": n_bytes,
                         "chunks": n_chunks, "seconds": seconds, "mb_per_s": n_bytes / 1e6 / seconds,
                         "files_per_s": (len(paths) - failures) / seconds}
    if args.json:
        json.dump(figures, sys.stdout, indent=2)
        print()
        return
    for name, f in figures.items():
        print(f"  {name:<9} {f['system']:<24} {f['files']:>4} files, {f['bytes'] / 1e6:6.1f} MB: "
              f"{f['mb_per_s']:6.1f} MB/s, {f['files_per_s']:6.0f} files/s")


if __name__ == "__main__":
    main()
