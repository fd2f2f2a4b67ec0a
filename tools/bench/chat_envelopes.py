"""What the chat benchmark reads in Quarry's frames: the <turbo-stream> envelopes, what each one is for, and the
answer's text rebuilt from them the way the page's patcher builds it (a small DOM of the content element), to check
that what was streamed ends equal to what a fresh snapshot shows."""
import html
import re
from html.parser import HTMLParser

ENVELOPE = re.compile(r'<turbo-stream action="(\w+)" (target|targets)="([^"]*)">(?:<template>(.*?)</template>)?'
                      r'</turbo-stream>', re.S)
STREAM_NAME = re.compile(r'signed-stream-name="([^"]+)"')
THREAD = re.compile(r'<quarry-stream-source id="thread-source" data-thread="(\d+)"')
STATE = re.compile(r'<span id="message-state-(\d+)" data-message="\d+" data-status="(\w+)"')
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Envelope:
    __slots__ = ("action", "selector", "html", "size")

    def __init__(self, action, attribute, value, template, size):
        self.action = action
        value = html.unescape(value)
        self.selector = "#" + value if attribute == "target" else value
        self.html = template or ""
        self.size = size


def envelopes(payload):
    """The envelopes of one frame, in order; raises if anything in it is not an envelope."""
    text = payload.decode() if isinstance(payload, bytes) else payload
    out, at = [], 0
    for match in ENVELOPE.finditer(text):
        if match.start() != at:
            raise ValueError(f"not an envelope: {text[at:match.start()][:80]!r}")
        out.append(Envelope(match[1], match[2], match[3], match[4], len(match[0].encode())))
        at = match.end()
    if at != len(text):
        raise ValueError(f"not an envelope: {text[at:at + 80]!r}")
    return out


# What an envelope is for, by its target; the report's rows, in order.
KINDS = {
    "text: new blocks (append)": "text",
    "text: inside the open block (append)": "text",
    "text: inside the open block, updated (update)": "text",
    "text: block replaced (replace)": "text",
    "text: whole text (update)": "text",
    "question and placeholder": "other",
    "thinking steps and summary": "other",
    "end: sources, marker, scroll": "other",
    "other": "other",
}


def kind(envelope, answer):
    """The report's name for what `envelope` does to answer `answer`."""
    content = f"#message-content-{answer}"
    selector, action = envelope.selector, envelope.action
    if selector == content and action in ("append", "update"):
        return "text: new blocks (append)" if action == "append" else "text: whole text (update)"
    if selector.startswith(content + ">"):
        return {"append": "text: inside the open block (append)",
                "update": "text: inside the open block, updated (update)",
                "replace": "text: block replaced (replace)"}.get(action, "other")
    if selector in (f"#thinking-{answer}", f"#thinking-steps-{answer}", f"#reasoning-{answer}"):
        return "thinking steps and summary"
    if (selector == f"#message-state-{answer}" or (action == "after" and selector == content)
            or (action == "scroll" and selector == "#messages")):
        return "end: sources, marker, scroll"
    if action == "append" and selector == "#messages" and f'id="message-{answer}"' in envelope.html:
        return "question and placeholder"
    return "other"


# MARK: A small DOM, enough for the content element

class Element:
    __slots__ = ("tag", "start", "children", "attrs")

    def __init__(self, tag, start, attrs, children=None):
        self.tag, self.start, self.attrs = tag, start, dict(attrs)
        self.children = [] if children is None else children

    def serialize(self):
        if self.tag in VOID and not self.children:
            return self.start
        return self.start + inner(self) + f"</{self.tag}>"


def inner(element):
    return "".join(child if isinstance(child, str) else child.serialize() for child in element.children)


class TreeBuilder(HTMLParser):
    """Markup as written (entities and tags kept verbatim) into Element trees."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.root = Element("#fragment", "", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, self.get_starttag_text(), attrs)
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, self.get_starttag_text(), attrs))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return
        raise ValueError(f"</{tag}> closes nothing")

    def handle_data(self, data):
        self.stack[-1].children.append(data)

    def handle_entityref(self, name):
        self.stack[-1].children.append(f"&{name};")

    def handle_charref(self, name):
        self.stack[-1].children.append(f"&#{name};")

    def handle_comment(self, data):
        self.stack[-1].children.append(f"<!--{data}-->")


def parse(markup):
    """The nodes of an HTML fragment."""
    builder = TreeBuilder()
    builder.feed(markup)
    builder.close()
    return builder.root.children


def find(nodes, element_id):
    for node in nodes:
        if isinstance(node, Element):
            if node.attrs.get("id") == element_id:
                return node
            found = find(node.children, element_id)
            if found:
                return found
    return None


def content_html(snapshot_payload, answer):
    """The inner HTML of answer `answer`'s content element in a snapshot (or any frame), or None."""
    for envelope in envelopes(snapshot_payload):
        element = find(parse(envelope.html), f"message-content-{answer}")
        if element:
            return inner(element)
    return None


class Content:
    """The content element of one answer as the page's patcher changes it: `append`/`update` on the element,
    `append`/`update`/`replace` on `#message-content-ID>:last-child>…` (each step the last element child)."""

    def __init__(self, answer, initial=""):
        self.prefix = f"#message-content-{answer}"
        self.element = Element("div", "", {}, parse(initial))

    def apply(self, envelope):
        selector = envelope.selector
        if selector == self.prefix and envelope.action == "append":
            self.element.children += parse(envelope.html)
        elif selector == self.prefix and envelope.action == "update":
            self.element.children = parse(envelope.html)
        elif selector.startswith(self.prefix + ">"):
            steps = selector[len(self.prefix):].split(">")[1:]
            if any(step != ":last-child" for step in steps):
                raise ValueError(f"unexpected selector {selector!r}")
            parent, target = None, self.element
            for _ in steps:
                parent = target
                target = next((c for c in reversed(target.children) if isinstance(c, Element)), None)
                if target is None:
                    raise ValueError(f"{selector!r} matches nothing")
            if envelope.action == "append":
                target.children += parse(envelope.html)
            elif envelope.action == "update":
                target.children = parse(envelope.html)
            elif envelope.action == "replace":
                at = parent.children.index(target)
                parent.children[at:at + 1] = parse(envelope.html)
            else:
                raise ValueError(f"unexpected {envelope.action} of {selector!r}")
        else:
            return False
        return True

    @property
    def html(self):
        return inner(self.element)
