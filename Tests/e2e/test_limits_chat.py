"""The chat's limits end to end (issue 11): the real `quarry serve`, configured through its environment variables,
refuses what is past a limit with a notice in the page that says what to do, and saves nothing for it.

Fresh sessions are fresh browser contexts (each `GET /` mints one); they all come from 127.0.0.1, one address.
Every wait is on a condition, never on the clock."""
import re

from chat_support import (LONG, ask, assistant_articles, expect, messages, open_page, question_box, serve,
                          standin)  # noqa: F401 (standin: fixture)
from conftest import run, wait_until


def refuse(page, question):
    """Asks `question` and returns the notice that refuses it."""
    box = question_box(page)
    expect(box).to_be_enabled(timeout=LONG)
    box.fill(question)
    box.press("Enter")
    notice = page.locator("#notice > p.notice-error[data-error=too_many_questions]")
    expect(notice).to_be_visible(timeout=LONG)
    expect(notice).to_have_attribute("role", "alert")
    expect(question_box(page)).to_be_enabled()
    return notice


def test_fresh_sessions_from_one_address_share_its_questions_a_minute(browser, quarry, tmp_path):
    q = serve(quarry, tmp_path, env={"QUARRY_QUESTIONS_PER_MINUTE_PER_PEER": "2"})
    for question in ["When does the café open?", "Where do deliveries arrive?"]:
        page = open_page(browser.new_context(), q.port)
        ask(page, question).status("complete")
    page = open_page(browser.new_context(), q.port)
    notice = refuse(page, "Where do visitors park?")
    expect(notice).to_have_text(re.compile(r"^That is 2 questions in a minute from this computer's network address\. "
                                           r"Please wait \d+ s before asking again\.$"))
    expect(assistant_articles(page)).to_have_count(0)
    assert len(messages(q.db)) == 4
    assert page.problems == []


def test_the_model_ceiling_is_told_with_when_to_ask_again(browser, quarry, standin, tmp_path):
    model = standin()
    q = serve(quarry, tmp_path, model=model, env={"QUARRY_LLM_REQUESTS_PER_MINUTE": "1"})
    page = open_page(browser.new_context(), q.port)
    ask(page, "When does the café open?").status("complete")
    other = open_page(browser.new_context(), q.port)
    notice = refuse(other, "Where do deliveries arrive?")
    expect(notice).to_have_text(re.compile(r"^Quarry has asked the language model all the questions it may this "
                                           r"minute\. Please try again in \d+ seconds?\.$"))
    assert len(messages(q.db)) == 2
    wait_until(lambda: "refused a question: the ceiling on model requests a minute is reached" in q.output(),
               what="the refusal in the log")


def test_the_model_services_own_words_reach_the_log_and_never_the_page(browser, quarry, standin, tmp_path):
    model = standin()
    q = serve(quarry, tmp_path, model=model)
    page = open_page(browser.new_context(), q.port)
    answer = ask(page, "When does the café open? [standin:status=500,times=9]")
    answer.status("error")
    expect(answer.error).to_have_text("The language model service had a problem. Please try again in a moment.")
    assert "Sorry about that" not in page.content()
    wait_until(lambda: "Sorry about that" in q.output(), what="the service's words in the log")


def test_limit_settings_out_of_range_are_refused_with_the_range(tmp_path):
    for key, value in [("QUARRY_QUESTIONS_PER_MINUTE_PER_PEER", "0"), ("QUARRY_WAITING_ANSWERS", "-1"),
                       ("QUARRY_ANSWERS_PER_PEER", "lots"), ("QUARRY_MAX_QUESTION_BYTES", "10")]:
        result = run("serve", "--port", "0", "--db", str(tmp_path / "quarry.db"), env={key: value})
        assert result.returncode != 0, (key, result)
        assert f"{key} must be a whole number from" in result.stderr, (key, result.stderr)
    result = run("serve", "--port", "0", "--db", str(tmp_path / "quarry.db"),
                 env={"QUARRY_LLM_BASE_URL": "http://127.0.0.1:9/v1", "QUARRY_LLM_REQUESTS_PER_MINUTE": "-5"})
    assert result.returncode != 0 and "QUARRY_LLM_REQUESTS_PER_MINUTE must be a whole number" in result.stderr, result
