#!/usr/bin/env python3
"""Makes the benchmark corpus's other formats from Debian's python3.11-doc, into the cache folder (.corpus/):

- PDF of every content page (quick: 23), printed by headless Chromium. One browser, driven by Playwright, prints
  pages two at a time (`page.pdf` with `outline=True`, so h1–h6 become the PDF's bookmarks, and `tagged=True`);
  `--pdf-with cli` spawns `chromium --print-to-pdf` per page instead (the issue's recipe; slower: make-formats
  prints both rates when asked to compare).
- Markdown and plain text of every reST source (quick: 6), by `pandoc -f rst -t gfm-raw_html` and `-t plain`.
- DOCX, ODT and EPUB of every page a question names (83; quick: 6), by pandoc from the HTML page's main content
  (`div.body`, without the "¶" links), titled by the page's <title>.

Each output mirrors the HTML tree (`library/json.html` → `pdf/library/json.pdf`; corpus.py says where each form
lives). An output newer than its input is kept; a folder whose settings changed (paper, pandoc options) is made
again; outputs are written to a temporary name and renamed, so an interrupted run leaves no half file.
"""
import argparse
import asyncio
import concurrent.futures
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import corpus

PDF_SETTINGS = "chromium print: A4, margins 15 mm, outline, tagged, no header/footer, no backgrounds"
PANDOC = {
    "markdown": ["-f", "rst", "-t", "gfm-raw_html"],
    "text": ["-f", "rst", "-t", "plain"],
    "docx": ["-f", "html", "-t", "docx"],
    "odt": ["-f", "html", "-t", "odt"],
    "epub": ["-f", "html", "-t", "epub3"],
}
# Reproducible containers: pandoc stamps this date instead of now.
PANDOC_ENV = dict(os.environ, SOURCE_DATE_EPOCH="1675728000")


def fresh(output, source):
    """Whether `output` exists and is at least as new as `source`."""
    try:
        return os.path.getmtime(output) >= os.path.getmtime(source)
    except OSError:
        return False


def settle_folder(cache, folder, settings):
    """Empties a format's folder when the settings it was made with differ from `settings`."""
    path = os.path.join(cache, folder)
    stamp = os.path.join(path, ".settings")
    try:
        with open(stamp, encoding="utf-8") as f:
            if f.read() == settings:
                return
    except OSError:
        pass
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    with open(stamp, "w", encoding="utf-8") as f:
        f.write(settings)


def main_content(page_html):
    """The page's title and its main content (`<div class="body" role="main">`, Sphinx's), "¶" links dropped, as a
    small HTML document for pandoc."""
    start = page_html.index('<div class="body" role="main">')
    depth = 0
    for m in re.finditer(r"<div\b|</div>", page_html[start:]):
        depth += 1 if m.group(0) == "<div" else -1
        if depth == 0:
            body = page_html[start:start + m.end()]
            break
    else:
        body = page_html[start:]
    body = re.sub(r'<a class="headerlink"[^>]*>\u00b6</a>', "", body)
    found = re.search(r"<title>(.*?)</title>", page_html, re.S)
    title = html.unescape(found.group(1)).split(" \u2014 Python ")[0].strip() if found else ""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
            f"<body>{body}</body></html>")


def pandoc(folder, page, cache):
    """Makes one page's form with pandoc; returns (page, 'made' | 'kept' | error text)."""
    source = corpus.rst_source(page) if folder in ("markdown", "text") else os.path.join(corpus.HTML_ROOT, page)
    output = corpus.made_path(folder, page, cache)
    if fresh(output, source):
        return page, "kept"
    os.makedirs(os.path.dirname(output), exist_ok=True)
    with open(source, encoding="utf-8") as f:
        text = f.read()
    if folder not in ("markdown", "text"):
        text = main_content(text)
    temporary = output + ".part"
    done = subprocess.run(["pandoc", *PANDOC[folder], "-o", temporary], input=text.encode(), env=PANDOC_ENV,
                          capture_output=True, timeout=300)
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        return page, lines[-1] if lines else f"pandoc exited with {done.returncode}"
    os.replace(temporary, output)
    return page, "made"


async def print_pdfs(pages, cache, jobs):
    """Prints the pages to PDF in one headless Chromium, `jobs` pages at a time; returns {page: status}."""
    from playwright.async_api import async_playwright

    status = {}
    queue = [p for p in pages if not fresh(corpus.made_path("pdf", p, cache), os.path.join(corpus.HTML_ROOT, p))]
    status.update({p: "kept" for p in pages if p not in set(queue)})
    if not queue:
        return status
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium")

        async def worker():
            page = await browser.new_page()
            while queue:
                name = queue.pop(0)
                output = corpus.made_path("pdf", name, cache)
                os.makedirs(os.path.dirname(output), exist_ok=True)
                for attempt in range(2):
                    try:
                        await page.goto("file://" + os.path.join(corpus.HTML_ROOT, name), wait_until="load")
                        await page.pdf(path=output + ".part", format="A4", outline=True, tagged=True,
                                       margin={"top": "15mm", "bottom": "15mm", "left": "15mm", "right": "15mm"})
                        os.replace(output + ".part", output)
                        status[name] = "made"
                        break
                    except Exception as error:  # noqa: BLE001 (a page that cannot print is reported, not fatal)
                        status[name] = str(error).splitlines()[0]
            await page.close()

        await asyncio.gather(*(worker() for _ in range(jobs)))
        await browser.close()
    return status


def print_pdfs_cli(pages, cache):
    """Prints each page with its own `chromium --headless --print-to-pdf` (the slow way, for comparison)."""
    status = {}
    for name in pages:
        output = corpus.made_path("pdf", name, cache)
        if fresh(output, os.path.join(corpus.HTML_ROOT, name)):
            status[name] = "kept"
            continue
        os.makedirs(os.path.dirname(output), exist_ok=True)
        with tempfile.TemporaryDirectory() as profile:
            done = subprocess.run(
                ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                 f"--user-data-dir={profile}", "--generate-pdf-document-outline",
                 f"--print-to-pdf={output}.part", "file://" + os.path.join(corpus.HTML_ROOT, name)],
                capture_output=True, timeout=120)
        if done.returncode == 0 and os.path.exists(output + ".part"):
            os.replace(output + ".part", output)
            status[name] = "made"
        else:
            status[name] = "chromium exited with %d" % done.returncode
    return status


def folder_size(cache, folder, pages):
    return sum(os.path.getsize(p) for p in (corpus.made_path(folder, page, cache) for page in pages)
               if os.path.exists(p))


def report(folder, status, seconds, cache, pages):
    made = sum(s == "made" for s in status.values())
    kept = sum(s == "kept" for s in status.values())
    failed = {p: s for p, s in status.items() if s not in ("made", "kept")}
    rate = f", {seconds / made:.2f} s per file" if made else ""
    print(f"  {folder:<9} {len(pages) - len(failed):>4} files, {folder_size(cache, folder, pages) / 1e6:7.1f} MB"
          f"  ({made} made, {kept} kept, {len(failed)} failed; {seconds:.1f} s{rate})", flush=True)
    for page, error in list(failed.items())[:5]:
        print(f"    failed: {page}: {error}", file=sys.stderr)
    return not failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="only the quick run's pages (23 PDFs, 6 of each other form)")
    ap.add_argument("--only", default=",".join(corpus.MADE), help="formats to make, comma-separated (%(default)s)")
    ap.add_argument("--cache", default=corpus.CACHE, help="the cache folder (%(default)s)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="conversions at a time (%(default)s)")
    ap.add_argument("--pdf-with", choices=["playwright", "cli"], default="playwright",
                    help="one browser through Playwright, or chromium --print-to-pdf per page")
    args = ap.parse_args()
    wanted = [f for f in args.only.split(",") if f]
    unknown = set(wanted) - set(corpus.MADE)
    if unknown:
        ap.error(f"unknown formats: {', '.join(sorted(unknown))}")
    chosen = corpus.selection(quick=args.quick)
    pages_of = {"pdf": chosen["pdf"], "markdown": chosen["sources"], "text": chosen["sources"],
                "docx": chosen["office"], "odt": chosen["office"], "epub": chosen["office"]}
    print(f"making {', '.join(wanted)} from {corpus.HTML_ROOT} into {args.cache}"
          f"{' (quick)' if args.quick else ''}", flush=True)
    ok = True
    for folder in wanted:
        pages = pages_of[folder]
        settings = ("chromium --print-to-pdf defaults, outline" if args.pdf_with == "cli" else PDF_SETTINGS) \
            if folder == "pdf" else "pandoc " + " ".join(PANDOC[folder])
        settle_folder(args.cache, folder, settings)
        started = time.perf_counter()
        if folder == "pdf" and args.pdf_with == "cli":
            status = print_pdfs_cli(pages, args.cache)
        elif folder == "pdf":
            status = asyncio.run(print_pdfs(pages, args.cache, args.jobs))
        else:
            with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
                status = dict(pool.map(lambda page: pandoc(folder, page, args.cache), pages))
        ok = report(folder, status, time.perf_counter() - started, args.cache, pages) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
