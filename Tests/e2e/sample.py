"""Markup in the shape the server renders messages (docs/front-end.md), for page tests and screenshots."""
import base64
import hashlib
import hmac

PAGE_SERVER_SECRET = b"quarry-page-server-fixed-secret-for-tests"


def signed_stream(name):
    """A stream name signed as the page server signs it (MessageSigner: base64url(name)--hex(HMAC))."""
    key = hmac.new(PAGE_SERVER_SECRET, b"quarry:stream", hashlib.sha256).digest()
    data = base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")
    return data + "--" + hmac.new(key, data.encode(), hashlib.sha256).hexdigest()


def user(id, text):
    return (f'<article id="message-{id}" class="message" data-role="user" data-message="{id}">'
            f'<div id="message-content-{id}" class="content"><p>{text}</p></div></article>')


def thinking(id, steps, open_=True, done=False):
    items = "".join(f"<li>{s}</li>" for s in steps)
    summary = "Thinking complete" if done else "Thinking…"
    return (f'<details id="thinking-{id}" class="thinking"{" open" if open_ else ""}><summary>{summary}</summary>'
            f'<ol id="thinking-steps-{id}">{items}</ol></details>')


def sources(items):
    rows = "".join(f'<li><span class="title">{t}</span> <span class="relevance">{r}%</span><br><q>{q}</q></li>'
                   for t, r, q in items)
    return f'<details class="sources"><summary>{len(items)} sources used</summary><ol>{rows}</ol></details>'


def assistant(id, content_html, status="done", steps=None, source_items=None):
    parts = [thinking(id, steps, open_=status == "streaming", done=status != "streaming")] if steps else []
    parts.append(f'<div id="message-content-{id}" class="content">{content_html}</div>')
    if status == "done":
        parts.append(f'<button type="button" class="copy" data-copy="{id}"></button>')
    if source_items:
        parts.append(sources(source_items))
    return (f'<article id="message-{id}" class="message" data-role="assistant" data-message="{id}" '
            f'data-status="{status}">{"".join(parts)}</article>')


ANSWER = """<p>A <strong>quarry</strong> is an open-pit mine from which stone is extracted. Quarry, the server,
answers questions about your documents:</p>
<ul><li>it searches the documents it was given,</li><li>asks a language model,</li>
<li>and streams the answer with its sources.</li></ul>
<table><thead><tr><th>Screen</th><th>Layout</th></tr></thead>
<tbody><tr><td>800×480</td><td>one column, list beside</td></tr><tr><td>1920×1080</td><td>wide</td></tr></tbody></table>
<pre><button type="button" class="copy" data-copy=""></button><code class="language-sh"><span class="com"># on the Pi: serve \
the documents folder</span>
<span class="kw">export</span> QUARRY_PORT=<span class="num">8080</span>
quarry serve --docs <span class="str">&quot;$HOME/docs&quot;</span> --max-answers <span class="num">2</span>
</code></pre>"""

CONVERSATION = (
    user(1, "What is Quarry, and can it run on a Raspberry Pi?")
    + assistant(2, ANSWER, steps=["✓ Searching knowledge base…", "✓ Found 3 relevant sources",
                                  "✓ Generating response…"],
                source_items=[("What is Quarry?", 94, "Quarry answers questions about a folder of documents."),
                              ("Running Quarry on a Raspberry Pi", 88, "Quarry runs well on a Raspberry Pi 4 or 5."),
                              ("Configuring Quarry", 61, "Quarry works with no configuration at all.")])
    + user(3, "How much memory does it need?")
    + assistant(4, "<p>An idle Quarry uses about 16 MB of memory; each open tab adds a few", status="streaming",
                steps=["✓ Searching knowledge base…", "✓ Found 2 relevant sources", "✓ Generating response…"])
)


def thread_list(threads, current=None):
    marked = ' aria-current="true"'
    return "".join(
        f'<li><button type="button" data-thread="{t}" data-stream="{signed_stream("thread/" + t)}"'
        f'{marked if t == current else ""}>{title}</button></li>' for t, title in threads)
