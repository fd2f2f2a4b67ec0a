"""`quarry doctor` against a good set-up and against each thing that commonly goes wrong, each named with its fix:
a key the model service refuses (the stand-in's 401), an endpoint nobody listens on, a model the service lacks,
a documents folder that is not there, and a setting serve would refuse."""
import os
import socket

from chat_support import standin  # noqa: F401 (fixture)
from conftest import run


def doctor(tmp_path, *args, env=None):
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "kiosk.md").write_text("# The kiosk\n\nHold the power button for ten seconds to reset it.\n")
    (docs / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    db = tmp_path / "q.db"
    if not db.exists():
        assert run("ingest", "--db", str(db), str(docs)).returncode == 0
    return run("doctor", "--db", str(db), "--docs", str(docs), "--port", str(free_port()), *args, env=env, timeout=60)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lines(result, verdict):
    return [line for line in result.stdout.splitlines() if line.startswith(verdict)]


def test_a_good_setup_passes_every_check(tmp_path, standin):
    model = standin("--tokens-per-second", "0")
    result = doctor(tmp_path, env=model.env(QUARRY_EMBEDDINGS_MODEL="standin-embed"))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "ok       database:" in out and "passes its check" in out and "mode 600" in out
    assert "ok       documents:" in out and "1 files Quarry reads" in out and "1 passed over" in out
    assert "ok       model: standin-chat at" in out and "its first word came after" in out
    assert "ok       embeddings: standin-embed" in out and "vectors of" in out
    assert "ok       port:" in out and "ok       open files:" in out and "ok       disk:" in out
    assert out.rstrip().endswith("No problems found.")


def test_a_refused_key_names_the_variable_to_set(tmp_path, standin):
    model = standin("--tokens-per-second", "0", "--api-key", "the-right-key")
    result = doctor(tmp_path, env=model.env(QUARRY_LLM_API_KEY="a-wrong-key"))
    assert result.returncode == 1
    problem = lines(result, "PROBLEM")
    assert problem and "model: standin-chat" in problem[0] and "the key was not accepted (HTTP 401)" in problem[0], result.stdout
    assert "fix: set QUARRY_LLM_API_KEY (or OPENAI_API_KEY) to a key this service accepts" in result.stdout
    assert "a-wrong-key" not in result.stdout and "the-right-key" not in result.stdout


def test_an_endpoint_nobody_listens_on(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/v1"
    result = doctor(tmp_path, "--llm-base-url", url, "--llm-model", "llama3.2")
    assert result.returncode == 1
    assert "PROBLEM  model: llama3.2 at" in result.stdout and "cannot be reached" in result.stdout
    assert f"fix: start the model server, or correct QUARRY_LLM_BASE_URL (now {url})" in result.stdout


def test_a_model_the_service_lacks(tmp_path, standin):
    model = standin("--tokens-per-second", "0")
    result = doctor(tmp_path, env=model.env(QUARRY_LLM_MODEL="llama9"))
    assert result.returncode == 1
    assert "the service has no model “llama9”" in result.stdout
    assert "fix: set QUARRY_LLM_MODEL to a model the service has (for Ollama: ollama pull llama9)" in result.stdout


def test_a_missing_folder_and_a_bad_setting(tmp_path):
    result = run("doctor", "--db", str(tmp_path / "q.db"), "--docs", str(tmp_path / "nowhere"),
                 "--port", str(free_port()))
    assert result.returncode == 1
    assert f"PROBLEM  documents: {tmp_path / 'nowhere'} does not exist" in result.stdout
    assert "fix: create it and put the documents in it, or correct --docs" in result.stdout
    assert "ok       database:" in result.stdout and "does not exist yet; quarry serve creates it" in result.stdout
    assert not os.path.exists(tmp_path / "q.db"), "the doctor creates nothing"

    bad = run("doctor", "--db", str(tmp_path / "q.db"), "--max-connections", "lots")
    assert bad.returncode == 1
    assert "PROBLEM  settings: --max-connections must be a whole number" in bad.stdout
    assert "quarry serve would not start with it" in bad.stdout
