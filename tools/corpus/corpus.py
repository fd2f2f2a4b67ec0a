#!/usr/bin/env python3
"""The benchmark corpus in one place: which pages count, where each format of a page lives, and which pages each run
of the retrieval benchmark uses (full or quick). Imported by make_formats.py, the reference and the baseline; the
Swift benchmark reads the selection as JSON (`corpus.py selection [--quick]`). Standard library only.

A page is named by its path relative to the HTML root (`library/json.html`); its other forms mirror that path:

    reST      ROOT/_sources/library/json.rst.txt     (in the package)
    Markdown  CACHE/markdown/library/json.md         (tools/corpus/make-formats, from the reST)
    text      CACHE/text/library/json.txt            (idem)
    PDF       CACHE/pdf/library/json.pdf             (idem, from the HTML by headless Chromium)
    DOCX, ODT, EPUB  CACHE/docx/library/json.docx …  (idem, from the HTML's main content)
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
HTML_ROOT = "/usr/share/doc/python3.11/html"
QUESTIONS = os.path.join(HERE, "python-questions.json")
CACHE = os.path.join(REPO, ".corpus")

SKIP_DIRS = {"_static", "_sources", "_images", "_downloads"}
SKIP_FILES = {"search.html", "py-modindex.html"}
QUICK_QUESTIONS = 10        # the quick run asks the first 10 questions
QUICK_OTHER_HTML = 50       # … among their pages and the first 50 others (as the benchmark always has)
QUICK_OTHER_PDF = 10        # … and, in PDF form, among their pages and the first 10 others
QUICK_SMALL = 6             # pages per converted format in the quick run (Markdown, text, DOCX, ODT, EPUB)

# The formats make-formats builds: folder under CACHE → file extension.
MADE = {"pdf": "pdf", "markdown": "md", "text": "txt", "docx": "docx", "odt": "odt", "epub": "epub"}


def content_pages(root=HTML_ROOT):
    """Every content page, relative to the root, in the order of a walk that sorts names at each level (the Swift
    benchmark's order)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".")]
        for name in filenames:
            if name.endswith(".html") and name not in SKIP_FILES and not name.startswith("genindex"):
                found.append(os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/"))
    return sorted(found, key=lambda page: page.split("/"))


def load_questions(path=QUESTIONS):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def answer_pages(questions):
    """The pages that answer the questions (expected pages and alternatives), once each, in question order."""
    pages = []
    for q in questions:
        for page in [q["page"], *q.get("alternatives", [])]:
            if page not in pages:
                pages.append(page)
    return pages


def rst_source(page, root=HTML_ROOT):
    """The reST source of a page: `library/json.html` → ROOT/_sources/library/json.rst.txt."""
    return os.path.join(root, "_sources", page[: -len(".html")] + ".rst.txt")


def made_path(folder, page, cache=CACHE):
    """Where make-formats puts a page's form: `pdf`, `library/json.html` → CACHE/pdf/library/json.pdf."""
    return os.path.join(cache, folder, page[: -len(".html")] + "." + MADE[folder])


def selection(quick=False, root=HTML_ROOT, questions_path=QUESTIONS, text=False):
    """The pages each part of a run uses, by form:

    - html: the pages indexed in HTML (full: all 498; quick: the quick questions' pages and 50 others);
    - pdf: the pages indexed as PDFs, for speed and for the PDF form's recall (full: all; quick: the quick
      questions' pages and 10 others);
    - sources: the pages whose reST, Markdown and text forms are ingested (full: every page with a reST source;
      quick: the 6 smallest of the quick questions' pages);
    - office: the pages made into DOCX, ODT and EPUB (full: every page a question names; quick: as sources).

    `text`: the text forms' speed alone (tools/bench/retrieval --text): every page's reST, Markdown and text, the quick
    run's HTML pages and questions, no PDF or office forms.
    """
    questions = load_questions(questions_path)
    everything = content_pages(root)
    with_source = [p for p in everything if os.path.exists(rst_source(p, root))]
    named = [p for p in answer_pages(questions) if p in set(everything)]
    if not quick and not text:
        return {"quick": False, "questions": len(questions), "html": everything, "pdf": everything,
                "sources": with_source, "office": sorted(named, key=lambda p: p.split("/"))}
    answers = set(answer_pages(questions[:QUICK_QUESTIONS]))
    first = [p for p in everything if p in answers]
    others = [p for p in everything if p not in answers]
    if text:
        return {"quick": False, "questions": QUICK_QUESTIONS, "html": first + others[:QUICK_OTHER_HTML], "pdf": [],
                "sources": with_source, "office": []}
    # The smallest, so the quick run converts little.
    small = sorted((p for p in first if p in set(with_source)), key=lambda p: os.path.getsize(os.path.join(root, p)))
    small = sorted(small[:QUICK_SMALL], key=lambda page: page.split("/"))
    return {"quick": True, "questions": QUICK_QUESTIONS, "html": first + others[:QUICK_OTHER_HTML],
            "pdf": first + others[:QUICK_OTHER_PDF], "sources": small, "office": small}


def forms(chosen, root=HTML_ROOT, cache=CACHE):
    """The files of each form of a selection's pages that exist, by form (rst, markdown, text, html, pdf, docx, odt,
    epub): what the benchmark ingests."""
    out = {
        "rst": [rst_source(p, root) for p in chosen["sources"]],
        "markdown": [made_path("markdown", p, cache) for p in chosen["sources"]],
        "text": [made_path("text", p, cache) for p in chosen["sources"]],
        "html": [os.path.join(root, p) for p in chosen["html"]],
        "pdf": [made_path("pdf", p, cache) for p in chosen["pdf"]],
        **{f: [made_path(f, p, cache) for p in chosen["office"]] for f in ("docx", "odt", "epub")},
    }
    return {name: [p for p in paths if os.path.exists(p)] for name, paths in out.items()}


def main():
    if len(sys.argv) < 2 or sys.argv[1] != "selection" or not set(sys.argv[2:]) <= {"--quick", "--text"}:
        sys.exit("usage: corpus.py selection [--quick | --text]")
    json.dump(selection(quick="--quick" in sys.argv, text="--text" in sys.argv), sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
