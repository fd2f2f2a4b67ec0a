// The minimal page served until the generated front end arrives: it connects the socket, follows the streams the
// server named, applies the standard turbo-stream actions and shows the connection's state. Wire names come from
// Wire, interpolated here, so the script and the server cannot disagree.
internal import TurboStream

extension FrontEnd {
    /// The built-in shell, stylesheet and script.
    static let builtin = FrontEnd(shell: shellHTML, assets: [
        File(stem: "quarry", ext: "css", contentType: "text/css; charset=utf-8", bytes: Array(css.utf8)),
        File(stem: "quarry", ext: "js", contentType: "text/javascript; charset=utf-8", bytes: Array(script.utf8)),
    ])

    private static let shellHTML = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Quarry</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="{{asset:quarry.css}}">
        <script src="{{asset:quarry.js}}" defer></script>
        </head>
        <body>
        {{streams}}
        <header><h1>Quarry</h1><p id="\(Wire.ElementID.connectionStatus)" role="status">Connecting…</p></header>
        <main id="\(Wire.ElementID.messages)"></main>
        <div id="\(Wire.ElementID.notice)" aria-live="polite"></div>
        </body>
        </html>

        """

    private static let css = """
        :root{color-scheme:light dark;font-family:system-ui,sans-serif;line-height:1.5}
        body{margin:0 auto;max-width:48rem;padding:1rem}
        header{display:flex;align-items:baseline;justify-content:space-between;gap:1rem}
        h1{font-size:1.25rem;margin:0}
        #\(Wire.ElementID.connectionStatus){margin:0;font-size:.875rem;opacity:.75}
        .notice-error{border-left:4px solid #c62828;padding:.5rem .75rem}

        """

    private static let script = """
        "use strict";
        (() => {
          const SOURCE = "\(Wire.streamSourceElement)", NAME = "\(Wire.signedStreamNameAttribute)";
          const status = document.getElementById("\(Wire.ElementID.connectionStatus)");
          let socket, delay = 500;
          const send = (op, stream) => socket.send(JSON.stringify({ op, stream }));
          const apply = (el) => {
            const action = el.getAttribute("action"), id = el.getAttribute("target");
            const targets = id ? [document.getElementById(id)].filter(Boolean)
                               : [...document.querySelectorAll(el.getAttribute("targets"))];
            const content = () => el.querySelector("template").content.cloneNode(true);
            for (const t of targets) {
              if (action === "append") t.append(content());
              else if (action === "prepend") t.prepend(content());
              else if (action === "update") t.replaceChildren(content());
              else if (action === "replace") t.replaceWith(content());
              else if (action === "before") t.before(content());
              else if (action === "after") t.after(content());
              else if (action === "remove") t.remove();
            }
          };
          const connect = () => {
            socket = new WebSocket(location.origin.replace(/^http/, "ws") + "\(Wire.socketPath)");
            socket.onopen = () => {
              delay = 500;
              status.textContent = "Connected";
              for (const s of document.querySelectorAll(SOURCE)) send("\(Wire.Op.subscribe.rawValue)", s.getAttribute(NAME));
            };
            socket.onmessage = (event) => {
              const holder = document.createElement("template");
              holder.innerHTML = event.data;
              for (const el of holder.content.querySelectorAll("turbo-stream")) {
                try { apply(el); } catch (error) { console.error("turbo-stream failed", el, error); }
              }
            };
            socket.onclose = () => {
              status.textContent = "Reconnecting…";
              setTimeout(connect, delay * (0.5 + Math.random()));
              delay = Math.min(delay * 2, 15000);
            };
          };
          connect();
        })();

        """
}
