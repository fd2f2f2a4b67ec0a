"""Quarry on PostgreSQL, and two Quarry hosts sharing one database (docs/many-hosts.md): conversations, accounts and
the signing secret are shared, so a browser session goes on on either host; a host killed mid-answer loses the
answer to the other within the lease, as interrupted with its saved text and Retry, and the retry completes there.
These hosts have no Redis: a page on B sees A's answer when it ends or is taken over (with Redis, live:
test_many_hosts_redis.py)."""
import os
import re
import subprocess

import pytest

from chat_support import LONG, DOCS, Answer, ask, expect, open_page, standin, streaming_snapshot, write_docs  # noqa: F401
from conftest import free_port, get, run, wait_until
from postgres_support import postgres  # noqa: F401 (a fixture)


def serve_on(quarry, tmp_path, url, model, name, extra_env=None, port=None):
    """`quarry serve` on the PostgreSQL database `url` as the host `name` (lease 3 s), answering with `model`."""
    docs = write_docs(tmp_path)
    env = {"OPENAI_API_KEY": "", "no_proxy": "127.0.0.1,localhost", "NO_PROXY": "127.0.0.1,localhost",
           "QUARRY_DOCS_RESCAN": "3600", "QUARRY_HOST_NAME": name, "QUARRY_LEASE": "3", **model.env(),
           **(extra_env or {})}
    return quarry("--docs", str(docs), env=env, db=url, port=port).wait_ready()


def kill_mid_answer(postgres, url, host, answer, full, elsewhere):
    """Kills `host` (SIGKILL) once `answer` has a checkpoint short of `full`; waits until `elsewhere` (the answer in a
    page on another host) shows it interrupted with Retry; returns the text saved."""
    wait_until(lambda: (status(postgres, url, answer.id) or ("", ""))[1], what="a checkpoint of the answer")
    assert host.stop(sig=9) == -9
    saved = status(postgres, url, answer.id)[1]
    assert saved and full.startswith(saved) and saved != full, saved
    elsewhere.status("interrupted", timeout=LONG)
    expect(elsewhere.error).to_have_text("The server answering this stopped before the answer finished.")
    expect(elsewhere.retry).to_be_visible()
    return saved


def status(postgres, url, message):
    rows = postgres.query(url, f"SELECT status, content FROM messages WHERE id = {int(message)}")
    return tuple(rows[0]) if rows else None


def test_one_host_on_postgresql_answers_and_keeps_the_conversation_across_a_restart(browser, quarry, standin,
                                                                                    tmp_path, postgres):
    url = postgres.create_database()
    model = standin("--tokens-per-second", "0")
    full = model.answer()
    a = serve_on(quarry, tmp_path, url, model, "host-a")
    wait_until(lambda: postgres.query(url, "SELECT count(*) FROM documents") == [[str(len(DOCS))]],
               what="the documents in PostgreSQL")
    context = browser.new_context()
    page = open_page(context, a.port)
    answer = ask(page, "When does the café open?")
    answer.status("complete")
    expect(answer.content).to_contain_text(full.split()[0])
    assert status(postgres, url, answer.id) == ("complete", full)
    # The sources are found by PostgreSQL's search, and open.
    expect(answer.sources).to_have_count(1)

    # The log names the database, never its password.
    assert "database=postgresql://quarry:•••@127.0.0.1" in a.output() and "host_name=host-a" in a.output()
    assert a.stop() == 0
    assert "test-secret-7" not in a.output()
    again = serve_on(quarry, tmp_path, url, model, "host-a", port=a.port)
    page.reload()
    expect(page.locator("#connection-status")).to_have_text("Connected", timeout=LONG)
    page.locator("#threads button").first.click()
    expect(Answer(page, answer.id).content).to_contain_text(full.split()[0], timeout=LONG)
    assert again.process.poll() is None
    assert page.problems == [] or all("WebSocket" in p for p in page.problems), page.problems


def test_a_host_killed_mid_answer_loses_it_to_the_other_which_retries_it(browser, quarry, standin, tmp_path,
                                                                         postgres):
    url = postgres.create_database()
    model = standin("--tokens-per-second", "10")
    full = model.answer()
    # Both hosts read the same documents folder (as from a shared mount), one at a time.
    a = serve_on(quarry, tmp_path, url, model, "host-a")
    b = serve_on(quarry, tmp_path, url, model, "host-b")
    wait_until(lambda: postgres.query(url, "SELECT count(*) FROM documents") == [[str(len(DOCS))]],
               what="the documents in PostgreSQL")
    # One host read the folder; the other, taking its turn after, found every file unchanged.
    wait_until(lambda: "unchanged=4" in a.output() + b.output(), what="the second host's look at the folder")
    assert (a.output() + b.output()).count("document added") == len(DOCS)
    # One browser (cookies ignore ports): a tab on each host, the same session on both, signed by the shared secret.
    context = browser.new_context()
    on_a = open_page(context, a.port)
    answer = ask(on_a, "When does the café open?")
    streaming_snapshot(answer)
    on_b = open_page(context, b.port)
    thread = on_b.locator("#threads button").first
    expect(thread).to_have_count(1, timeout=LONG)
    thread.click()
    on_b_answer = Answer(on_b, answer.id)
    on_b_answer.status("streaming")

    # Within the lease (3 s) and a round of B's (1 s), B takes the answer over; the page on B is told.
    saved = kill_mid_answer(postgres, url, a, answer, full, on_b_answer)
    assert status(postgres, url, answer.id) == ("interrupted", saved)
    assert "answers of a host that stopped were interrupted" in b.output()

    on_b_answer.retry.click()
    on_b_answer.status("complete", timeout=LONG)
    expect(on_b_answer.content).to_contain_text(full.split()[-1])
    assert status(postgres, url, answer.id) == ("complete", full)
    assert postgres.query(url, f"SELECT host FROM jobs WHERE message_id = {int(answer.id)}") == [["host-b"]]


def test_the_ceiling_on_model_requests_a_minute_is_the_whole_sites(browser, quarry, standin, tmp_path, postgres):
    url = postgres.create_database()
    model = standin()
    ceiling = {"QUARRY_LLM_REQUESTS_PER_MINUTE": "1"}
    a = serve_on(quarry, tmp_path, url, model, "host-a", ceiling)
    b = serve_on(quarry, tmp_path, url, model, "host-b", ceiling)
    ask(open_page(browser.new_context(), a.port), "When does the café open?").status("complete")
    # Host A tells the others each second; once B has heard, B's next question would pass the site's ceiling.
    said = wait_until(lambda: postgres.query(url, "SELECT reported_at FROM host_requests WHERE host = 'host-a' "
                                                  "AND recent = 1"), what="host A's request told")[0][0]
    wait_until(lambda: postgres.query(url, f"SELECT 1 FROM host_requests WHERE host = 'host-b' "
                                           f"AND reported_at > {int(said)}"), what="host B hearing it")
    page = open_page(browser.new_context(), b.port)
    box = page.get_by_label("Your question")
    box.fill("Where do deliveries arrive?")
    box.press("Enter")
    notice = page.locator("#notice > p.notice-error[data-error=too_many_questions]")
    expect(notice).to_have_text(re.compile(r"^Quarry has asked the language model all the questions it may this "
                                           r"minute\. Please try again in \d+ seconds?\.$"), timeout=LONG)
    assert postgres.query(url, "SELECT count(*) FROM messages") == [["2"]]


def test_a_second_host_under_the_same_name_is_refused_and_a_killed_ones_name_is_free_at_once(quarry, standin,
                                                                                             tmp_path, postgres):
    url = postgres.create_database()
    model = standin()
    first = serve_on(quarry, tmp_path, url, model, "help-desk")
    # Started beside it under the same name: it waits its 30 s for the first to stop, then says what to do.
    twin = quarry("--docs", str(write_docs(tmp_path)), db=url,
                  env={**model.env(), "OPENAI_API_KEY": "", "QUARRY_HOST_NAME": "help-desk"})
    wait_until(lambda: "another Quarry serves this database as this host" in twin.output(), what="the twin waiting")
    assert twin.process.wait(timeout=60) == 1
    assert "Another Quarry is serving this database as host “help-desk”" in twin.output()
    assert "QUARRY_HOST_NAME" in twin.output() and first.process.poll() is None
    # Killed, its name goes with it: a restart under the same name starts at once.
    assert first.stop(sig=9) == -9
    again = serve_on(quarry, tmp_path, url, model, "help-desk", port=first.port)
    assert "another Quarry serves this database" not in again.output()


def test_doctor_and_the_commands_take_a_postgresql_url(quarry, tmp_path, postgres):
    url = postgres.create_database()
    docs = write_docs(tmp_path)
    ingested = run("ingest", "--db", url, str(docs), env={"OPENAI_API_KEY": ""}, timeout=60)
    assert ingested.returncode == 0, ingested.stderr
    found = run("search", "--db", url, "When does the café open?", env={"OPENAI_API_KEY": ""})
    assert found.returncode == 0 and "Café hours" in found.stdout, found.stdout + found.stderr
    added = run("user", "add", "ada", "--admin", "--db", url, input="a long passphrase\na long passphrase\n")
    assert added.returncode == 0, added.stderr
    listed = run("user", "list", "--db", url)
    assert "ada" in listed.stdout, listed.stdout + listed.stderr
    doctor = run("doctor", "--db", url, "--docs", str(docs), env={"OPENAI_API_KEY": ""}, timeout=60)
    assert "ok       database: postgresql://quarry:•••@127.0.0.1" in doctor.stdout, doctor.stdout
    assert postgres.query(url, "SELECT 1")[0] == ["1"]
    assert "test-secret" not in doctor.stdout + doctor.stderr
    backup = run("backup", "--db", url, str(tmp_path / "copy.db"))
    assert backup.returncode == 64 and "pg_dump" in backup.stderr, backup.stderr
    wrong = run("doctor", "--db", url.replace("test-secret-7", "wrong"), env={"OPENAI_API_KEY": ""}, timeout=60)
    assert wrong.returncode == 1 and "PROBLEM  database" in wrong.stdout, wrong.stdout
    assert "wrong" not in wrong.stdout


def test_migrate_copies_a_sqlite_database_into_postgresql(tmp_path, postgres):
    url = postgres.create_database()
    docs = write_docs(tmp_path)
    db = str(tmp_path / "quarry.db")
    assert run("ingest", "--db", db, str(docs), env={"OPENAI_API_KEY": ""}, timeout=60).returncode == 0
    assert run("user", "add", "ada", "--db", db, input="a long passphrase\na long passphrase\n").returncode == 0
    copied = run("migrate", "--db", db, url, timeout=60)
    assert copied.returncode == 0, copied.stderr
    assert f"{len(DOCS)} documents" in copied.stdout and "1 accounts" in copied.stdout, copied.stdout
    assert "test-secret" not in copied.stdout + copied.stderr
    found = run("search", "--db", url, "When does the café open?", env={"OPENAI_API_KEY": ""})
    assert found.returncode == 0 and "Café hours" in found.stdout, found.stdout + found.stderr
    assert "ada" in run("user", "list", "--db", url).stdout
    again = run("migrate", "--db", db, url, timeout=60)
    assert again.returncode == 1 and "holds conversations, accounts or sign-ins already" in again.stderr, again.stderr
    wrong = run("migrate", "--db", db, str(tmp_path / "other.db"))
    assert wrong.returncode == 64 and "Copy into a PostgreSQL database" in wrong.stderr, wrong.stderr


NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    # As docs/deploy.md ("Two hosts") has it.
    upstream quarry {{
        hash $cookie_quarry_session consistent;
        server 127.0.0.1:{a} max_fails=1 fail_timeout=30s;
        server 127.0.0.1:{b} max_fails=1 fail_timeout=30s;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://quarry;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 1h;
            proxy_buffering off;
        }}
    }}
}}
"""


@pytest.fixture
def nginx(tmp_path):
    started = []

    def start(a, b):
        if not os.access("/usr/sbin/nginx", os.X_OK):
            pytest.fail("nginx is missing (tools/test installs nginx-light)", pytrace=False)
        folder = tmp_path / "nginx"
        folder.mkdir()
        port = free_port()
        (folder / "nginx.conf").write_text(NGINX_CONF.format(dir=folder, a=a, b=b, port=port))
        process = subprocess.Popen(["/usr/sbin/nginx", "-p", str(folder), "-c", str(folder / "nginx.conf"),
                                    "-g", "daemon off;" + (" user root;" if os.geteuid() == 0 else "")],
                                   stdout=subprocess.DEVNULL, stderr=open(folder / "stderr.log", "w"))
        started.append(process)
        wait_until(lambda: process.poll() is None and get_status(port) == 200, what="nginx in front of the hosts")
        return port

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def get_status(port):
    try:
        return get(port, "/healthz")[0]
    except OSError:
        return None


def test_behind_nginx_a_page_whose_host_dies_moves_to_the_other_and_its_answer_is_retried_there(
        browser, quarry, standin, tmp_path, postgres, nginx):
    url = postgres.create_database()
    model = standin("--tokens-per-second", "10")
    full = model.answer()
    a = serve_on(quarry, tmp_path, url, model, "host-a", {"QUARRY_TRUSTED_PROXIES": "127.0.0.1"})
    b = serve_on(quarry, tmp_path, url, model, "host-b", {"QUARRY_TRUSTED_PROXIES": "127.0.0.1"})
    port = nginx(a.port, b.port)
    wait_until(lambda: postgres.query(url, "SELECT count(*) FROM documents") == [[str(len(DOCS))]],
               what="the documents in PostgreSQL")
    page = open_page(browser.new_context(), port)
    answer = ask(page, "When does the café open?")
    streaming_snapshot(answer)
    running = wait_until(lambda: postgres.query(url, f"SELECT host FROM jobs WHERE message_id = {int(answer.id)} "
                                                     "AND state = 'running'"), what="the answer's host")[0][0]
    dying, surviving = (a, b) if running == "host-a" else (b, a)
    assert dying.stop(sig=9) == -9

    # The page reconnects through nginx, which sends it to the other host; that host takes the answer over.
    expect(page.locator("#connection-status")).to_have_text("Connected", timeout=LONG)
    answer.status("interrupted", timeout=LONG)
    expect(answer.retry).to_be_visible()
    answer.retry.click()
    answer.status("complete", timeout=LONG)
    expect(answer.content).to_contain_text(full.split()[-1])
    assert status(postgres, url, answer.id) == ("complete", full)
    survivor = "host-b" if running == "host-a" else "host-a"
    assert postgres.query(url, f"SELECT host FROM jobs WHERE message_id = {int(answer.id)}") == [[survivor]]
    assert surviving.process.poll() is None
