#!/usr/bin/env python3
"""The retrieval reference baseline: a plain Python chunker and SQLite FTS5 over the same corpus as Quarry.

Walks the Sphinx HTML pages, strips tags with html.parser, packs paragraphs into ~1,000-character chunks, indexes
them in an FTS5 table `chunks(title, body)` in a temporary SQLite file, then asks every question of the labelled set
(quoted words OR-ed, stop words removed, ranked by bm25()) and reports document-level recall@8 and MRR@8, ingestion
throughput, database size and query latency. Standard library only.

    reference.py --corpus /usr/share/doc/python3.11/html --questions tools/corpus/python-questions.json [--json]
"""
import argparse
import json
import math
import os
import re
import sqlite3
import sys
import tempfile
import time
from html.parser import HTMLParser

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../corpus"))
import corpus  # noqa: E402 (tools/corpus/corpus.py: which pages count)

TOP_K = 8                # documents considered for recall and MRR
CHUNK_CHARS = 1000       # target chunk size
SKIP_TAGS = {"script", "style", "nav"}
SKIP_CLASSES = {"sphinxsidebar", "related", "footer", "mobile-nav", "menu-wrapper", "inline-search", "headerlink"}
BLOCK_TAGS = {"p", "pre", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "div", "section", "table", "tr",
              "blockquote", "br", "ul", "ol", "dl", "hr", "title"}
VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "wbr", "col", "area", "base", "source"}
STOP_WORDS = set("""
a about above after again against all am an and any are as at be because been before being below between both but
by can could did do does doing down during each few for from further had has have having he her here hers him his
how i if in into is it its itself just me more most my myself no nor not of off on once only or other our ours out
over own same she should so some such than that the their theirs them then there these they this those through to
too under until up very was we were what when where which while who whom why will with would you your yours
""".split())


def pages(root, only=None):
    """(relative path, absolute path) of every content page (corpus.py chooses them), or of the pages in `only`."""
    for rel in only if only is not None else corpus.content_pages(root):
        yield rel, os.path.join(root, rel)


class PageText(HTMLParser):
    """The page's title and its paragraphs of visible text, without scripts, styles and Sphinx navigation."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title, self.paragraphs, self.buffer = "", [], []
        self.skipping, self.depth, self.in_title = None, 0, False

    def handle_starttag(self, tag, attrs):
        if self.skipping:
            self.depth += tag == self.skipping
            return
        classes = set((dict(attrs).get("class") or "").split())
        if (tag in SKIP_TAGS or classes & SKIP_CLASSES) and tag not in VOID_TAGS:
            self.skipping, self.depth = tag, 1
        elif tag in BLOCK_TAGS:
            self.flush()
        self.in_title = self.in_title or tag == "title"

    def handle_endtag(self, tag):
        if self.skipping:
            if tag == self.skipping:
                self.depth -= 1
                if self.depth == 0:
                    self.skipping = None
            return
        if tag == "title":
            self.in_title = False
        elif tag in BLOCK_TAGS:
            self.flush()

    def handle_data(self, data):
        if self.skipping:
            return
        if self.in_title:
            self.title += data
        else:
            self.buffer.append(data)

    def flush(self):
        text = " ".join("".join(self.buffer).split())
        if text:
            self.paragraphs.append(text)
        self.buffer = []


def chunk(paragraphs, size=CHUNK_CHARS):
    """Packs paragraphs into chunks of at most about `size` characters; a longer paragraph is cut at spaces."""
    pieces = []
    for paragraph in paragraphs:
        while len(paragraph) > size:
            cut = paragraph.rfind(" ", 0, size)
            cut = cut if cut > size // 2 else size
            pieces.append(paragraph[:cut])
            paragraph = paragraph[cut:].lstrip()
        if paragraph:
            pieces.append(paragraph)
    chunks, current = [], ""
    for piece in pieces:
        if current and len(current) + 1 + len(piece) > size:
            chunks.append(current)
            current = piece
        else:
            current = f"{current}\n{piece}" if current else piece
    if current:
        chunks.append(current)
    return chunks


def ingest(db, root):
    """Reads, parses, chunks and inserts every page; returns (pages, HTML bytes, chunks, seconds)."""
    db.execute("CREATE VIRTUAL TABLE chunks USING fts5(title, body, page UNINDEXED)")
    n_pages = n_bytes = n_chunks = 0
    start = time.perf_counter()
    with db:
        for rel, path in pages(root):
            with open(path, "rb") as f:
                raw = f.read()
            parser = PageText()
            parser.feed(raw.decode("utf-8", "replace"))
            parser.close()
            parser.flush()
            title = parser.title.split(" \u2014 Python ")[0].strip()
            rows = [(title, body, rel) for body in chunk(parser.paragraphs)]
            db.executemany("INSERT INTO chunks(title, body, page) VALUES (?, ?, ?)", rows)
            n_pages, n_bytes, n_chunks = n_pages + 1, n_bytes + len(raw), n_chunks + len(rows)
    return n_pages, n_bytes, n_chunks, time.perf_counter() - start


def fts_query(question):
    """The question's words as an FTS5 query: each quoted (so no word is read as syntax) and OR-ed."""
    words = re.findall(r"\w+", question.lower())
    kept = [w for w in words if w not in STOP_WORDS] or words
    return " OR ".join(f'"{w}"' for w in dict.fromkeys(kept))


def search(db, question, k=TOP_K):
    """The first k distinct pages, ranking each page by its best chunk."""
    query = fts_query(question)
    if not query:
        return []
    found = []
    # FTS5's `rank` is bm25(chunks) with its default weights; ordering by it gives the same order as
    # `ORDER BY bm25(chunks)` in about half the time.
    for (page,) in db.execute("SELECT page FROM chunks WHERE chunks MATCH ? ORDER BY rank", (query,)):
        if page not in found:
            found.append(page)
            if len(found) == k:
                break
    return found


def percentile(sorted_values, p):
    """Nearest-rank percentile of a sorted list."""
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)] if sorted_values else 0.0


def evaluate(db, questions, repeat):
    """Ranks and latencies: every question is asked `repeat` times; the ranking is the same each time."""
    results, latencies = [], []
    for _ in range(repeat):
        for q in questions:
            start = time.perf_counter()
            found = search(db, q["question"])
            latencies.append((time.perf_counter() - start) * 1000)
            if len(results) < len(questions):
                expected = {q["page"], *q.get("alternatives", [])}
                rank = next((i + 1 for i, page in enumerate(found) if page in expected), None)
                results.append({"id": q["id"], "rank": rank, "expected": q["page"], "top": found[:3]})
    latencies.sort()
    hits = [r for r in results if r["rank"]]
    return {
        "questions": len(results),
        "recall_at_8": len(hits) / len(results),
        "mrr_at_8": sum(1 / r["rank"] for r in hits) / len(results),
        "query_ms_p50": percentile(latencies, 50),
        "query_ms_p99": percentile(latencies, 99),
        "queries_timed": len(latencies),
        "ranks": {r["id"]: r["rank"] for r in results},
        "misses": [r for r in results if not r["rank"]],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="/usr/share/doc/python3.11/html", help="root of the Sphinx HTML pages")
    ap.add_argument("--questions", default=os.path.join(os.path.dirname(__file__), "../../corpus/python-questions.json"))
    ap.add_argument("--repeat", type=int, default=5, help="times each question is asked for the latency figures")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--misses", action="store_true", help="also list the questions whose page is not in the top 8")
    args = ap.parse_args()
    with open(args.questions, encoding="utf-8") as f:
        questions = json.load(f)

    with tempfile.TemporaryDirectory(prefix="quarry-reference-") as tmp:
        path = os.path.join(tmp, "reference.db")
        db = sqlite3.connect(path)
        n_pages, n_bytes, n_chunks, seconds = ingest(db, args.corpus)
        figures = {
            "system": "reference: Python html.parser chunker + SQLite FTS5 bm25",
            "sqlite": sqlite3.sqlite_version,
            "pages": n_pages, "html_bytes": n_bytes, "chunks": n_chunks,
            "ingest_seconds": seconds, "ingest_mb_per_s": n_bytes / 1e6 / seconds,
            "db_bytes": os.path.getsize(path),
        }
        figures.update(evaluate(db, questions, args.repeat))
        db.close()

    if args.json:
        json.dump(figures, sys.stdout, indent=2)
        print()
        return
    rows = [
        ("corpus", f"{n_pages} pages, {n_bytes / 1e6:.1f} MB of HTML, {n_chunks:,} chunks"),
        ("ingestion (read+parse+chunk+insert)", f"{figures['ingest_mb_per_s']:.1f} MB/s ({seconds:.2f} s)"),
        ("database size", f"{figures['db_bytes'] / 1e6:.1f} MB"),
        ("questions", str(figures["questions"])),
        ("recall@8 (document level)", f"{figures['recall_at_8']:.3f}"),
        ("MRR@8 (document level)", f"{figures['mrr_at_8']:.3f}"),
        ("query latency p50", f"{figures['query_ms_p50']:.2f} ms"),
        ("query latency p99", f"{figures['query_ms_p99']:.2f} ms ({figures['queries_timed']} queries)"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{figures['system']} (SQLite {figures['sqlite']})")
    for what, value in rows:
        print(f"  {what:<{width}}  {value}")
    if args.misses:
        for miss in figures["misses"]:
            print(f"  miss #{miss['id']}: expected {miss['expected']}, top {', '.join(miss['top'])}")


if __name__ == "__main__":
    main()
