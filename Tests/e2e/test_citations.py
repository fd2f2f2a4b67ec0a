"""Inline citations in Chromium: a model's [1] becomes a link to its passage while the answer streams (never showing
as half-typed text), opens the passage in the reading view, and stays a link after a reload; the sources it cited
are listed first, the rest apart. Without a model, the quoted passages are cited the same way."""
import re

from chat_support import (LONG, ask, expect, expect_rendered, message, open_page, serve,
                          standin)  # noqa: F401 (standin: fixture)
from conftest import wait_until

ANSWER = ("The café opens at 9:00 on Saturdays [1]. It takes cards and cash [1][2]. "
          "Deliveries come through the side door [2]. A made-up claim [9].")

# Every text node of the answer's content outside a link, as the page showed it after each change.
WATCH = """(id) => {
    const content = document.getElementById('message-content-' + id);
    window.__shown = [];
    const record = () => {
        const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (!node.parentElement.closest('a')) window.__shown.push(node.data);
        }
    };
    new MutationObserver(record).observe(content, {childList: true, subtree: true, characterData: true});
}"""


def test_a_models_citations_link_to_their_passages_while_streaming_and_after_a_reload(browser, standin, quarry,
                                                                                      tmp_path):
    model = standin("--tokens-per-second", "25", "--answer", ANSWER)
    q = serve(quarry, tmp_path, model)
    page = open_page(browser.new_context(), q.port)
    answer = ask(page, "When does the café open on Saturdays, and how do I pay?")
    page.evaluate(WATCH, answer.id)

    # While it streams: the first citation is a link whose passage already opens.
    link = answer.content.locator('a[href$="/sources/1#passage"]').first
    expect(link).to_have_text("[1]", timeout=LONG)
    assert page.locator(f"#message-state-{answer.id}").get_attribute("data-status") == "streaming"
    href = link.get_attribute("href")
    assert re.fullmatch(rf"/messages/{answer.id}/sources/1#passage", href), href
    opened = page.request.get(f"http://127.0.0.1:{q.port}{href.split('#')[0]}")
    assert opened.status == 200 and 'id="passage"' in opened.text(), opened.status
    answer.status("complete")

    # No marker was ever shown as text: not half-typed, not one naming no passage.
    shown = page.evaluate("window.__shown")
    assert shown and not any(re.search(r"\[\d*", text) for text in shown), shown
    saved = message(q.db, answer.id)[3]
    assert saved == ANSWER, saved
    expect_rendered(answer, saved, q.db)
    expect(answer.content).not_to_contain_text("[9]")
    count = len(answer.content.locator("a").all())
    assert count == 4, answer.html()

    # The cited sources first, the others apart.
    sources = answer.sources
    cited = {int(n) for n in re.findall(r"/sources/(\d+)#", answer.html())}
    expect(sources.locator("summary")).to_have_text(f"{len(cited)} sources cited")
    first_list = sources.locator("ol").first.locator("li")
    assert sorted(int(v) for v in first_list.evaluate_all("(items) => items.map((li) => li.value)")) == sorted(cited)

    # After a reload, the snapshot shows the same links, and a citation opens its passage.
    page.reload()
    again = answer.content.locator('a[href$="/sources/2#passage"]').first
    expect(again).to_have_text("[2]", timeout=LONG)
    expect_rendered(answer, saved, q.db)
    title = again.get_attribute("title")
    again.click()
    expect(page).to_have_url(re.compile(rf"/messages/{answer.id}/sources/2#passage$"), timeout=LONG)
    passage = page.locator("section#passage.cited")
    expect(passage).to_be_in_viewport()
    expect(page.locator(".cited-at")).to_contain_text(title.split(" › ")[0])
    assert page.problems == []


def test_without_a_model_the_quoted_passages_are_cited(browser, quarry, tmp_path):
    q = serve(quarry, tmp_path)
    page = open_page(browser.new_context(), q.port)
    answer = ask(page, "Which payments does the café take?")
    answer.status("complete")
    saved = message(q.db, answer.id)[3]
    assert re.search(r"\*\*Café hours\*\* › Payment \[1\]\n", saved), saved
    expect_rendered(answer, saved, q.db)
    citation = answer.content.locator('a[href$="/sources/1#passage"]')
    expect(citation).to_have_text("[1]")
    wait_until(lambda: answer.sources.locator("summary").text_content().endswith("cited"), what="cited sources")
    citation.click()
    expect(page.locator("section#passage.cited")).to_contain_text("The café takes cards and cash.", timeout=LONG)
    assert page.problems == []
