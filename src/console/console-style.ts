/** The console's one stylesheet, shared by the status page and the playground (inline: the pages ship no build step). */
export const CONSOLE_CSS = `
:root { color-scheme: light dark; --bg: #f6f7f9; --card: #fff; --ink: #1d2430; --muted: #667085; --line: #e4e7ec;
  --ok: #12805c; --warn: #b54708; --bad: #c01048; --accent: #3b5bdb; }
@media (prefers-color-scheme: dark) { :root { --bg: #12151b; --card: #1b1f27; --ink: #e7eaf0; --muted: #98a2b3; --line: #2c313c; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--ink); }
header { display: flex; gap: 18px; align-items: center; padding: 12px 20px; border-bottom: 1px solid var(--line); background: var(--card); }
header h1 { font-size: 16px; margin: 0 12px 0 0; }
header a { color: var(--muted); text-decoration: none; }
header a.here { color: var(--ink); font-weight: 600; }
header .live { margin-left: auto; color: var(--muted); font-size: 12px; }
main { padding: 16px 20px; display: grid; gap: 16px; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; min-width: 0; }
section.wide { grid-column: 1 / -1; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0 0 8px; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th { color: var(--muted); font-weight: 500; }
.empty { color: var(--muted); font-style: italic; }
.pass, .ok { color: var(--ok); } .warn { color: var(--warn); } .fail, .bad { color: var(--bad); }
.pill { display: inline-block; padding: 0 8px; border-radius: 10px; background: var(--line); font-size: 12px; }
svg.chart { width: 100%; height: 120px; display: block; }
svg.chart .bar { fill: var(--accent); } svg.chart .line { fill: none; stroke: var(--warn); stroke-width: 2; }
svg.chart text { fill: var(--muted); font-size: 10px; }
button { font: inherit; padding: 4px 10px; border-radius: 6px; border: 1px solid var(--line); background: var(--card); color: var(--ink); cursor: pointer; }
button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
button.danger { color: var(--bad); }
`;

/** The header every console page shows, `here` marking the current one. */
export function consoleNav(here: "status" | "queues" | "playground"): string {
  const link = (id: string, href: string, label: string) => `<a href="${href}"${id === here ? ' class="here"' : ""}>${label}</a>`;
  return `<header><h1>dify-bridge</h1>${link("status", "/console", "Status")}${link("queues", "/console/queues", "Queue")}${link("playground", "/console/playground", "Playground")}<span class="live" id="live"></span></header>`;
}
