import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeSlackApi, SLACK_LOGIN_PAGE } from "../../fakes/slack/index.js";

/** The fake's own contract, for the tests (here and end-to-end) that rely on it. */
describe("FakeSlackApi", () => {
  let fake: FakeSlackApi;
  const call = (method: string, body: unknown, token: string = fake.team.botToken) =>
    fetch(`${fake.apiUrl}/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  beforeEach(async () => {
    fake = await FakeSlackApi.start({ tiers: { "chat.update": { limit: 2, windowMs: 60_000, scope: "workspace" } } });
  });
  afterEach(async () => {
    await fake.close();
  });

  it("accepts JSON bodies and checks tokens", async () => {
    const posted = (await (await call("chat.postMessage", { channel: "C1", markdown_text: "**hi**" })).json()) as { ok: boolean; ts: string };
    expect(posted.ok).toBe(true);
    expect(fake.messages.get("C1", posted.ts)?.markdown).toBe("**hi**");
    expect(await (await call("chat.postMessage", { channel: "C1", text: "x" }, "")).json()).toEqual({ ok: false, error: "not_authed" });
    expect(await (await call("chat.postMessage", { channel: "C1", text: "x" }, "xoxb-other")).json()).toEqual({ ok: false, error: "invalid_auth" });
    expect(await (await call("apps.connections.open", {})).json()).toEqual({ ok: false, error: "not_allowed_token_type" });
    expect(fake.calls.map((c) => c.auth)).toEqual(["bot", "none", "invalid", "bot"]);
  });

  it("views.publish keeps one Home tab per person and rejects what Slack would; conversations.open needs im:write", async () => {
    const publish = async (body: unknown) => (await (await call("views.publish", body)).json()) as { ok: boolean; error?: string };
    const header = (text: string) => ({ type: "header", text: { type: "plain_text", text } });
    const button = (id: string, text: string) => ({ type: "button", action_id: id, text: { type: "plain_text", text } });
    expect(await publish({ user_id: "U1", view: { type: "home", blocks: [header("Hi")] } })).toMatchObject({ ok: true });
    expect(await publish({ user_id: "U1", view: { type: "home", blocks: [header("Again")] } })).toMatchObject({ ok: true });
    expect(fake.home.tab("U1")?.revisions).toHaveLength(2);
    expect(fake.home.tab("U1")?.view.blocks).toEqual([header("Again")]);
    expect(await publish({ view: { type: "home", blocks: [] } })).toMatchObject({ ok: false, error: "invalid_arguments" });
    expect(await publish({ user_id: "U1", view: { type: "modal", blocks: [] } })).toMatchObject({ ok: false, error: "invalid_arguments" });
    expect(await publish({ user_id: "U1", view: { type: "home", blocks: [header("x".repeat(151))] } })).toMatchObject({ ok: false, error: "invalid_blocks" });
    expect(await publish({ user_id: "U1", view: { type: "home", blocks: Array.from({ length: 101 }, () => header("x")) } })).toMatchObject({
      ok: false,
      error: "invalid_blocks",
    });
    const twice = { type: "actions", elements: [button("same", "A"), button("same", "B")] };
    expect(await publish({ user_id: "U1", view: { type: "home", blocks: [twice] } })).toMatchObject({ ok: false, error: "invalid_blocks" });
    expect(await publish({ user_id: "U1", view: { type: "home", blocks: [{ type: "actions", elements: [button("a", "x".repeat(76))] }] } })).toMatchObject({
      ok: false,
      error: "invalid_blocks",
    });
    fake.home.enabled = false;
    expect(await publish({ user_id: "U1", view: { type: "home", blocks: [header("Hi")] } })).toMatchObject({ ok: false, error: "not_enabled" });

    const opened = (await (await call("conversations.open", { users: "U1" })).json()) as { ok: boolean; channel: { id: string } };
    expect(opened).toMatchObject({ ok: true, channel: { id: fake.home.dmChannelOf("U1") } });
    const narrow = await FakeSlackApi.start({ team: { scopes: ["chat:write"] } });
    try {
      const res = await fetch(`${narrow.apiUrl}/conversations.open`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${narrow.team.botToken}` },
        body: JSON.stringify({ users: "U1" }),
      });
      expect(await res.json()).toMatchObject({ ok: false, error: "missing_scope", needed: "im:write" });
    } finally {
      await narrow.close();
    }
  });

  it("keeps message metadata as Slack documents it: returned by conversations.replies only with include_all_metadata", async () => {
    const thread = (await (await call("chat.postMessage", { channel: "C1", text: "question" })).json()) as { ts: string };
    const metadata = { event_type: "dify_bridge_reply", event_payload: { turn_id: "t1", part: 0 } };
    const posted = (await (await call("chat.postMessage", { channel: "C1", thread_ts: thread.ts, text: "reply", metadata })).json()) as { ts: string };
    const replies = async (extra: Record<string, unknown>) =>
      (
        (await (await call("conversations.replies", { channel: "C1", ts: thread.ts, ...extra })).json()) as {
          messages: Array<{ ts: string; metadata?: unknown }>;
        }
      ).messages.find((m) => m.ts === posted.ts);
    expect((await replies({}))?.metadata).toBeUndefined();
    expect((await replies({ include_all_metadata: true }))?.metadata).toEqual(metadata);
    // An update without metadata keeps it; `{}` removes it.
    expect((await call("chat.update", { channel: "C1", ts: posted.ts, text: "edited" })).status).toBe(200);
    expect((await replies({ include_all_metadata: true }))?.metadata).toEqual(metadata);
    await call("chat.update", { channel: "C1", ts: posted.ts, text: "edited again", metadata: {} });
    expect((await replies({ include_all_metadata: true }))?.metadata).toBeUndefined();
    expect(await (await call("chat.postMessage", { channel: "C1", text: "x", metadata: { event_type: 3 } })).json()).toEqual({
      ok: false,
      error: "invalid_metadata_format",
    });
  });

  it("refills a continuous tier one call per window/limit, where a sliding tier frees nothing for the window", async () => {
    fake.setTiers({ "chat.update": { limit: 2, windowMs: 60_000, scope: "workspace", refill: "continuous" } });
    const { ts } = (await (await call("chat.postMessage", { channel: "C1", text: "a" })).json()) as { ts: string };
    expect((await call("chat.update", { channel: "C1", ts, text: "b" })).status).toBe(200);
    expect((await call("chat.update", { channel: "C1", ts, text: "c" })).status).toBe(200);
    const limited = await call("chat.update", { channel: "C1", ts, text: "d" });
    expect(limited.status).toBe(429);
    // One call returns every 30 s, not the whole tier after 60 s.
    expect(Number(limited.headers.get("retry-after"))).toBe(30);
  });

  it("answers 429 with Retry-After once a tier is used up, per workspace", async () => {
    const { ts } = (await (await call("chat.postMessage", { channel: "C1", text: "a" })).json()) as { ts: string };
    expect((await call("chat.update", { channel: "C1", ts, text: "b" })).status).toBe(200);
    expect((await call("chat.update", { channel: "C1", ts, text: "c" })).status).toBe(200);
    const limited = await call("chat.update", { channel: "C1", ts, text: "d" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(59);
    expect(fake.messages.get("C1", ts)?.text).toBe("c");
    expect(fake.rateLimitedCalls("chat.update")).toHaveLength(1);
  });

  it("serves hosted files only to the bot token", async () => {
    const file = fake.hostFile({ name: "a.txt", mimetype: "text/plain", data: "secret bytes" });
    const url = String(file.url_private_download);
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await anonymous.text()).toBe(SLACK_LOGIN_PAGE);
    const authorized = await fetch(url, { headers: { authorization: `Bearer ${fake.team.botToken}` } });
    expect(await authorized.text()).toBe("secret bytes");
  });

  it("rejects chat.update text over 4,000 characters and edits of other people's messages", async () => {
    const { ts } = (await (await call("chat.postMessage", { channel: "C1", text: "a" })).json()) as { ts: string };
    expect(await (await call("chat.update", { channel: "C1", ts, text: "x".repeat(4_001) })).json()).toMatchObject({ error: "msg_too_long" });
    const theirs = fake.messages.add({ channel: "C1", user: "U1", text: "mine", via: "user" });
    expect(await (await call("chat.update", { channel: "C1", ts: theirs.ts, text: "x" })).json()).toMatchObject({ error: "cant_update_message" });
  });
});
