import { CONSOLE_CSS, consoleNav } from "./console-style.js";

/**
 * /console: plain HTML filled in by one small script from the server-sent events of /console/api/events. Every
 * value is put in with textContent (never as HTML), so nothing a user wrote can run as script here.
 */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>dify-bridge console</title><style>${CONSOLE_CSS}</style></head>
<body>${consoleNav("status")}
<main>
  <section><h2>Platforms</h2><table><thead><tr><th>Platform</th><th>State</th><th>Workspaces / servers</th></tr></thead><tbody id="platforms"></tbody></table></section>
  <section><h2>Dify</h2><div id="dify" class="empty">checking…</div></section>
  <section><h2>Queue</h2><div id="queue"></div></section>
  <section class="wide"><h2>Answers streaming now</h2><table><thead><tr><th>Platform</th><th>Channel</th><th>Elapsed</th><th>Updates sent</th><th>Budget waits</th><th>First token</th></tr></thead><tbody id="streams"></tbody></table></section>
  <section><h2>Answers per minute (last hour)</h2><svg class="chart" id="answers-chart" viewBox="0 0 600 120" preserveAspectRatio="none" role="img" aria-label="answers per minute"></svg></section>
  <section><h2>First-token latency (last hour)</h2><svg class="chart" id="latency-chart" viewBox="0 0 600 120" preserveAspectRatio="none" role="img" aria-label="first-token latency"></svg></section>
  <section class="wide"><h2>Budgets</h2><table><thead><tr><th>Scope</th><th>Used / limit</th><th>Window</th><th>Active streams</th></tr></thead><tbody id="budgets"></tbody></table></section>
  <section class="wide"><h2>Last failures</h2><table><thead><tr><th>When</th><th>Platform</th><th>Channel</th><th>The user saw</th><th>Reason</th></tr></thead><tbody id="failures"></tbody></table></section>
  <section class="wide"><h2>Dropped or ignored events</h2><table><thead><tr><th>When</th><th>Platform</th><th>Event</th><th>Channel</th><th>Why</th></tr></thead><tbody id="dropped"></tbody></table></section>
  <section class="wide"><h2>Doctor <button id="rerun">Run again</button></h2><table><tbody id="doctor"></tbody></table></section>
</main>
<script src="/console/assets/status.js"></script>
</body></html>`;

/** The page's script. Plain ES2020, no build step; kept free of backticks so it can live in this template. */
export const STATUS_SCRIPT = `"use strict";
(function () {
  var WHY = {
    not_for_bot: "not addressed to the bot (no mention, not one of its threads)",
    for_someone_else: "mentions someone else, not the bot",
    duplicate: "duplicate delivery (already answered)",
    user_rate_limited: "flood limit: the user sent too many messages (USER_RATE_LIMIT)",
    bot_author: "written by a bot or webhook",
    channel_not_allowed: "channel not allowed (ALLOWED_CHANNELS)",
    guild_not_allowed: "server not allowed (DISCORD_ALLOWED_GUILDS)",
    dm_not_allowed: "direct messages are off",
    not_addressed: "channel message without a mention",
    unreadable: "no text: the Message Content intent may be missing",
    incomplete: "the event lacked an id the bot needs",
    unsupported_channel: "a kind of channel the bot cannot answer in"
  };
  var last = null;
  function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined && text !== null) e.textContent = String(text); if (cls) e.className = cls; return e; }
  function row(cells) { var tr = document.createElement("tr"); cells.forEach(function (c) { var td = el("td"); if (c instanceof Node) td.appendChild(c); else td.textContent = c === undefined || c === null ? "" : String(c); tr.appendChild(td); }); return tr; }
  function fill(id, rows, cols, emptyText) {
    var body = document.getElementById(id); body.replaceChildren();
    if (!rows.length) { var tr = document.createElement("tr"); var td = el("td", emptyText, "empty"); td.colSpan = cols; tr.appendChild(td); body.appendChild(tr); return; }
    rows.forEach(function (r) { body.appendChild(row(r)); });
  }
  function secs(ms) { return ms < 1000 ? ms + " ms" : (ms / 1000).toFixed(1) + " s"; }
  function clock(t) { return new Date(t).toLocaleTimeString(); }
  function render(s) {
    last = s;
    fill("platforms", s.platforms.map(function (p) {
      var names = p.workspaces.map(function (w) { return w.name ? w.name + " (" + w.id + ")" : w.id; }).join(", ");
      return [p.id, el("span", p.connected ? "connected" : "not connected", p.connected ? "ok" : "bad"), names || "—"];
    }), 3, "no platform in this process");
    var d = document.getElementById("dify"); d.replaceChildren(); d.className = "";
    d.appendChild(el("div", s.dify.reachable ? "reachable" : "unreachable", s.dify.reachable ? "ok" : "bad"));
    d.appendChild(el("div", s.dify.url + (s.dify.version ? " · Dify " + s.dify.version : "")));
    if (s.dify.app) d.appendChild(el("div", "app \\u201c" + s.dify.app.name + "\\u201d (" + s.dify.app.mode + ")"));
    if (s.dify.problem) d.appendChild(el("div", "problem: " + s.dify.problem, "bad"));
    var q = document.getElementById("queue"); q.replaceChildren();
    Object.keys(s.queue).forEach(function (k) { q.appendChild(el("span", k + " " + s.queue[k], "pill")); q.appendChild(document.createTextNode(" ")); });
    renderStreams();
    fill("budgets", s.activity.budgets.map(function (b) {
      return [b.key, b.used + " / " + b.limit, secs(b.windowMs), b.active];
    }), 4, "no budget spent in the last 10 minutes");
    fill("failures", s.activity.failures.map(function (f) { return [clock(f.at), f.platform, f.channelId, f.userText, f.code + " — " + f.reason]; }), 5, "no failures");
    fill("dropped", s.activity.dropped.map(function (e) { return [clock(e.at), e.platform, e.what, e.channelId || "", WHY[e.reason] ? e.reason + ": " + WHY[e.reason] : e.reason]; }), 5, "nothing dropped");
    fill("doctor", s.doctor.checks.map(function (c) {
      var mark = el("span", c.status === "pass" ? "\\u2713" : c.status === "warn" ? "!" : "\\u2717", c.status);
      return [mark, c.area + ": " + c.name, (c.detail || "") + (c.fix && c.status !== "pass" ? " \\u2014 fix: " + c.fix : "")];
    }), 3, s.doctor.running || s.doctor.ranAt === null ? "running…" : "no checks");
    chart("answers-chart", s.activity.minutes.map(function (m) { return m.answers; }), "bars", "");
    chart("latency-chart", s.activity.minutes.map(function (m) { return m.firstTokenMs; }), "line", " ms");
  }
  function renderStreams() {
    if (!last) return;
    var now = Date.now();
    fill("streams", last.activity.streams.map(function (a) {
      return [a.platform, a.channelId, secs(Math.max(0, now - a.receivedAt)), a.updates, a.budgetWaits + (a.budgetWaits ? " (" + secs(a.budgetWaitMs) + ")" : ""), a.firstTextMs === undefined || a.firstTextMs === null ? "waiting" : secs(a.firstTextMs)];
    }), 6, "no answer is streaming");
  }
  var SVG = "http://www.w3.org/2000/svg";
  function chart(id, values, kind, unit) {
    var svg = document.getElementById(id); svg.replaceChildren();
    var nums = values.filter(function (v) { return typeof v === "number"; });
    var max = Math.max(1, Math.max.apply(null, nums.concat([0])));
    var w = 600 / values.length, h = 100;
    var label = document.createElementNS(SVG, "text"); label.setAttribute("x", "4"); label.setAttribute("y", "10"); label.textContent = "max " + Math.round(max) + unit; svg.appendChild(label);
    var bottom = document.createElementNS(SVG, "text"); bottom.setAttribute("x", "4"); bottom.setAttribute("y", "118"); bottom.textContent = "60 min ago"; svg.appendChild(bottom);
    var nowText = document.createElementNS(SVG, "text"); nowText.setAttribute("x", "575"); nowText.setAttribute("y", "118"); nowText.textContent = "now"; svg.appendChild(nowText);
    if (kind === "bars") {
      values.forEach(function (v, i) {
        if (!v) return;
        var r = document.createElementNS(SVG, "rect"); var bh = (v / max) * (h - 12);
        r.setAttribute("class", "bar"); r.setAttribute("x", String(i * w + 1)); r.setAttribute("width", String(Math.max(1, w - 2)));
        r.setAttribute("y", String(h - bh)); r.setAttribute("height", String(bh)); svg.appendChild(r);
      });
      return;
    }
    var pts = [];
    values.forEach(function (v, i) { if (typeof v === "number") pts.push((i * w + w / 2).toFixed(1) + "," + (h - (v / max) * (h - 12)).toFixed(1)); });
    if (!pts.length) return;
    var line = document.createElementNS(SVG, "polyline"); line.setAttribute("class", "line"); line.setAttribute("points", pts.length === 1 ? pts[0] + " " + pts[0] : pts.join(" ")); svg.appendChild(line);
  }
  var live = document.getElementById("live");
  function connect() {
    var es = new EventSource("/console/api/events");
    es.addEventListener("status", function (e) { live.textContent = "live · " + new Date().toLocaleTimeString(); render(JSON.parse(e.data)); });
    es.onerror = function () { live.textContent = "reconnecting…"; };
  }
  document.getElementById("rerun").addEventListener("click", function () {
    var b = this; b.disabled = true;
    fetch("/console/api/doctor", { method: "POST" }).finally(function () { b.disabled = false; });
  });
  setInterval(renderStreams, 1000);
  connect();
})();
`;
