"""Chaos: `kill -9` at 20 random moments while answers stream and documents are read, restarting each time (issue
11). After every restart the database is sound, no answer is left `streaming`, and no text that had been saved
before the kill is lost; at the end the full-text index says exactly what the chunks say.

The moments are random but seeded (the seed is in the failure message), and every wait is on a condition."""
import os
import random
import signal
import time

from chat_support import ask_over_socket, query, standin, write_docs  # noqa: F401 (standin: a fixture)
from conftest import free_port, wait_until
from knowledge_support import check_consistent, peek

ROUNDS = 20


def corpus(root, rnd, files=300, size=20_000):
    """A folder of Markdown big enough that reading it is still going on when a kill lands."""
    docs = write_docs(root)
    words = ["".join(rnd.choice("bcdfghklmnprstvz") + rnd.choice("aeiou") for _ in range(3)) for _ in range(2000)]
    for i in range(files):
        body = " ".join(rnd.choice(words) for _ in range(size // 7))
        (docs / f"manual{i:03d}.md").write_text(f"# Manual {i}\n\n## Part one\n\n{body}\n")
    return docs, files + 4  # write_docs' four


def saved_texts(db):
    return {id: content for id, content in query(db, "SELECT id, content FROM messages")}


def test_kill_9_at_random_moments_loses_nothing_saved_and_leaves_a_sound_database(quarry, standin, tmp_path):
    seed = int.from_bytes(os.urandom(4), "little")
    rnd = random.Random(seed)
    docs, total = corpus(tmp_path, rnd)
    model = standin()
    env = {**model.env(), "QUARRY_DOCS_RESCAN": "1", "OPENAI_API_KEY": "",
           "no_proxy": "127.0.0.1,localhost", "NO_PROXY": "127.0.0.1,localhost"}
    port = free_port()
    before = {}
    for round in range(ROUNDS):
        context = f"seed {seed}, round {round}"
        q = quarry("--docs", str(docs), env=env, port=port).wait_ready()
        # Answers the last run left streaming were marked interrupted before the server took requests.
        assert query(q.db, "SELECT count(*) FROM messages WHERE status = 'streaming'")[0][0] == 0, context
        after = saved_texts(q.db)
        for id, text in before.items():
            assert id in after and after[id].startswith(text), (context, id, text, after.get(id))
        assert peek(q.db, "PRAGMA integrity_check") == "ok", context

        # Something to interrupt: a streaming answer, and documents changed since the last look.
        for path in rnd.sample(sorted(docs.glob("manual*.md")), 20):
            with open(path, "a") as f:
                f.write(f"\n## Round {round}\n\nAppended in round {round}.\n")
        answers = query(q.db, "SELECT count(*) FROM messages WHERE role = 'assistant'")[0][0]
        sockets = [ask_over_socket(port, f"Where is the café? [standin:token-delay=0.02] ({round})")]
        wait_until(lambda: query(q.db, "SELECT count(*) FROM messages WHERE role = 'assistant'")[0][0] > answers,
                   what="the question and its answer to be saved")
        # The chaos moment: somewhere in the answer's stream and the folder's reading (not a wait for anything).
        time.sleep(rnd.uniform(0, 1.5))
        before = saved_texts(q.db)
        q.process.send_signal(signal.SIGKILL)
        assert q.process.wait(timeout=10) == -signal.SIGKILL
        for ws in sockets:
            ws.sock.close()

    # A last, undisturbed run reads the folder to the end; its index matches its chunks.
    q = quarry("--docs", str(docs), env=env, port=port).wait_ready()
    assert query(q.db, "SELECT count(*) FROM messages WHERE status = 'streaming'")[0][0] == 0
    wait_until(lambda: peek(q.db, "SELECT count(*) FROM documents") == total, what="every document read")
    assert q.stop() == 0
    check_consistent(q.db)
    interrupted = query(q.db, "SELECT count(*) FROM messages WHERE status = 'interrupted'")[0][0]
    print(f"seed {seed}: {ROUNDS} kills, {interrupted} answers interrupted mid-stream")
