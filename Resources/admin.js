// The admin pages' script (docs/administration.md). Without it the pages work as plain forms; with it, an upload
// sends each file on its own, one after another (the server makes at most two pages at once for one address), with
// a progress bar and a Cancel button per file, and the documents list then follows the folder's reading until every
// uploaded file is read or refused.
"use strict";
(() => {
  const form = document.querySelector("form.upload");
  if (!form) return;
  const input = form.querySelector("input[type=file]");
  const token = form.querySelector("input[name=form_token]").value;
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
    if (!start) return follow();
    busy = true;
    start();
  };

  // The list, fetched again every two seconds while any document waits to be read.
  const follow = () => {
    const table = document.querySelector(".admin-table");
    fetch(location.href, { credentials: "same-origin" }).then((r) => r.text()).then((html) => {
      const fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".admin-table");
      if (fresh && table) table.replaceWith(fresh);
      else if (fresh) list.after(fresh);
      const waiting = [...list.querySelectorAll("li[data-state=done] span:first-child")]
        .some((n) => !(fresh && fresh.textContent.includes(n.textContent)));
      if (waiting) setTimeout(follow, 2000);
    });
  };

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    for (const file of input.files) send(file);
    form.reset();
    next();
  });
})();
