from test_many_hosts_redis import *  # noqa
from test_many_hosts_redis import followers  # noqa

def test_dbg(browser, quarry, standin, tmp_path, postgres, redis, followers):
    model = answer_model(standin)
    full = model.answer()
    url, a, b = two_hosts(quarry, tmp_path, postgres, redis, model)
    wait_until(lambda: subscribers(redis) >= 2)
    context = browser.new_context()
    on_a = open_page(context, a.port)
    answer = ask(on_a, QUESTION)
    streaming_snapshot(answer)
    thread, stream = thread_of(on_a)
    at_b = followers(b.port, session_cookie(context), stream)
    wait_until(at_b.has_snapshot)
    on_b = open_thread(context, b.port, thread)
    on_b_answer = Answer(on_b, answer.id)
    streaming_snapshot(on_b_answer)
    n = len(at_b.frames)
    redis.restart()
    answer.status("complete")
    on_b_answer.status("complete")
    ok = on_b_answer.html() == normalise(on_b, render(full))
    print("RESULT", ok)
    for f in at_b.frames[n:]:
        print("FRAME", f[:600])
    print("B log", b.output()[-3000:])
    print("A log", a.output()[-3000:])
