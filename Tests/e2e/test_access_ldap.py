"""`quarry serve --auth ldap` in a real headless Chromium against the real binary and a real slapd of our own
(ldap_support.py): people of the directory sign in through the form (which works without the page's script) and ask;
a wrong password and a name that would widen an unescaped search are refused; a member of the admin group is an
admin (as its sign-in records); a directory that is down is said to be down, not a wrong password."""
import re
import time

from chat_support import ask, expect, query, serve, standin  # noqa: F401 (standin: fixture)
from conftest import run
from ldap_support import PEOPLE, slapd  # noqa: F401 (slapd: fixture)

WRONG = "That name and password do not match an account here."
DOWN = "The sign-in directory cannot be reached right now."


def sign_in(context, port, name, password):
    """A tab that opens Quarry, is sent to the sign-in form, and posts `name` and `password`."""
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.goto(f"http://127.0.0.1:{port}/")
    expect(page).to_have_url(f"http://127.0.0.1:{port}/sign-in")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    return page


def sign_ins(db):
    return sorted(query(db, "SELECT name, is_admin FROM sign_ins"))


def test_ldap_people_sign_in_through_the_form_and_admins_come_from_the_group(browser, quarry, tmp_path, slapd):
    q = serve(quarry, tmp_path, env=slapd.search_env())
    alice = sign_in(browser.new_context(), q.port, "alice", PEOPLE["alice"][0])
    expect(alice.locator("#connection-status")).to_have_text("Connected")
    expect(alice.locator(".account")).to_contain_text("Signed in as alice")
    ask(alice, "When does the café open on Saturdays?").status("complete")

    bob = sign_in(browser.new_context(), q.port, "Bob", PEOPLE["bob"][0])
    expect(bob.locator(".account")).to_contain_text("Signed in as bob")
    # alice is in cn=admins, bob is not; names are kept as the directory compares them, without case.
    assert sign_ins(q.db) == [("alice", 1), ("bob", 0)]
    assert query(q.db, "SELECT count(*) FROM threads")[0][0] == 1
    for page in (alice, bob):
        assert page.problems == []


def test_ldap_refuses_a_wrong_password_and_a_widening_name(browser, quarry, tmp_path, slapd):
    q = serve(quarry, tmp_path, env=slapd.search_env())
    context = browser.new_context()
    for name, password in [("bob", PEOPLE["alice"][0]), ("carol", "anything"), ("*", PEOPLE["alice"][0]),
                           ("alice)(uid=*", PEOPLE["alice"][0])]:
        # Wrong guesses from one address are slowed down (as in password mode): wait out each delay, then retry.
        while True:
            page = sign_in(context, q.port, name, password)
            message = page.locator(".sign-in-message")
            expect(message).to_be_visible()
            wait = re.match(r"Too many tries\. Please wait (\d+) seconds", message.inner_text())
            if not wait:
                break
            page.close()
            time.sleep(int(wait.group(1)) + 0.2)
        expect(message).to_have_text(WRONG)
        expect(page).to_have_url(f"http://127.0.0.1:{q.port}/sign-in")
        page.close()
    assert sign_ins(q.db) == []


def test_ldap_with_a_dn_template(browser, quarry, tmp_path, slapd):
    q = serve(quarry, tmp_path, env=slapd.template_env())
    page = sign_in(browser.new_context(), q.port, "alice", PEOPLE["alice"][0])
    expect(page.locator(".account")).to_contain_text("Signed in as alice")
    assert sign_ins(q.db) == [("alice", 1)]


def test_ldap_directory_down_is_not_a_wrong_password(browser, quarry, tmp_path, slapd):
    q = serve(quarry, tmp_path, env=slapd.search_env())
    slapd.stop()
    page = sign_in(browser.new_context(), q.port, "alice", PEOPLE["alice"][0])
    expect(page.locator(".sign-in-message")).to_contain_text(DOWN)
    assert sign_ins(q.db) == []


def test_ldap_settings_are_checked_at_start(tmp_path):
    db = str(tmp_path / "q.db")
    result = run("serve", "--port", "0", "--db", db, env={"QUARRY_AUTH": "ldap"})
    assert result.returncode == 64 and "QUARRY_LDAP_URL" in result.stderr
    result = run("serve", "--port", "0", "--db", db, env={
        "QUARRY_AUTH": "ldap", "QUARRY_LDAP_URL": "ldap://127.0.0.1:1", "QUARRY_LDAP_BASE": "dc=example,dc=org",
        "QUARRY_LDAP_USER_DN": "uid={name},dc=example,dc=org"})
    assert result.returncode == 64 and "not both" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
