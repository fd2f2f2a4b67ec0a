// The admin pages' script (docs/administration.md). Without it the pages work as plain forms; with it, the
// documents table follows the folder's reading live over the socket, and an upload sends each file on its own, one
// after another (the server makes at most two pages at once for one address), with a progress bar and a Cancel
// button per file.
"use strict";
(() => {
  const tokenInput = document.querySelector("input[name=form_token]");
  const token = tokenInput ? tokenInput.value : "";

  // The page's streams (the documents table): replaced as the server sends them again. Forms in what arrives
  // carry a marker where the page's token goes.
  const sources = [...document.querySelectorAll("{{wire:streamSourceElement}}")];
  const follow = () => {
    if (!sources.length) return;
    const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}{{wire:socketPath}}`);
    socket.onopen = () => {
      for (const s of sources) {
        socket.send(JSON.stringify({ op: "{{wire:op.subscribe}}", stream: s.getAttribute("{{wire:signedStreamNameAttribute}}") }));
      }
    };
    socket.onmessage = (e) => {
      const holder = document.createElement("template");
      holder.innerHTML = e.data;
      for (const stream of holder.content.querySelectorAll("turbo-stream[action=replace]")) {
        const target = document.getElementById(stream.getAttribute("target"));
        const html = stream.querySelector("template");
        if (!target || !html) continue;
        const fresh = html.content.cloneNode(true);
        for (const t of fresh.querySelectorAll("input[name=form_token]")) t.value = token;
        target.replaceWith(fresh);
      }
    };
    socket.onclose = () => setTimeout(follow, 2000);
  };
  follow();

  const form = document.querySelector("form.upload");
  if (!form) return;
  const input = form.querySelector("input[type=file]");
  const list = document.createElement("ul");
  list.className = "uploads";
  form.after(list);
  const queue = [];
  let busy = false;

  // The page the server answered with: its notices say what became of the file.
  const answer = (html) => {
    const page = new DOMParser().parseFromString(html, "text/html");
    const text = [...page.querySelectorAll(".admin-notice")].map((n) => n.textContent).join(" ");
    return [text, page.querySelector(".admin-notice.refused") ? "refused" : "done"];
  };

  const send = (file) => {
    const item = document.createElement("li");
    const name = document.createElement("span");
    const bar = document.createElement("progress");
    const cancel = document.createElement("button");
    const status = document.createElement("span");
    name.textContent = file.name;
    bar.max = file.size || 1;
    bar.value = 0;
    cancel.type = "button";
    cancel.textContent = form.dataset.cancel;
    item.append(name, bar, cancel, status);
    list.append(item);
    const body = new FormData();
    body.append("form_token", token);
    body.append("files", file, file.name);
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.onprogress = (e) => { bar.value = e.loaded; };
    const end = (text, state) => {
      cancel.remove();
      status.textContent = text;
      item.dataset.state = state;
      busy = false;
      next();
    };
    request.onload = () => end(...(request.status === 200 ? answer(request.responseText) : [request.responseText, "refused"]));
    request.onerror = () => end(form.dataset.failed, "refused");
    request.onabort = () => end(form.dataset.cancelled, "cancelled");
    let started = false;
    const start = () => {
      started = true;
      request.send(body);
    };
    // Cancelled before its turn: never sent.
    cancel.onclick = () => {
      if (started) return request.abort();
      queue.splice(queue.indexOf(start), 1);
      cancel.remove();
      status.textContent = form.dataset.cancelled;
      item.dataset.state = "cancelled";
    };
    queue.push(start);
  };

  const next = () => {
    if (busy) return;
    const start = queue.shift();
    if (!start) return;
    busy = true;
    start();
  };

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    for (const file of input.files) send(file);
    form.reset();
    next();
  });
})();
