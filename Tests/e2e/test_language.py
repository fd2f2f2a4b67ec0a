"""The visitor's language end to end, in headless Chromium: a browser whose language is German (Playwright's locale
sets its Accept-Language) gets the page's words, the thinking steps, the notices and the reading view in German;
`quarry serve --language fr` speaks French to every browser. The words come from Resources/words/*.txt; the page's
script carries none of its own."""
import re

from chat_support import LONG, Answer, assistant_articles, expect, serve
from conftest import get


def open_page(context, port, connected):
    """A tab on the server, its socket open (the status says so in the page's language)."""
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.goto(f"http://127.0.0.1:{port}/")
    expect(page.locator("#connection-status")).to_have_text(connected)
    return page


def ask(page, text):
    """Types `text` and presses Enter; returns the Answer that appears for it."""
    before = assistant_articles(page).count()
    box = page.locator("#composer-input")
    expect(box).to_be_enabled(timeout=LONG)
    box.fill(text)
    box.press("Enter")
    expect(assistant_articles(page)).to_have_count(before + 1, timeout=LONG)
    return Answer(page, assistant_articles(page).nth(before).get_attribute("id").removeprefix("message-"))


def before_content(page, selector):
    """The text a stylesheet puts before an element (`::before { content: … }`), unquoted."""
    return page.evaluate("(s) => getComputedStyle(document.querySelector(s), '::before').content", selector).strip('"')


def test_a_german_browser_gets_german_words_steps_and_notices(browser, quarry, tmp_path):
    q = serve(quarry, tmp_path, env={"QUARRY_QUESTIONS_PER_MINUTE": "2"})
    status, headers, _ = get(q.port, "/", {"Accept-Language": "de-CH, fr;q=0.8"})
    assert status == 200 and headers["Content-Language"] == "de" and "Accept-Language" in headers.get_all("Vary")
    context = browser.new_context(locale="de-DE")
    page = open_page(context, q.port, "Verbunden")
    assert page.evaluate("document.documentElement.lang") == "de"
    expect(page.locator("#new-thread")).to_have_text("Neue Unterhaltung")
    expect(page.get_by_label("Ihre Frage")).to_have_attribute("placeholder", "Stellen Sie eine Frage…")
    expect(page.locator("#composer button[type=submit]")).to_have_text("Senden")
    expect(page.locator("#notice")).to_have_attribute("title", "Zum Schließen tippen")
    assert before_content(page, "#messages") == "Stellen Sie eine Frage zu den Dokumenten auf diesem Server."

    # An answer with no model: its steps, the no-model step, its summary and its Copy button, all German.
    answer = ask(page, "Wann öffnet das Café? When does the café open?")
    answer.status("complete")
    expect(answer.steps.first).to_have_text("Durchsuche die Wissensbasis…")
    expect(answer.steps).to_contain_text([re.compile(r"^\d+ relevante Quellen? gefunden$"),
                                          "Kein Sprachmodell eingerichtet: zitiere die Dokumente",
                                          "Antwort wird erstellt…"])
    expect(answer.summary).to_have_text("Nachdenken abgeschlossen")
    expect(answer.content).to_contain_text("Es ist kein Sprachmodell eingerichtet. Hier sind deshalb die Abschnitte")
    assert before_content(page, f"#message-{answer.id} > .copy") == "Kopieren"

    # A reload brings the thread back in German (the snapshot is made in the socket's language).
    page.reload()
    expect(page.locator("#connection-status")).to_have_text("Verbunden")
    expect(answer.summary).to_have_text("Nachdenken abgeschlossen", timeout=LONG)
    expect(answer.steps.first).to_have_text("Durchsuche die Wissensbasis…")

    # One question too many: the notice that refuses it is German.
    ask(page, "Where do deliveries arrive?").status("complete")
    box = page.locator("#composer-input")
    box.fill("Where do visitors park?")
    box.press("Enter")
    notice = page.locator("#notice > p.notice-error[data-error=too_many_questions]")
    expect(notice).to_have_text(re.compile(r"^Das sind 2 Fragen in einer Minute\. Bitte warten Sie \d+ s, bevor Sie "
                                           r"erneut fragen\.$"))
    expect(box).to_have_value("Where do visitors park?")

    # The reading view a source opens speaks German too.
    link = page.locator(f"#message-{answer.id} details.sources a.title").first
    reading = context.new_page()
    reading.goto(f"http://127.0.0.1:{q.port}{link.get_attribute('href')}")
    assert reading.evaluate("document.documentElement.lang") == "de"
    expect(reading.locator("nav.reading-bar a")).to_have_text("← Zurück zur Unterhaltung")
    # Without the page's session cookie, the refusal is German too.
    status, _, body = get(q.port, link.get_attribute("href").split("#")[0], {"Accept-Language": "de"})
    assert status == 403 and "Öffnen Sie zuerst die Seite dieses Quarry" in body.decode()
    assert page.problems == []
    context.close()


def test_language_fixed_with_the_option_wins_over_the_browsers(browser, quarry, tmp_path):
    q = serve_fixed(quarry, tmp_path, "fr")
    status, headers, _ = get(q.port, "/", {"Accept-Language": "de"})
    assert headers["Content-Language"] == "fr" and "Accept-Language" not in (headers.get_all("Vary") or [])
    context = browser.new_context(locale="de-DE")
    page = open_page(context, q.port, "Connecté")
    assert page.evaluate("document.documentElement.lang") == "fr"
    expect(page.locator("#new-thread")).to_have_text("Nouvelle conversation")
    answer = ask(page, "When does the café open?")
    answer.status("complete")
    expect(answer.steps.first).to_have_text("Recherche dans la base de connaissances…")
    expect(answer.summary).to_have_text("Réflexion terminée")
    assert before_content(page, f"#message-{answer.id} > .copy") == "Copier"
    assert page.problems == []
    context.close()


def serve_fixed(quarry, tmp_path, language):
    """`quarry serve --language LANGUAGE` over the test's documents, answering by quoting passages."""
    from chat_support import DOCS, documents_ingested, write_docs
    from conftest import wait_until
    docs = write_docs(tmp_path)
    q = quarry("--docs", str(docs), "--language", language,
               env={"OPENAI_API_KEY": "", "QUARRY_DOCS_RESCAN": "3600"}).wait_ready()
    wait_until(lambda: documents_ingested(q.db, len(DOCS)), what="the documents in the database")
    return q


def test_an_unknown_language_is_refused_at_start(quarry, tmp_path):
    from conftest import run
    result = run("serve", "--language", "xx", "--port", "0")
    assert result.returncode != 0
    assert "--language must be auto or one of en, de, es, fr, not “xx”." in result.stdout + result.stderr
