"""Code in answers, in a real headless Chromium: highlighted by the server, and copied with the Copy buttons, also
from a plain-http address that is not localhost, as on a kiosk or an intranet, where the page is not a secure
context and the Clipboard API is missing (the script then selects the text and uses the copy command).

The browser maps the name kiosk.test to 127.0.0.1 (Chromium's --host-resolver-rules), and the server allows that
origin (QUARRY_ALLOWED_ORIGINS), so the page runs at http://kiosk.test:PORT/ without touching the machine's
network. Every wait is on a condition."""
import base64

import pytest

from chat_support import LONG, Answer, ask, expect, serve, standin  # noqa: F401 (standin: fixture)
from conftest import free_port

playwright = pytest.importorskip("playwright.sync_api")

KIOSK = "kiosk.test"
CODE = 'def area(r):\n    """Circle <area> & more."""\n    return 3.14159 * r ** 2  # pi r²'
ANSWER = f"Run this:\n\n```python\n{CODE}\n```\n\nThen call `area(2)`.\n"
# The copies the page makes with the copy command, as the selection it copied.
RECORD_COPIES = """() => { window.copies = [];
    document.addEventListener('copy', () => window.copies.push(getSelection().toString())); }"""


def question():
    """A question the stand-in answers with ANSWER."""
    answer = base64.urlsafe_b64encode(ANSWER.encode()).decode().rstrip("=")
    return f"How do I compute an area? [standin:answer={answer}]"


@pytest.fixture(scope="module")
def kiosk_browser():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=[f"--host-resolver-rules=MAP {KIOSK} 127.0.0.1"])
        yield browser
        browser.close()


def open_at(context, url):
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.goto(url)
    expect(page.locator("#connection-status")).to_have_text("Connected")
    return page


def label(button):
    """What a Copy button says: its words are the stylesheet's (::before), so the copied text holds none."""
    return button.evaluate("(b) => getComputedStyle(b, '::before').content")


def answered(page):
    answer = ask(page, question())
    answer.status("complete")
    return answer


def test_code_is_highlighted_and_copied_on_plain_http_away_from_localhost(kiosk_browser, quarry, standin, tmp_path):
    port = free_port()
    serve(quarry, tmp_path, standin(), env={"QUARRY_ALLOWED_ORIGINS": f"http://{KIOSK}:{port}"}, port=port)
    context = kiosk_browser.new_context()
    page = open_at(context, f"http://{KIOSK}:{port}/")
    assert page.evaluate("() => [isSecureContext, 'clipboard' in navigator]") == [False, False]
    page.evaluate(RECORD_COPIES)
    answer = answered(page)

    # Highlighted by the server: the tokens are spans, coloured apart from the code around them.
    code = answer.content.locator("pre > code.language-python")
    expect(code.locator(".kw").first).to_have_text("def")
    expect(code.locator(".str").first).to_have_text('"""Circle <area> & more."""')
    expect(code.locator(".com")).to_have_text("# pi r²")
    colours = code.evaluate("(c) => [c, c.querySelector('.kw'), c.querySelector('.str')].map((e) => getComputedStyle(e).color)")
    assert len(set(colours)) == 3, colours

    # The code block's Copy button: the selection copied is the code, exactly; it says "Copied", then "Copy" again.
    copy_code = answer.content.locator("pre > button[data-copy='']")
    assert label(copy_code) == '"Copy"'
    copy_code.click()
    expect(copy_code).to_have_attribute("data-copied", "")
    assert label(copy_code) == '"Copied"'
    assert page.evaluate("() => window.copies") == [CODE]
    assert page.evaluate("() => getSelection().toString()") == "", "the selection is given back"
    expect(copy_code).not_to_have_attribute("data-copied", "", timeout=LONG)
    assert label(copy_code) == '"Copy"'

    # And the browser's clipboard holds it: read back from a secure page of the same browser.
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=f"http://127.0.0.1:{port}")
    reader = open_at(context, f"http://127.0.0.1:{port}/")
    assert reader.evaluate("() => navigator.clipboard.readText()") == CODE

    # The answer's Copy button copies the answer's text, code and all.
    copy_answer = answer.article.locator(f"button[data-copy='{answer.id}']")
    copy_answer.click()
    expect(copy_answer).to_have_attribute("data-copied", "")
    copied = page.evaluate("() => window.copies")[1]
    assert copied.startswith("Run this:") and CODE in copied and copied.rstrip().endswith("Then call area(2)."), copied
    assert reader.evaluate("() => navigator.clipboard.readText()") == copied
    # Chromium says that it ignores the server's Cross-Origin-Opener-Policy on an untrustworthy origin: expected
    # on plain http, and nothing else may be logged.
    assert [p for p in page.problems if "Cross-Origin-Opener-Policy" not in p] == [] and reader.problems == []


def test_in_a_secure_context_the_clipboard_api_copies(kiosk_browser, quarry, standin, tmp_path):
    q = serve(quarry, tmp_path, standin())
    context = kiosk_browser.new_context()
    origin = f"http://127.0.0.1:{q.port}"
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    page = open_at(context, origin + "/")
    assert page.evaluate("() => isSecureContext") is True
    page.evaluate(RECORD_COPIES)
    answer = answered(page)
    copy_code = answer.content.locator("pre > button[data-copy='']")
    copy_code.click()
    expect(copy_code).to_have_attribute("data-copied", "")
    assert page.evaluate("() => navigator.clipboard.readText()") == CODE
    assert page.evaluate("() => window.copies") == [], "no copy command: the Clipboard API wrote it"
    assert page.problems == []
