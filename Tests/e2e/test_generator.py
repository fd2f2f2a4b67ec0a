"""tools/frontend, the build-time generator: it turns Resources/ into Swift, and refuses sources that break
the page's policy or name something Wire does not define."""
import os
import pathlib
import shutil
import subprocess

import pytest

GENERATOR = os.environ.get("QUARRY_FRONTEND", ".build/debug/quarry-frontend")
RESOURCES = pathlib.Path("Resources")


def generate(tmp_path, edit=None):
    sources = tmp_path / "Resources"
    shutil.copytree(RESOURCES, sources)
    if edit:
        name, change = edit
        path = sources / name
        path.write_text(change(path.read_text()))
    output = tmp_path / "out.swift"
    result = subprocess.run([GENERATOR, str(sources), str(output)], capture_output=True, text=True, timeout=60)
    return result, output


def test_the_sources_generate_swift_with_hashed_assets(tmp_path):
    result, output = generate(tmp_path)
    assert result.returncode == 0, result.stderr
    swift = output.read_text()
    assert "static let generated = FrontEnd(" in swift
    assert swift.count("/assets/quarry.") >= 4  # each asset's path, and the shell's links to them
    assert "{{wire:" not in swift and "{{word:" not in swift
    # One shell per language of Resources/words/, each in its own words.
    for code, word in [("en", ">New conversation<"), ("de", ">Neue Unterhaltung<"), ("fr", ">Nouvelle conversation<"),
                       ("es", ">Nueva conversación<")]:
        assert f'<html lang="{code}">' in swift and word in swift


def test_a_new_words_file_is_a_new_language(tmp_path):
    sources = tmp_path / "Resources"
    shutil.copytree(RESOURCES, sources)
    (sources / "words" / "it.txt").write_text("page.new-conversation = Nuova conversazione\npage.copy = Copia\n")
    output = tmp_path / "out.swift"
    result = subprocess.run([GENERATOR, str(sources), str(output)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    swift = output.read_text()
    assert '<html lang="it">' in swift and ">Nuova conversazione<" in swift
    # English fills the gaps.
    assert ':root:lang(it) { --word-page-copy: "Copia"; --word-page-copied: "Copied"; --word-kiosk-still-there: "Still' in swift


@pytest.mark.parametrize("name,change,message", [
    ("shell.html", lambda s: s.replace("</body>", "<script>alert(1)</script></body>"), "inline <script>"),
    ("shell.html", lambda s: s.replace("<body>", '<body onload="x()">'), "inline event handler"),
    ("shell.html", lambda s: s.replace("<body>", '<body style="color:red">'), "inline style"),
    ("shell.html", lambda s: s.replace('href="{{asset:quarry.css}}"', 'href="/x.css"'), "does not link quarry.css"),
    ("shell.html", lambda s: s.replace("{{streams}}", ""), "has no {{streams}}"),
    ("quarry.js", lambda s: s.replace("{{wire:id.messages}}", "{{wire:id.nonsense}}"), "{{wire:id.nonsense}} is not in Wire.table"),
    ("quarry.js", lambda s: s + "\neval('1')\n", "uses eval("),
    ("quarry.css", lambda s: s + "\nbody { background: url(https://cdn.example/x.png) }\n", "another origin"),
    ("quarry.css", lambda s: '@import "x.css";\n' + s, "@import"),
    # The words: every {{word:KEY}} names a key of words/en.txt, every words file parses and names only those keys,
    # and the script has no words of its own (the page gives them to it).
    ("shell.html", lambda s: s.replace("{{word:page.send}}", "{{word:page.sned}}"), "{{word:page.sned}} is not a key"),
    ("quarry.css", lambda s: s.replace("{{word:page.copy}}", "{{word:page.cpoy}}"), "{{word:page.cpoy}} is not a key"),
    ("quarry.js", lambda s: s + '\nconst x = "{{word:page.send}}";\n', "the script's words come from the page"),
    ("words/de.txt", lambda s: s + "\npage.sned = Senden\n", "“page.sned” is not a key of words/en.txt"),
    ("words/fr.txt", lambda s: s + "\nune ligne sans signe égal\n", "no “=” between key and text"),
])
def test_sources_that_break_the_rules_stop_the_build(tmp_path, name, change, message):
    result, output = generate(tmp_path, (name, change))
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
    assert name in result.stderr
    assert not output.exists()
