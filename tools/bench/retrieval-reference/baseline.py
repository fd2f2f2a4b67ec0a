#!/usr/bin/env python3
"""The plain FTS5 baseline that issue 10 sets Quarry's ranking against, run on the same corpus and questions.

What a careful engineer gets from SQLite alone, without Quarry's tuning:

- the pages' text as reference.py reads it (html.parser; scripts, styles, Sphinx navigation, sidebar, footer and
  "¶" links dropped), in paragraphs packed into chunks of at most ~1,000 characters that never cross a heading;
- one FTS5 table `chunks(title, headings, body)` with the `porter unicode61` tokenizer (English stemming): title is
  the page's <title> without " — Python 3.11.2 documentation", headings the section headings above the chunk
  (h2–h6; the h1 is the title), body the chunk's text;
- ranked by `bm25(3, 3, 1)`: a word in the title or the headings weighs three times one in the body;
- each question as its words, English stop words dropped, each quoted and OR-ed (reference.py's `fts_query`).

Document-level recall@8 and MRR@8 as the benchmark counts them (tools/corpus/README.md).

    baseline.py [--corpus DIR] [--questions FILE] [--selection FILE] [--json] [--misses]

--selection takes `tools/corpus/corpus.py selection [--quick]`'s JSON: its HTML pages and its number of questions.
"""
import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference  # noqa: E402 (the chunker, the page reader, the query and the evaluation are reference.py's)

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
WEIGHTS = (3.0, 3.0, 1.0)  # title, headings, body


class PageSections(reference.PageText):
    """reference.PageText that also records the headings above each paragraph: paragraphs are (path, text)."""

    def __init__(self):
        super().__init__()
        self.path, self.level = [], None

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        if not self.skipping and tag in HEADINGS:
            self.level = HEADINGS[tag]

    def handle_endtag(self, tag):
        if not self.skipping and tag in HEADINGS and self.level == HEADINGS[tag]:
            heading = " ".join("".join(self.buffer).split())
            self.buffer, self.level = [], None
            # A heading of level n replaces the headings at n and below; h1 titles the page.
            self.path = self.path[: max(0, HEADINGS[tag] - 2)] + ([heading] if HEADINGS[tag] > 1 and heading else [])
            return
        super().handle_endtag(tag)

    def flush(self):
        text = " ".join("".join(self.buffer).split())
        if text:
            self.paragraphs.append((" \u203a ".join(self.path), text))
        self.buffer = []


def sections(paragraphs):
    """Consecutive paragraphs under the same headings, as (headings, [texts])."""
    grouped = []
    for headings, text in paragraphs:
        if grouped and grouped[-1][0] == headings:
            grouped[-1][1].append(text)
        else:
            grouped.append((headings, [text]))
    return grouped


def ingest(db, root, only=None):
    db.execute("CREATE VIRTUAL TABLE chunks USING fts5(title, headings, body, page UNINDEXED, "
               "tokenize = 'porter unicode61')")
    # `ORDER BY rank` then ranks by these weights (and is faster than ORDER BY bm25(chunks, 3, 3, 1)).
    db.execute("INSERT INTO chunks(chunks, rank) VALUES ('rank', 'bm25(%g, %g, %g)')" % WEIGHTS)
    n_pages = n_bytes = n_chunks = 0
    start = time.perf_counter()
    with db:
        for rel, path in reference.pages(root, only):
            with open(path, "rb") as f:
                raw = f.read()
            parser = PageSections()
            parser.feed(raw.decode("utf-8", "replace"))
            parser.close()
            parser.flush()
            title = parser.title.split(" \u2014 Python ")[0].strip()
            rows = [(title, headings, body, rel)
                    for headings, texts in sections(parser.paragraphs) for body in reference.chunk(texts)]
            db.executemany("INSERT INTO chunks(title, headings, body, page) VALUES (?, ?, ?, ?)", rows)
            n_pages, n_bytes, n_chunks = n_pages + 1, n_bytes + len(raw), n_chunks + len(rows)
    return n_pages, n_bytes, n_chunks, time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=reference.corpus.HTML_ROOT, help="root of the Sphinx HTML pages")
    ap.add_argument("--questions", default=reference.corpus.QUESTIONS)
    ap.add_argument("--selection", help="corpus.py's selection JSON: the pages and number of questions to use")
    ap.add_argument("--repeat", type=int, default=1, help="times each question is asked for the latency figures")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--misses", action="store_true", help="also list the questions whose page is not in the top 8")
    args = ap.parse_args()
    questions = reference.corpus.load_questions(args.questions)
    only = None
    if args.selection:
        with open(args.selection, encoding="utf-8") as f:
            chosen = json.load(f)
        only, questions = chosen["html"], questions[: chosen["questions"]]

    with tempfile.TemporaryDirectory(prefix="quarry-baseline-") as tmp:
        db = sqlite3.connect(os.path.join(tmp, "baseline.db"))
        n_pages, n_bytes, n_chunks, seconds = ingest(db, args.corpus, only)
        figures = {"system": "baseline: FTS5 porter, stop words dropped, bm25(title 3, headings 3, body 1)",
                   "pages": n_pages, "html_bytes": n_bytes, "chunks": n_chunks, "ingest_seconds": seconds}
        figures.update(reference.evaluate(db, questions, args.repeat))
        db.close()

    if args.json:
        json.dump(figures, sys.stdout, indent=2)
        print()
        return
    print(f"{figures['system']}: {n_pages} pages, {n_chunks:,} chunks, {len(questions)} questions")
    print(f"  recall@8 {figures['recall_at_8']:.3f}, MRR@8 {figures['mrr_at_8']:.3f}, "
          f"query p50 {figures['query_ms_p50']:.2f} ms")
    if args.misses:
        for miss in figures["misses"]:
            print(f"  miss #{miss['id']}: expected {miss['expected']}, top {', '.join(miss['top'])}")


if __name__ == "__main__":
    main()
