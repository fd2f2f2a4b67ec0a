"""The documents people have (issue 10), end to end through the release binary: PDFs, Word, OpenDocument and EPUB
files read by `quarry ingest` and `quarry serve --docs`, hostile files read around with a reason each, a PDF dropped
into a running server's folder answered from in the page with its page shown, and a kill during a PDF folder's
ingestion. The files are the fixtures the readers' Swift tests use (Tests/RetrievalTests/Fixtures, made by
tools/corpus/make-pdf-fixtures and make-office-fixtures from Debian's python3.11-doc)."""
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import BINARY, run, wait_until
from chat_support import LONG, expect, open_page, ask, serve, query, DOCS

FIXTURES = Path(__file__).resolve().parent.parent / "RetrievalTests" / "Fixtures"
SUMMARY = re.compile(r"^Ingested (\d+) files \((\d+) new, (\d+) changed\), (\d+) unchanged, (\d+) removed, "
                     r"(\d+) skipped: (\d+) chunks", re.MULTILINE)
PAGES = re.compile(r"^pp?\. (\d+)(?:–(\d+))?$")

# name in the folder, fixture, a word of what the reason says
HOSTILE = [
    ("locked.pdf", "pdf/encrypted.pdf", "encrypted"),
    ("scan.pdf", "pdf/scan.pdf", "no text layer"),
    ("not-really.pdf", "pdf/not-a-pdf.pdf", "not a PDF"),
    ("bomb.docx", "office/bomb.docx", "zip bomb"),
    ("laughs.docx", "office/billion-laughs.docx", "entities"),
    ("xxe.docx", "office/xxe.docx", "entities"),
    ("notes.docx", "office/plain-text.docx", "not a zip archive"),
    ("locked.docx", "office/password.docx", "password"),
]
GOOD = [
    ("secrets.pdf", "pdf/secrets.pdf"),
    ("string.docx", "office/string.docx"),
    ("curses.odt", "office/curses.odt"),
    ("book.epub", "office/book.epub"),
]


def ingest(db, *paths):
    return run("ingest", "--db", str(db), *map(str, paths), timeout=120)


def counts(result):
    found = SUMMARY.findall(result.stderr)
    assert len(found) == 1, result.stderr
    return dict(zip(["files", "new", "changed", "unchanged", "removed", "skipped", "chunks"], map(int, found[0])))


def copy(name, fixture, folder):
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / fixture, target)
    return target


def rows(db, sql, *params):
    with sqlite3.connect(db) as c:
        return c.execute(sql, params).fetchall()


def test_a_folder_of_documents_and_hostile_files_is_read_around_each_with_a_reason(tmp_path):
    docs = tmp_path / "docs"
    for name, fixture in GOOD:
        copy(name, fixture, docs)
    for name, fixture, _ in HOSTILE:
        copy(name, fixture, docs)
    (docs / "readme.md").write_text("# Front desk\n\nThe quokka exhibit opens at ten.\n")
    # A link in the folder to a file outside it: not read, however readable.
    secret = tmp_path / "secret.txt"
    secret.write_text("The vault code is topsecretword.\n")
    os.symlink(secret, docs / "secret.txt")
    db = tmp_path / "kb.db"

    result = ingest(db, docs)
    assert result.returncode == 0, result.stderr
    found = counts(result)
    assert found["new"] == len(GOOD) + 1, result.stderr
    assert found["skipped"] == len(HOSTILE) + 1, result.stderr
    for name, _, word in HOSTILE:
        line = re.search(rf"^skipped {re.escape(os.path.realpath(docs / name))}: (.+)$", result.stderr, re.MULTILINE)
        assert line, (name, result.stderr)
        assert word.lower() in line.group(1).lower(), (name, line.group(1))
    assert re.search(rf"^skipped {re.escape(str(docs / 'secret.txt'))}: .*outside the folder", result.stderr,
                     re.MULTILINE), result.stderr

    stored = dict(rows(db, "SELECT path, failure FROM documents"))
    for name, _ in GOOD:
        assert stored[os.path.realpath(docs / name)] is None, name
    for name, _, _ in HOSTILE:
        assert stored[os.path.realpath(docs / name)], name
    assert not any(path.endswith("/secret.txt") for path in stored), stored
    assert rows(db, "SELECT count(*) FROM chunks WHERE text LIKE '%topsecretword%'") == [(0,)]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    # Every document read has chunks; the PDF's carry pages.
    assert rows(db, "SELECT count(*) FROM documents d WHERE failure IS NULL AND NOT EXISTS "
                    "(SELECT 1 FROM chunks WHERE document_id = d.id)") == [(0,)]
    pdf_pages = rows(db, "SELECT min(first_page), max(last_page), count(*) FROM chunks c JOIN documents d "
                         "ON d.id = c.document_id WHERE d.path LIKE '%secrets.pdf'")[0]
    assert pdf_pages[0] == 1 and pdf_pages[1] >= 2, pdf_pages
    assert rows(db, "SELECT count(*) FROM chunks WHERE first_page IS NOT NULL AND document_id NOT IN "
                    "(SELECT id FROM documents WHERE path LIKE '%.pdf')") == [(0,)]

    # Again: nothing is read or written again, and the files still unreadable are listed again with their reasons.
    with sqlite3.connect(db) as watcher:
        before = watcher.execute("PRAGMA data_version").fetchone()[0]
        again = ingest(db, docs)
        assert again.returncode == 0, again.stderr
        assert counts(again)["unchanged"] == len(GOOD) + 1 and counts(again)["skipped"] == len(HOSTILE) + 1
        assert watcher.execute("PRAGMA data_version").fetchone()[0] == before
    for name, _, word in HOSTILE:
        assert re.search(rf"^skipped {re.escape(os.path.realpath(docs / name))}: .*{re.escape(word)}", again.stderr,
                         re.MULTILINE | re.IGNORECASE), name

    # `quarry search` names the document, its section and its page.
    searched = run("search", "--db", str(db), "random text string in hexadecimal")
    assert searched.returncode == 0, searched.stderr
    first = searched.stdout.splitlines()[0]
    assert "secrets" in first and re.search(r", pp?\. \d", first), searched.stdout


def test_a_kill_during_a_pdf_folders_ingestion_leaves_a_sound_database_that_the_next_run_completes(tmp_path):
    docs = tmp_path / "pdfs"
    names = ["secrets.pdf", "bisect-headers.pdf", "textwrap-source.pdf"]
    files = 45
    for i in range(files):
        copy(f"part{i % 3}/doc{i:03d}.pdf", f"pdf/{names[i % 3]}", docs)
    reference = tmp_path / "reference.db"
    assert ingest(reference, docs).returncode == 0

    db = tmp_path / "killed.db"
    process = subprocess.Popen([BINARY, "ingest", "--db", str(db), str(docs)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        def some_stored():
            if process.poll() is not None:
                raise AssertionError("ingest ended before it could be killed")
            try:
                return rows(f"file:{db}?mode=ro", "SELECT count(*) FROM documents")[0][0] >= files // 3
            except sqlite3.Error:
                return False
        wait_until(some_stored, timeout=120, what="a third of the PDFs stored")
        process.send_signal(signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL

    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    stored = rows(db, "SELECT count(*) FROM documents")[0][0]
    assert 0 < stored < files, stored
    # Every document stored is whole: the same chunks, with the same pages, as a clean ingestion gives it.
    chunks = "SELECT d.path, c.ordinal, c.text, c.first_page, c.last_page FROM chunks c JOIN documents d " \
             "ON d.id = c.document_id ORDER BY d.path, c.ordinal"
    clean = {}
    for path, *rest in rows(reference, chunks):
        clean.setdefault(path, []).append(tuple(rest))
    partial = {}
    for path, *rest in rows(db, chunks):
        partial.setdefault(path, []).append(tuple(rest))
    assert len(partial) == stored
    for path, pieces in partial.items():
        assert pieces == clean[path], path

    resumed = ingest(db, docs)
    assert resumed.returncode == 0, resumed.stderr
    assert counts(resumed)["new"] == files - stored
    assert rows(db, chunks) == rows(reference, chunks)


def test_a_pdf_dropped_into_a_running_servers_folder_is_answered_from_with_its_page(browser, quarry, tmp_path):
    q = serve(quarry, tmp_path, env={"QUARRY_DOCS_RESCAN": "1"})
    shutil.copyfile(FIXTURES / "pdf" / "secrets.pdf", tmp_path / "docs" / "secrets.pdf")
    wait_until(lambda: query(q.db, "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id "
                                   "WHERE d.path LIKE '%secrets.pdf'")[0][0] > 0,
               timeout=30, what="the dropped PDF in the knowledge base")

    page = open_page(browser.new_context(), q.port)
    answer = ask(page, "How do I get a random text string in hexadecimal?")
    answer.status("complete")
    first = answer.sources.locator("li").first
    expect(first.locator(".title")).to_have_text(re.compile(r"^secrets — Generate secure random numbers"),
                                                 timeout=LONG)
    label = first.locator(".page").text_content()
    pages = PAGES.match(label)
    assert pages, label
    low, high = int(pages.group(1)), int(pages.group(2) or pages.group(1))
    assert low <= 2 <= high, label
    saved = query(q.db, "SELECT document_title, first_page, last_page FROM message_sources WHERE message_id = ? "
                        "ORDER BY rank LIMIT 1", answer.id)[0]
    assert saved[0].startswith("secrets") and saved[1] == low and saved[2] == high, saved
    assert page.problems == []

    # The source opens its passage in the reading view: marked, placed, its page named, the PDF a tap away at it.
    answer.sources.locator("summary").click()
    first.locator("a.title").click()
    expect(page).to_have_url(re.compile(r"/messages/\d+/sources/1#passage$"), timeout=LONG)
    cited = page.locator("section#passage.cited")
    expect(cited).to_be_visible()
    expect(cited).to_be_in_viewport()
    assert "hex" in cited.text_content().lower(), cited.text_content()
    expect(page.locator(".cited-at")).to_contain_text(label)
    original = page.locator("a.original")
    expect(original).to_have_text(f"Open the PDF at page {low}")
    href = original.get_attribute("href")
    assert re.fullmatch(r"/documents/\d+/file#page=%d" % low, href), href
    pdf = page.request.get(f"http://127.0.0.1:{q.port}{href.split('#')[0]}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf", pdf.headers
    assert pdf.body() == (tmp_path / "docs" / "secrets.pdf").read_bytes()
    assert page.problems == []


def test_a_markdown_source_opens_at_its_passage_and_only_ingested_files_inside_the_folder_are_served(
        browser, quarry, tmp_path):
    q = serve(quarry, tmp_path)
    (tmp_path / "outside.txt").write_text("Secret outside the documents folder.")
    page = open_page(browser.new_context(), q.port)
    answer = ask(page, "Which payments does the café take?")
    answer.status("complete")
    source = answer.sources.locator("a.title").first
    expect(source).to_have_text("Café hours", timeout=LONG)
    answer.sources.locator("summary").click()
    source.click()
    cited = page.locator("section#passage.cited")
    expect(cited).to_contain_text("The café takes cards and cash.")
    expect(cited).to_be_in_viewport()
    expect(page.locator("main.document h1")).to_have_text("Café hours")
    expect(page.locator("main.document h2")).to_have_text("Payment")
    expect(page.locator("a.original")).to_have_text("Open the original file")
    assert page.problems == []

    # What the reading addresses refuse: no session, no such document, and a file that is not a document (a link
    # into the folder leading outside it, then read under the document's name).
    base = f"http://127.0.0.1:{q.port}"
    document = re.search(r"/documents/(\d+)/file", page.locator("a.original").get_attribute("href")).group(1)
    for path, status in [(f"/documents/{document}", 403), ("/documents/999999", 403)]:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + path, timeout=10)
        assert refused.value.code == status
    assert page.request.get(base + "/documents/999999").status == 404
    cafe = tmp_path / "docs" / "cafe.md"
    cafe.unlink()
    os.symlink(tmp_path / "outside.txt", cafe)
    leaked = page.request.get(f"{base}/documents/{document}/file")
    assert leaked.status == 404 and b"Secret" not in leaked.body(), leaked.text()

    # The way back leads to the conversation the source came from.
    page.locator(".reading-bar a").click()
    expect(page).to_have_url(re.compile(r"/#\d+$"))
    expect(page.locator("details.sources a.title").first).to_have_text("Café hours", timeout=LONG)
    assert page.problems == []
