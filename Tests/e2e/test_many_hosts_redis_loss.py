"""Two Quarry hosts on one PostgreSQL database and one Redis, when Redis goes away (docs/many-hosts.md): a restart
mid-answer costs a page on host B nothing but a fresh snapshot once its subscription is back, and the answer's
state kept in Redis is written again, so a page loaded on B then still shows the answer as far as A sent it; while
Redis is down, A answers its own pages and B's catch up when it is back; a Redis that cannot be reached at the start
keeps `quarry serve` from starting, and `quarry doctor` says so. The hosts, the answer and the checks are
test_many_hosts_redis.py's."""
import pytest

from chat_support import (LONG, Answer, ask, expect, normalise, open_page, render, standin,  # noqa: F401
                          streaming_snapshot)  # (standin: a fixture)
from conftest import free_port, run, wait_until
from postgres_support import postgres  # noqa: F401 (a fixture)
from redis_support import redis  # noqa: F401 (a fixture)
from stream_support import content_html, tokens
from test_many_hosts import status
from test_many_hosts_redis import (ANSWER, QUESTION, answer_model, expect_rendered, followed_on_b, no_problems,
                                   open_thread, thread_of, two_hosts)


# A Redis restart, or the subscriptions dropped, mid-answer -------------------------------------------------------

# Each makes both hosts lose their subscription, and says whether it did.
LOSSES = {
    "restart": lambda redis: redis.restart() or True,  # a new redis-server: every connection went
    # Redis stays up with its data; only the subscribed connections go (as a network failure would take them).
    "subscriptions dropped": lambda redis: int(redis.cli("CLIENT", "KILL", "TYPE", "pubsub")) >= 2,
}


@pytest.mark.parametrize("loss", LOSSES)
def test_a_redis_restart_mid_answer_leaves_bs_page_with_the_exact_answer_and_a_answering(
        browser, quarry, standin, tmp_path, postgres, redis, loss):
    f = followed_on_b(browser, quarry, standin, tmp_path, postgres, redis)
    full, url, a, b, on_a, answer, on_b, on_b_answer = f.full, f.url, f.a, f.b, f.on_a, f.answer, f.on_b, f.on_b_answer

    assert LOSSES[loss](redis)
    # Both hosts subscribe again by themselves.
    wait_until(lambda: redis.subscribers() >= 2, timeout=LONG / 1000, what="both hosts subscribed again")
    answer.status("complete")
    on_b_answer.status("complete")
    # After its resubscription B's page got a fresh snapshot: it shows exactly the answer, once, and its steps.
    expect_rendered(answer, full)
    expect_rendered(on_b_answer, full)
    assert on_b_answer.steps.all_text_contents() == answer.steps.all_text_contents()
    expect(on_b.locator("#messages > article")).to_have_count(2)
    assert status(postgres, url, answer.id) == ("complete", full)
    assert a.process.poll() is None and b.process.poll() is None

    # And live updates flow again: A's next answer streams into B's open page.
    second = ask(on_a, "Where do deliveries arrive?")
    on_b_second = Answer(on_b, second.id)
    on_b_second.status("streaming", timeout=LONG)
    on_b_second.status("complete")
    expect_rendered(on_b_second, full)
    expect(on_b.locator("#messages > article")).to_have_count(4)
    assert no_problems(on_b) == [] and no_problems(on_a) == []


def test_while_redis_is_down_a_answers_its_own_pages_and_bs_page_catches_up_when_it_is_back(
        browser, quarry, standin, tmp_path, postgres, redis):
    f = followed_on_b(browser, quarry, standin, tmp_path, postgres, redis)
    full, url, a, on_a, answer, on_b, on_b_answer = f.full, f.url, f.a, f.on_a, f.answer, f.on_b, f.on_b_answer
    on_b.evaluate("() => { window.neverReloaded = true; }")

    redis.stop()
    # A publishes to its own pages only: its page follows the answer to its exact end.
    answer.status("complete")
    expect_rendered(answer, full)
    assert status(postgres, url, answer.id) == ("complete", full)
    # And says so (the log's sentence: "Redis cannot be used: this host's pages are kept up to date, …").
    assert "this host's pages are kept up to date" in a.output(), a.output()

    redis.start()
    wait_until(lambda: redis.subscribers() >= 2, timeout=LONG / 1000, what="both hosts subscribed again")
    # B's open page gets a fresh snapshot once its subscription is back: the ended answer, exactly.
    on_b_answer.status("complete")
    expect_rendered(on_b_answer, full)
    assert on_b_answer.steps.all_text_contents() == answer.steps.all_text_contents()
    expect(on_b_answer.sources).to_have_count(1)
    assert on_b_answer.sources.inner_html() == answer.sources.inner_html()
    expect(on_b.locator("#messages > article")).to_have_count(2)
    assert on_b.evaluate("() => window.neverReloaded === true")
    assert no_problems(on_a) == [] and no_problems(on_b) == []


def test_after_a_redis_restart_a_page_loaded_on_b_gets_the_answer_as_far_as_a_sent_it(
        browser, quarry, standin, tmp_path, postgres, redis):
    model = answer_model(standin)
    url, a, b = two_hosts(quarry, tmp_path, postgres, redis, model)
    context = browser.new_context()
    on_a = open_page(context, a.port)
    # The model sends 30 tokens, then nothing more: the answer stays in progress, its text still.
    answer = ask(on_a, QUESTION + " [standin:stall-after=30]")
    thread, _ = thread_of(on_a)
    on_b = open_thread(context, b.port, thread)
    shown = normalise(on_a, render("".join(tokens(ANSWER)[:30])))
    wait_until(lambda: content_html(on_a, answer.id) == shown and content_html(on_b, answer.id) == shown,
               timeout=LONG / 1000, what="A and B showing the 30 tokens")
    wait_until(lambda: redis.subscribers() >= 2, what="both hosts subscribed in Redis")

    redis.restart()
    wait_until(lambda: redis.subscribers() >= 2, timeout=LONG / 1000, what="both hosts subscribed again")
    on_b.reload()
    expect(on_b.locator("#thread-source")).to_have_attribute("data-thread", thread)
    Answer(on_b, answer.id).status("streaming")
    try:
        wait_until(lambda: content_html(on_b, answer.id) == shown, timeout=10, what="B showing A's text so far")
    except AssertionError:
        assert content_html(on_b, answer.id) == shown, "B's snapshot differs from what A shows"


# Redis that cannot be reached at the start --------------------------------------------------------------------------------

def test_serve_refuses_to_start_and_doctor_says_so_when_redis_cannot_be_reached(quarry, standin, tmp_path,
                                                                                postgres):
    url = postgres.create_database()
    port = free_port()
    nowhere = f"redis://:redis-secret-9@127.0.0.1:{port}"
    model = standin()
    # Pages on one host would miss the others' answers without a word: quarry serve does not start at all.
    served = quarry("--docs", str(tmp_path), db=url,
                    env={**model.env(), "OPENAI_API_KEY": "", "QUARRY_HOST_NAME": "host-a", "QUARRY_REDIS": nowhere})
    assert served.process.wait(timeout=60) == 1, served.output()
    assert ("Quarry could not start: the Redis it was given (--redis, QUARRY_REDIS) cannot be used. "
            f"Redis at 127.0.0.1:{port} refused the connection") in served.output(), served.output()
    assert "redis-secret-9" not in served.output()

    for given in (["--redis", nowhere], []):
        doctor = run("doctor", "--db", url, *given, env={"OPENAI_API_KEY": "", "QUARRY_REDIS": nowhere}, timeout=60)
        assert doctor.returncode == 1, doctor.stdout + doctor.stderr
        assert (f"PROBLEM  redis: redis://:***@127.0.0.1:{port} cannot be used: Redis at 127.0.0.1:{port} refused "
                "the connection") in doctor.stdout, doctor.stdout
        assert "redis-secret-9" not in doctor.stdout + doctor.stderr

    # Redis is for hosts sharing PostgreSQL: with a SQLite file, serve says so and does not start.
    alone = quarry("--docs", str(tmp_path), env={**model.env(), "OPENAI_API_KEY": "", "QUARRY_REDIS": nowhere})
    assert alone.process.wait(timeout=60) == 64, alone.output()
    assert "Broadcasts through Redis are for several hosts sharing one PostgreSQL database" in alone.output()
