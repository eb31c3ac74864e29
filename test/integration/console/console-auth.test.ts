import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGate, scripts, steps } from "../../fakes/dify/index.js";
import { CONSOLE_TOKEN, ConsoleClient } from "../../support/console-client.js";
import { eventually, SlackE2E } from "../slack-e2e/slack-e2e-harness.js";

/** Every page and API of the console, and the kinds of request a browser or script sends them. */
const PROTECTED: ReadonlyArray<[string, string]> = [
  ["GET", "/console"],
  ["GET", "/console/"],
  ["GET", "/console/assets/status.js"],
  ["GET", "/console/api/status"],
  ["GET", "/console/api/events"],
  ["POST", "/console/api/doctor"],
  ["GET", "/console/queues"],
  ["GET", "/console/queues/api/queues"],
  ["PUT", "/console/queues/api/queues/replies/1/retry"],
  ["GET", "/console/playground"],
  ["GET", "/console/no-such-page"],
];

describe("operator console: authentication and the queue view", () => {
  let e: SlackE2E;
  let origin: string;

  beforeAll(async () => {
    e = await SlackE2E.start({ env: { CONSOLE_TOKEN } });
    origin = `http://127.0.0.1:${e.h.bridge.httpPort}`;
  });
  afterAll(async () => e?.close());

  it("refuses every page and API without the token (401, not cached), and with a wrong one", async () => {
    const anonymous = new ConsoleClient(origin);
    for (const [method, path] of PROTECTED) {
      for (const auth of ["none", { bearer: "wrong-token-wrong-token-wrong" }] as const) {
        const res = await anonymous.raw(path, { method, auth });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.headers.get("cache-control")).toBe("no-store");
        expect(res.headers.get("set-cookie")).toBeNull();
      }
    }
    const wrongQuery = await anonymous.raw("/console?token=not-the-token-at-all", { auth: "none" });
    expect(wrongQuery.status).toBe(401);
    expect(wrongQuery.headers.get("set-cookie")).toBeNull();
    // A forged cookie does not open it either.
    const forged = await fetch(`${origin}/console/api/status`, { headers: { cookie: `bridge_console=${CONSOLE_TOKEN}` } });
    expect(forged.status).toBe(401);
    // The rest of the server is unchanged.
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
  });

  it("?token= sets an HttpOnly session cookie and redirects to the address without the token; the token is never shown", async () => {
    const browser = new ConsoleClient(origin);
    const login = await browser.login(CONSOLE_TOKEN, "/console");
    expect(login.status).toBe(303);
    expect(login.headers.get("location")).toBe("/console");
    const cookie = login.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^bridge_console=[A-Za-z0-9_-]+; Path=\/console; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(CONSOLE_TOKEN);

    const page = await browser.raw("/console");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const status = await browser.raw("/console/api/status");
    expect(status.status).toBe(200);
    for (const body of [page.body, status.body, (await browser.raw("/console/assets/status.js")).body]) {
      expect(body).not.toContain(CONSOLE_TOKEN);
      expect(body).not.toContain(e.slack.team.botToken);
      expect(body).not.toContain(e.dify.apiKey);
    }
    // Another address keeps its query, without the token.
    const deep = await new ConsoleClient(origin).raw(`/console/api/status?x=1&token=${CONSOLE_TOKEN}`, { auth: "none" });
    expect(deep.headers.get("location")).toBe("/console/api/status?x=1");
  });

  it("a script may send the token as a Bearer token instead", async () => {
    const script = new ConsoleClient(origin);
    const status = await script.json<{ platforms: { id: string; connected: boolean; workspaces: { id: string }[] }[] }>("/console/api/status", {
      auth: { bearer: CONSOLE_TOKEN },
    });
    expect(status.platforms).toEqual([{ id: "slack", connected: true, workspaces: [{ id: e.slack.team.teamId }] }]);
  });

  it("Bull Board lists the job of an answer streaming now, read-only: retry and remove are refused", async () => {
    const gate = createGate();
    e.dify.onChat(() => [steps.message("Half of it"), steps.waitFor(gate), ...scripts.answer(" and the rest.")]);
    const q = await e.mention({ text: "what is in the queue?" });
    const browser = new ConsoleClient(origin);
    await browser.login();

    const ui = await browser.raw("/console/queues");
    expect(ui.status).toBe(200);
    expect(ui.body).toContain('<base href="/console/queues/" />');
    expect(ui.headers.get("cache-control")).toBe("no-store");
    type BoardJob = { id: string; data: { message?: { conversationKey?: string } } };
    type Board = { queues: { name: string; readOnlyMode: boolean; jobs: BoardJob[] }[] };
    const active = await eventually(async () => {
      const board = await browser.json<Board>("/console/queues/api/queues?activeQueue=replies&status=active");
      const queue = board.queues.find((x) => x.name === "replies");
      const job = queue?.jobs.find((j) => j.data.message?.conversationKey === q.conversationKey);
      return queue && job ? { queue, job } : undefined;
    });
    expect(active.queue.readOnlyMode).toBe(true);

    const retry = await browser.raw(`/console/queues/api/queues/replies/${encodeURIComponent(active.job.id)}/retry`, { method: "PUT" });
    expect(retry.status).toBe(405);
    const clean = await browser.raw(`/console/queues/api/queues/replies/${encodeURIComponent(active.job.id)}/clean`, { method: "PUT" });
    expect(clean.status).toBe(405);
    expect((await browser.raw("/console/queues/api/queues/replies/pause", { method: "PUT" })).status).toBe(405);
    gate.open();
    await e.waitForAnswer(q, "Half of it and the rest.");

    // A static file of the board (normally cacheable) is not cached either.
    const asset = /static\/js\/main[^"]+\.js/.exec(ui.body)?.[0];
    expect(asset).toBeDefined();
    const js = await browser.raw(`/console/queues/${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get("cache-control")).toBe("no-store");
  });
});

describe("operator console: queue actions when CONSOLE_QUEUE_ACTIONS allows them", () => {
  it("the board is writable: pausing and resuming the queue work", async () => {
    const e = await SlackE2E.start({ env: { CONSOLE_TOKEN, CONSOLE_QUEUE_ACTIONS: "true" } });
    try {
      const browser = new ConsoleClient(`http://127.0.0.1:${e.h.bridge.httpPort}`);
      await browser.login();
      const board = await browser.json<{ queues: { name: string; readOnlyMode: boolean; allowRetries: boolean }[] }>("/console/queues/api/queues");
      expect(board.queues.find((q) => q.name === "replies")).toMatchObject({ readOnlyMode: false, allowRetries: true });
      expect((await browser.raw("/console/queues/api/queues/replies/pause", { method: "PUT" })).status).toBe(200);
      expect((await browser.raw("/console/queues/api/queues/replies/resume", { method: "PUT" })).status).toBe(200);
    } finally {
      await e.close();
    }
  });
});

describe("operator console: off without CONSOLE_TOKEN", () => {
  it("serves nothing under /console", async () => {
    const e = await SlackE2E.start();
    try {
      const res = await fetch(`http://127.0.0.1:${e.h.bridge.httpPort}/console?token=${CONSOLE_TOKEN}`);
      expect(res.status).toBe(404);
    } finally {
      await e.close();
    }
  });
});
