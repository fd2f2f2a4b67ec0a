"""`quarry ask` as a person runs it over SSH: the steps on stderr, the answer on stdout, then its sources; exit
status 0 when it completed, 1 on a failure (said plainly), 130 when stopped with Ctrl-C."""
import json
import os
import signal
import subprocess

import pytest

from conftest import BINARY, run, wait_until

STANDIN = os.environ.get("QUARRY_STANDIN", ".build/debug/quarry-standin")


@pytest.fixture
def corpus(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "kiosk.md").write_text("# The kiosk\n\n## Resetting\n\nHold the power button for ten seconds to reset the kiosk.\n")
    (docs / "tea.md").write_text("# Tea\n\nThe café serves green tea and black tea.\n")
    db = str(tmp_path / "q.db")
    assert run("ingest", "--db", db, str(docs)).returncode == 0
    return db


@pytest.fixture
def standin():
    process = subprocess.Popen([STANDIN, "--port", "0", "--tokens-per-second", "0"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    port = json.loads(process.stdout.readline())["port"]
    yield f"http://127.0.0.1:{port}/v1"
    process.stdin.close()
    process.wait(timeout=10)


def test_with_no_model_the_passages_answer_labelled(corpus):
    result = run("ask", "--db", corpus, "How do I reset the kiosk?")
    assert result.returncode == 0, result.stderr
    assert "· Searching knowledge base…" in result.stderr
    assert "· No language model is configured: quoting the documents" in result.stderr
    assert result.stdout.startswith("*No language model is configured")
    assert "Hold the power button for ten seconds" in result.stdout
    # The quoted passages are cited after their titles, and listed first under the numbers the answer uses.
    assert "**The kiosk** › Resetting [1]\n" in result.stdout
    assert "Sources:\n[1] The kiosk › Resetting (68%)" in result.stdout  # the only passage found: (1 + √⅛) / 2


def test_with_a_model_the_answer_streams_to_stdout(corpus, standin):
    result = run("ask", "--db", corpus, "--llm-base-url", standin, "--llm-model", "standin-chat",
                 "How do I reset the kiosk?")
    assert result.returncode == 0, result.stderr
    assert "Quarry found **two passages** that answer this" in result.stdout
    assert "· Generating response…" in result.stderr and "Sources:" in result.stdout


def test_a_failure_is_said_plainly_and_exits_1(corpus, standin):
    result = run("ask", "--db", corpus, "How do I reset the kiosk? [standin:status=401]",
                 env={"QUARRY_LLM_BASE_URL": standin, "QUARRY_LLM_MODEL": "standin-chat"})
    assert result.returncode == 1
    assert "quarry: The language model service did not accept Quarry's key" in result.stderr
    assert "Traceback" not in result.stderr and "Fatal error" not in result.stderr


def test_ctrl_c_stops_the_answer_and_keeps_what_came(corpus, standin, tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QUARRY_")}
    environment.update({"QUARRY_LLM_BASE_URL": standin, "QUARRY_LLM_MODEL": "standin-chat"})
    process = subprocess.Popen([BINARY, "ask", "--db", corpus, "Reset? [standin:token-delay=0.3]"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)
    first = process.stdout.read(6)  # the first words of the answer have arrived
    assert first
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 130
    assert b"Stopped." in process.stderr.read()
    import sqlite3
    row = sqlite3.connect(corpus).execute(
        "SELECT status, content FROM messages WHERE role = 'assistant' ORDER BY id DESC LIMIT 1").fetchone()
    assert row[0] == "stopped" and row[1].startswith("Quarry")


def test_mistakes_are_usage_errors():
    assert run("ask").returncode == 64
    assert run("ask", "--max-answers", "0", "hello").returncode == 64
    assert "QUARRY_LLM_BASE_URL must start with http" in run(
        "ask", "hello", env={"QUARRY_LLM_BASE_URL": "localhost:11434"}).stderr
