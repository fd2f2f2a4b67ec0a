"use strict";
/*
 * Quarry's page script. Everything that changes on the page arrives over one WebSocket as <turbo-stream>
 * envelopes, which this applies with Turbo's semantics (hotwired/turbo, src/core/streams):
 * - target="id" is one element, targets="selector" every match; a missing target is no change.
 * - The template is cloned for each target. append/prepend first remove the target's direct children whose ids
 *   the template's top-level elements carry, before/after the same among the target's siblings (itself
 *   included), so an element that arrives again moves instead of doubling.
 * - Envelopes apply in document order, as soon as they arrive (no waiting for an animation frame, so background
 *   tabs keep up); a malformed one is reported in the console with its opening tag and skipped.
 * Deliberate differences: a <script> in a template never runs (the page's policy forbids inline script), and
 * method="morph" is plain replace/update.
 * Names in double braces prefixed wire: come from the server's Swift (Wire.swift), put in by the build.
 */
(() => {
  const d = document, $ = (id) => d.getElementById(id);
  const SOURCE = "{{wire:streamSourceElement}}", NAME = "{{wire:signedStreamNameAttribute}}";
  const STREAMING = "[{{wire:attr.status}}={{wire:attr.streaming}}]";
  const EARLIER = "[{{wire:attr.earlier}}]";
  const messages = $("{{wire:id.messages}}"), status = $("{{wire:id.connectionStatus}}");
  const form = $("{{wire:id.composer}}"), fields = $("{{wire:id.composerFields}}");
  const input = $("{{wire:id.composerInput}}"), stop = $("{{wire:id.composerStop}}");
  const kiosk = $("{{wire:id.kiosk}}").dataset;
  const below = $("{{wire:id.scrollControl}}"), threads = $("{{wire:id.threads}}"), notice = $("{{wire:id.notice}}");
  let wait, left, socket, delay = 500, pending = 0, following = true, streaming = new Set(), asked = null;
  // While earlier messages are on their way: the reader's distance from the end, kept when they arrive.
  let keep = null, kept = false;
  // Focus moves to the question box for keyboards; on touch screens it would pop up the on-screen keyboard unasked.
  const ready = () => matchMedia("(pointer: fine)").matches && input.focus();

  // The actions. t: the targets; c(): a fresh copy of the template's content; f: the content itself.
  const dedupe = (scope, f) => {
    const ids = [...f.children].map((e) => e.id).filter(Boolean);
    for (const e of scope) if (e.id && ids.includes(e.id)) e.remove();
  };
  const children = (t) => t.flatMap((e) => [...e.children]);
  const siblings = (t) => t.flatMap((e) => [...(e.parentElement ? e.parentElement.children : [])]);
  const actions = {
    append(t, c, f) { dedupe(children(t), f); t.forEach((e) => e.append(c())); },
    prepend(t, c, f) { dedupe(children(t), f); t.forEach((e) => e.prepend(c())); },
    before(t, c, f) { dedupe(siblings(t), f); t.forEach((e) => e.parentElement?.insertBefore(c(), e)); },
    after(t, c, f) { dedupe(siblings(t), f); t.forEach((e) => e.parentElement?.insertBefore(c(), e.nextSibling)); },
    replace(t, c) { t.forEach((e) => e.replaceWith(c())); },
    update(t, c) { t.forEach((e) => e.replaceChildren(c())); },
    remove(t) { t.forEach((e) => e.remove()); },
    // Quarry's own: keep a container at its end, but only while the reader is there.
    scroll(t) { if (following) t.forEach((e) => { e.scrollTop = e.scrollHeight; }); },
  };
  const apply = (s) => {
    const action = actions[s.getAttribute("action")];
    if (!action) throw Error(s.hasAttribute("action") ? "unknown action" : "action attribute is missing");
    const id = s.getAttribute("target"), query = s.getAttribute("targets");
    if (!id && !query) throw Error("target or targets attribute is missing");
    const t = id ? [$(id)].filter(Boolean) : [...d.querySelectorAll(query)];
    const template = s.firstElementChild;
    if (template && template.localName != "template") throw Error("first child element must be a <template> element");
    const f = template ? template.content : d.createDocumentFragment();
    action(t, () => f.cloneNode(true), f);
  };
  const receive = (frame) => {
    const holder = d.createElement("template");
    holder.innerHTML = frame;
    for (const s of holder.content.children) {
      if (s.localName != "turbo-stream") continue;
      try { apply(s); } catch (error) {
        console.error(`${(s.outerHTML.match(/<[^>]+>/) || ["<turbo-stream>"])[0]}: ${error.message}`, s);
      }
    }
    pending = 0;
    // A question the server refused (a notice came instead of its answer) goes back into the box, unless the
    // person has typed something else since.
    if (asked !== null && notice.firstElementChild) {
      if (!input.value) input.value = asked;
      asked = null;
    } else if (messages.querySelector(STREAMING)) asked = null;
    // Earlier messages arrived (their control went or came back enabled): the reader stays where they were.
    if (keep !== null && !messages.querySelector(EARLIER + ":disabled")) {
      messages.scrollTop = messages.scrollHeight - keep;
      keep = null;
      kept = true;
    }
    // After a reload, the thread list arrives first: open the conversation the address names.
    const b = reopen && threads.querySelector(`[{{wire:attr.thread}}="${reopen}"]`);
    if (b) { reopen = 0; open(b.dataset.thread, b.getAttribute("{{wire:attr.stream}}")); }
    sync();
  };

  // The socket: follow every stream a source element names, reconnect with backoff and jitter.
  const send = (message) => socket && socket.readyState === 1 && (socket.send(JSON.stringify(message)), true);
  const followed = new Map();
  // The conversation on screen is kept in the address (#12), so a reload reopens it.
  const remember = (thread) => history.replaceState(null, "", thread ? "#" + thread : location.pathname);
  let reopen = /^#\d+$/.test(location.hash) && location.hash.slice(1);
  customElements.define(SOURCE, class extends HTMLElement {
    connectedCallback() {
      if (this.id == "{{wire:id.threadSource}}") remember(this.dataset.thread);
      const name = this.stream = this.getAttribute(NAME), count = followed.get(name) || 0;
      if (!count) send({ op: "{{wire:op.subscribe}}", stream: name });
      followed.set(name, count + 1);
    }
    disconnectedCallback() {
      const count = followed.get(this.stream) - 1;
      if (count) followed.set(this.stream, count);
      else { followed.delete(this.stream); send({ op: "{{wire:op.unsubscribe}}", stream: this.stream }); }
    }
  });
  const connect = () => {
    socket = new WebSocket(location.origin.replace(/^http/, "ws") + "{{wire:socketPath}}");
    socket.onopen = () => {
      delay = 500;
      for (const name of followed.keys()) send({ op: "{{wire:op.subscribe}}", stream: name });
      sync();
    };
    socket.onmessage = (event) => receive(event.data);
    socket.onclose = () => {
      socket = null;
      sync();
      setTimeout(connect, delay * (0.5 + Math.random()));
      delay = Math.min(delay * 2, 15000);
    };
  };

  // The form waits while the socket is down, a question is on its way, or an answer streams.
  const sync = () => {
    const open = socket && socket.readyState === 1, answering = messages.querySelector(STREAMING);
    status.dataset.state = open ? "connected" : "reconnecting";
    // The words are the page's own, in its language (data-connected, data-reconnecting).
    status.textContent = status.dataset[status.dataset.state];
    const wasDisabled = fields.disabled;
    fields.disabled = !open || !!answering || pending > Date.now();
    if (wasDisabled && !fields.disabled && d.activeElement == d.body) ready();
    stop.hidden = !answering;
    stop.disabled = !open;
  };
  // After a question (or a retry) goes: wait for the server's reply, follow the answer, clear old notices.
  const sent = () => {
    notice.replaceChildren();
    pending = Date.now() + 10000;
    following = true;
    sync();
    setTimeout(sync, 10001);
  };
  form.onsubmit = (event) => {
    event.preventDefault();
    const content = input.value.trim();
    if (!content || fields.disabled) return;
    if (send({ op: "{{wire:op.ask}}", content, thread: $("{{wire:id.threadSource}}")?.dataset.thread })) {
      input.value = "";
      sent();
      asked = content;
    }
  };
  // Copy: the text is selected (what a reader would select: a code block's code, an answer's text), then written
  // with the Clipboard API where the page is a secure context; on plain http (a kiosk, an intranet) that API is
  // missing, so the older copy command copies the selection. The button says "Copied" (in the page's language, from the
  // stylesheet) for two seconds.
  const copy = (b) => {
    const id = b.getAttribute("{{wire:attr.copy}}"), s = getSelection();
    s.selectAllChildren(id ? $("{{wire:id.messageContentPrefix}}" + id) : b.nextElementSibling);
    const done = () => { b.dataset.copied = ""; setTimeout(() => delete b.dataset.copied, 2000); };
    if (isSecureContext && navigator.clipboard) navigator.clipboard.writeText(s.toString()).then(done);
    else if (d.execCommand("copy")) done();
    s.removeAllRanges();
  };
  // An answer that ended without completing offers Retry; a long thread, its earlier messages; code and answers, Copy.
  messages.onclick = (event) => {
    const c = event.target.closest("[{{wire:attr.copy}}]");
    if (c) copy(c);
    const b = event.target.closest("[{{wire:attr.retry}}]");
    if (b && !fields.disabled && send({ op: "{{wire:op.retry}}", message: b.getAttribute("{{wire:attr.retry}}") })) sent();
    const more = event.target.closest(EARLIER), source = $("{{wire:id.threadSource}}");
    if (more && !more.disabled && source && send({ op: "{{wire:op.earlier}}", stream: source.getAttribute(NAME),
                                                   before: more.getAttribute("{{wire:attr.earlier}}") })) {
      more.disabled = true;
      following = false;
      keep = messages.scrollHeight - messages.scrollTop;
    }
  };
  input.onkeydown = (event) => {
    if (event.key == "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  };
  // A notice stays until the next question or a tap.
  notice.onclick = () => notice.replaceChildren();
  stop.onclick = () => {
    const answer = messages.querySelector(STREAMING);
    if (answer) send({ op: "{{wire:op.stop}}", message: answer.dataset.message });
  };

  // Conversations: open one from the list (its snapshot fills the page) or start a new one.
  const open = (thread, stream) => {
    $("{{wire:id.threadSource}}")?.remove();
    messages.replaceChildren();
    keep = null;
    if (stream) {
      const source = d.createElement(SOURCE);
      source.id = "{{wire:id.threadSource}}";
      source.dataset.thread = thread;
      source.setAttribute(NAME, stream);
      d.body.append(source);
    }
    for (const b of threads.querySelectorAll("[{{wire:attr.thread}}]")) b.ariaCurrent = b.dataset.thread == thread ? "true" : null;
    if (!stream) remember();
    ready();
    // On a narrow screen the list is a menu (a popover): it closes once a conversation is chosen.
    $("{{wire:id.side}}").hidePopover();
  };
  threads.onclick = (event) => {
    const b = event.target.closest("[{{wire:attr.thread}}]");
    if (b) open(b.dataset.thread, b.getAttribute("{{wire:attr.stream}}"));
  };
  $("{{wire:id.newThread}}").onclick = () => open();

  // Kiosk mode (the kiosk element carries data-idle): once idle seconds pass without a touch, a key or new text,
  // data-left counts down the last data-countdown seconds (the stylesheet shows it over the page), then the browser
  // goes to the start-over address: a new session, the old one's conversations deleted on the server. A page
  // nobody has touched is not armed, so an empty kiosk does not start over again and again.
  // With the server out of reach the browser would be left on an error page: then it waits another while. Out of
  // reach is a socket that is not open, not merely none: a connection attempt can hang long while the network is down.
  const tick = () => left ? (kiosk.left = left--, wait = setTimeout(tick, 1e3))
                          : socket && socket.readyState === 1 ? location.replace("{{wire:startOverPath}}") : awake();
  const awake = () => kiosk.idle && (clearTimeout(wait), delete kiosk.left, left = kiosk.countdown,
                                     wait = setTimeout(tick, kiosk.idle * 1e3));
  onpointerdown = onkeydown = awake;

  // Scrolling follows new text only while the reader is at the end; otherwise a control offers the way down.
  const atEnd = () => messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
  messages.onscroll = () => (following = atEnd()) && (below.hidden = true);
  below.onclick = () => {
    following = true;
    messages.scrollTop = messages.scrollHeight;
  };
  new MutationObserver(() => {
    if (following) messages.scrollTop = messages.scrollHeight;
    else if (!atEnd() && !kept) below.hidden = false;
    kept = false;
    // A finished answer is announced once, not token by token.
    const now = new Set([...messages.querySelectorAll(STREAMING)].map((m) => m.dataset.message));
    for (const id of streaming) {
      const text = !now.has(id) && $("{{wire:id.messageContentPrefix}}" + id);
      if (text) $("{{wire:id.announcer}}").textContent = text.textContent.trim().slice(0, 500);
    }
    streaming = now;
    sync();
    awake();
  }).observe(messages, { childList: true, subtree: true, characterData: true });

  connect();
})();
