const CSS = `
:root { color-scheme: light dark; --bg: #f6f7f9; --card: #fff; --ink: #1d2430; --muted: #667085; --line: #e4e7ec; --accent: #3b5bdb; --mine: #e8edff; }
@media (prefers-color-scheme: dark) { :root { --bg: #12151b; --card: #1b1f27; --ink: #e7eaf0; --muted: #98a2b3; --line: #2c313c; --mine: #26304d; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--ink); display: flex; flex-direction: column; height: 100vh; }
header { display: flex; gap: 18px; align-items: center; padding: 12px 20px; border-bottom: 1px solid var(--line); background: var(--card); }
header h1 { font-size: 16px; margin: 0 12px 0 0; } header a { color: var(--muted); text-decoration: none; } header a.here { color: var(--ink); font-weight: 600; }
header button { margin-left: auto; }
#chat { flex: 1; overflow-y: auto; padding: 16px 20px; display: flex; flex-direction: column; gap: 10px; }
.msg { max-width: 760px; padding: 10px 14px; border-radius: 10px; background: var(--card); border: 1px solid var(--line); }
.msg.user { align-self: flex-end; background: var(--mine); }
.msg .who { font-size: 12px; color: var(--muted); margin-bottom: 2px; }
.msg pre { background: rgba(127,127,127,.12); padding: 8px; border-radius: 6px; overflow-x: auto; }
.msg code { font-family: ui-monospace, monospace; font-size: 13px; }
.msg p { margin: 0 0 6px; } .msg p:last-child { margin-bottom: 0; }
.buttons, .feedback { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.citations { margin-top: 8px; font-size: 12px; color: var(--muted); }
.files a { display: inline-block; margin-top: 6px; }
.notice { align-self: center; font-size: 12px; color: var(--muted); font-style: italic; }
#typing { padding: 0 20px 4px; color: var(--muted); font-size: 12px; min-height: 18px; }
form { display: flex; gap: 8px; padding: 12px 20px; border-top: 1px solid var(--line); background: var(--card); }
textarea { flex: 1; resize: none; height: 44px; font: inherit; padding: 10px; border-radius: 8px; border: 1px solid var(--line); background: var(--bg); color: var(--ink); }
button { font: inherit; padding: 6px 12px; border-radius: 6px; border: 1px solid var(--line); background: var(--card); color: var(--ink); cursor: pointer; }
button.primary { background: var(--accent); color: #fff; border-color: var(--accent); } button.danger { color: #c01048; } button.chosen { border-color: var(--accent); }
`;

/** /console/playground: one chat at a time, talking to the Dify app through the bridge's core. */
export const PLAYGROUND_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>dify-bridge playground</title><style>${CSS}</style></head>
<body>
<header><h1>dify-bridge</h1><a href="/console">Status</a><a href="/console/queues">Queue</a><a href="/console/playground" class="here">Playground</a><button id="new-chat">New chat</button></header>
<div id="chat" aria-live="polite"></div>
<div id="typing"></div>
<form id="ask"><input type="file" id="files" multiple aria-label="attach files"><textarea id="question" placeholder="Ask the app something…" aria-label="question"></textarea><button class="primary" type="submit" id="send">Send</button></form>
<script src="/console/playground/app.js"></script>
</body></html>`;

/**
 * The page's script. Markdown is rendered by building DOM nodes from escaped text (code blocks, inline code,
 * bold, italics, http(s) links only), so an answer can never inject markup. Plain ES2020, no backticks.
 */
export const PLAYGROUND_SCRIPT = `"use strict";
(function () {
  var API = "/console/playground/api";
  var user = localStorage.getItem("playground-user");
  if (!user) { user = "web-" + Math.random().toString(36).slice(2, 12); localStorage.setItem("playground-user", user); }
  var thread = null, source = null, rated = {};
  var chat = document.getElementById("chat");
  function post(path, body) {
    return fetch(API + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then(function (r) {
      if (!r.ok) return r.json().then(function (e) { throw new Error(e.error || r.statusText); });
      return r.json();
    });
  }
  function inline(parent, text) {
    var re = /(\\*\\*[^*]+\\*\\*|\\x60[^\\x60]+\\x60|\\[[^\\]]+\\]\\((https?:[^)\\s]+)\\)|_[^_]+_|\\*[^*]+\\*)/g, last = 0, m;
    while ((m = re.exec(text))) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      var t = m[0], node;
      if (t.slice(0, 2) === "**") { node = document.createElement("strong"); node.textContent = t.slice(2, -2); }
      else if (t[0] === "\\x60") { node = document.createElement("code"); node.textContent = t.slice(1, -1); }
      else if (t[0] === "[") { node = document.createElement("a"); node.href = m[2]; node.rel = "noopener noreferrer"; node.target = "_blank"; node.textContent = t.slice(1, t.indexOf("]")); }
      else { node = document.createElement("em"); node.textContent = t.slice(1, -1); }
      parent.appendChild(node); last = m.index + t.length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }
  function markdown(text) {
    var box = document.createElement("div"), parts = text.split(/\\x60\\x60\\x60/);
    parts.forEach(function (part, i) {
      if (i % 2 === 1) { var pre = document.createElement("pre"), code = document.createElement("code"); code.textContent = part.replace(/^[^\\n]*\\n/, ""); pre.appendChild(code); box.appendChild(pre); return; }
      part.split(/\\n{2,}/).forEach(function (para) {
        if (!para.trim()) return;
        var p = document.createElement("p");
        para.split("\\n").forEach(function (line, j) { if (j) p.appendChild(document.createElement("br")); inline(p, line); });
        box.appendChild(p);
      });
    });
    return box;
  }
  function button(label, cls, onClick) { var b = document.createElement("button"); b.type = "button"; b.textContent = label; if (cls) b.className = cls; b.addEventListener("click", onClick); return b; }
  function render(view) {
    if (view.gone) { chat.textContent = "This chat was closed. Start a new one."; return; }
    chat.replaceChildren();
    view.messages.forEach(function (m) {
      var box = document.createElement("div"); box.className = "msg " + m.from; box.dataset.id = m.id;
      var who = document.createElement("div"); who.className = "who"; who.textContent = m.from === "bot" ? "App" : "You"; box.appendChild(who);
      if (m.text) box.appendChild(markdown(m.text));
      if (m.files.length) {
        var files = document.createElement("div"); files.className = "files";
        m.files.forEach(function (f) { var a = document.createElement("a"); a.href = API + "/file?id=" + encodeURIComponent(f.id); a.textContent = "\\ud83d\\udcce " + f.name; a.download = f.name; files.appendChild(a); files.appendChild(document.createElement("br")); });
        box.appendChild(files);
      }
      if (m.citations.length) {
        var c = document.createElement("div"); c.className = "citations"; c.textContent = "Sources: ";
        m.citations.forEach(function (ci, i) { if (i) c.appendChild(document.createTextNode(" · ")); if (ci.url && /^https?:/.test(ci.url)) { var a = document.createElement("a"); a.href = ci.url; a.rel = "noopener noreferrer"; a.target = "_blank"; a.textContent = "[" + ci.index + "] " + ci.title; c.appendChild(a); } else c.appendChild(document.createTextNode("[" + ci.index + "] " + ci.title)); });
        box.appendChild(c);
      }
      if (m.buttons.length) {
        var row = document.createElement("div"); row.className = "buttons";
        m.buttons.forEach(function (b) { row.appendChild(button(b.label, b.style === "danger" ? "danger" : b.style === "primary" ? "primary" : "", function () { click(m.id, b.actionId, this); })); });
        box.appendChild(row);
      }
      if (m.from === "bot" && m.text && !m.buttons.some(function (b) { return b.style === "danger"; })) {
        var fb = document.createElement("div"); fb.className = "feedback";
        ["thumbs_up", "thumbs_down"].forEach(function (r) {
          fb.appendChild(button(r === "thumbs_up" ? "\\ud83d\\udc4d" : "\\ud83d\\udc4e", rated[m.id] === r ? "chosen" : "", function () { react(m.id, r); }));
        });
        box.appendChild(fb);
      }
      chat.appendChild(box);
    });
    view.notices.forEach(function (n) { var d = document.createElement("div"); d.className = "notice"; d.textContent = n; chat.appendChild(d); });
    document.getElementById("typing").textContent = view.typing ? "The app is typing…" : "";
    chat.scrollTop = chat.scrollHeight;
  }
  function click(messageId, actionId, el) { el.disabled = true; post("/click", { thread: thread, user: user, message: messageId, actionId: actionId }).catch(alertError); }
  function react(messageId, reaction) {
    var was = rated[messageId];
    var EMOJI = { thumbs_up: "\ud83d\udc4d", thumbs_down: "\ud83d\udc4e" };
    var steps = was && was !== reaction ? [post("/react", { thread: thread, user: user, message: messageId, emoji: EMOJI[was], added: false })] : [];
    Promise.all(steps).then(function () { return post("/react", { thread: thread, user: user, message: messageId, emoji: EMOJI[reaction], added: was !== reaction }); })
      .then(function () { if (was === reaction) delete rated[messageId]; else rated[messageId] = reaction; }).catch(alertError);
  }
  function alertError(e) { var d = document.createElement("div"); d.className = "notice"; d.textContent = "\\u26a0\\ufe0f " + e.message; chat.appendChild(d); }
  function follow(id) {
    thread = id; sessionStorage.setItem("playground-thread", id);
    if (source) source.close();
    source = new EventSource(API + "/events?thread=" + encodeURIComponent(id) + "&user=" + encodeURIComponent(user));
    source.addEventListener("chat", function (e) { render(JSON.parse(e.data)); });
  }
  function newChat() { rated = {}; return post("/threads", {}).then(function (r) { follow(r.thread); }); }
  function readFile(f) { return new Promise(function (ok, fail) { var r = new FileReader(); r.onload = function () { ok({ name: f.name, mimeType: f.type, base64: String(r.result).split(",")[1] || "" }); }; r.onerror = fail; r.readAsDataURL(f); }); }
  document.getElementById("new-chat").addEventListener("click", function () { newChat().catch(alertError); });
  document.getElementById("ask").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = document.getElementById("question"), input = document.getElementById("files"), text = q.value;
    Promise.all(Array.prototype.map.call(input.files, readFile)).then(function (files) {
      if (!text.trim() && !files.length) return;
      q.value = ""; input.value = "";
      return post("/messages", { thread: thread, user: user, text: text, files: files });
    }).catch(alertError);
  });
  document.getElementById("question").addEventListener("keydown", function (e) { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); document.getElementById("send").click(); } });
  var saved = sessionStorage.getItem("playground-thread");
  if (saved) fetch(API + "/thread?id=" + encodeURIComponent(saved) + "&user=" + encodeURIComponent(user)).then(function (r) { if (r.ok) follow(saved); else return newChat(); }).catch(alertError);
  else newChat().catch(alertError);
})();
`;
