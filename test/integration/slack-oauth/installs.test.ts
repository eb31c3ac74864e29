import { afterEach, describe, expect, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { keysByPrefix } from "../../support/redis.js";
import { GRID, OAuthE2E, TEAM_A, TEAM_B } from "./oauth-harness.js";

/** Every value the bridge keeps in Redis under the harness prefix, as text (strings, hashes, lists, sets, zsets). */
async function everythingStored(e: OAuthE2E): Promise<string> {
  const parts: string[] = [];
  for (const key of await keysByPrefix(e.h.redis, e.h.prefix)) {
    const type = await e.h.redis.type(key);
    if (type === "string") parts.push((await e.h.redis.get(key)) ?? "");
    else if (type === "hash") parts.push(JSON.stringify(await e.h.redis.hgetall(key)));
    else if (type === "list") parts.push(JSON.stringify(await e.h.redis.lrange(key, 0, -1)));
    else if (type === "set") parts.push(JSON.stringify(await e.h.redis.smembers(key)));
    else if (type === "zset") parts.push(JSON.stringify(await e.h.redis.zrange(key, 0, -1)));
    else if (type === "stream") parts.push(JSON.stringify(await e.h.redis.xrange(key, "-", "+")));
  }
  return parts.join("\n");
}

const keysOf = async (e: OAuthE2E, teamId: string) => (await keysByPrefix(e.h.redis, e.h.prefix)).filter((k) => k.includes(`slack:${teamId}:`));

describe.each(["http", "socket"] as const)("Slack OAuth installs over %s: two workspaces, one bridge", (transport) => {
  let e: OAuthE2E;
  afterEach(async () => e?.close());

  it("installs A and B through Bolt's flow; each answers with its own token and budgets; tokens are sealed; uninstalling B forgets B only", async () => {
    e = await OAuthE2E.start({ transport });
    expect(await e.install(TEAM_A)).toBe(200);
    expect(await e.install(TEAM_B)).toBe(200);
    // Bolt's installer exchanged each code once and confirmed each token with auth.test.
    expect(e.slack.callsTo("oauth.v2.access").map((c) => c.error ?? "ok")).toEqual(["ok", "ok"]);
    expect((await e.vault.list("slack")).sort()).toEqual(["T0AAA", "T0BBB"]);

    e.h.dify.onChat((turn) => scripts.answer(`Answer for ${turn.query.includes("alpha") ? "Alpha" : "Beta"}`, { chunkChars: 4, delayMs: 5 }));
    const qa = await e.mention(TEAM_A, "C0ALPHA", "question from alpha");
    const qb = await e.mention(TEAM_B, "C0BETA", "question from beta");
    const ra = await e.answerOf(qa, "Answer for Alpha");
    const rb = await e.answerOf(qb, "Answer for Beta");
    // Each reply was posted by that workspace's bot user…
    expect(ra).toMatchObject({ user: "UBOTA", botId: "BBOTA" });
    expect(rb).toMatchObject({ user: "UBOTB", botId: "BBOTB" });
    // …and every Web API call into a channel was made with that channel's workspace token (the fake checks tokens).
    const writes = e.slack.calls.filter((c) => ["chat.postMessage", "chat.update"].includes(c.method));
    expect(writes.length).toBeGreaterThanOrEqual(4);
    for (const c of writes) {
      expect(c.auth).toBe("bot");
      expect(c.teamId).toBe(c.args.channel === "C0ALPHA" ? "T0AAA" : "T0BBB");
    }
    // Own budgets: the core's shared rate budgets are kept per workspace.
    expect((await keysOf(e, "T0AAA")).some((k) => /:(budget|bucket):/.test(k))).toBe(true);
    expect((await keysOf(e, "T0BBB")).some((k) => /:(budget|bucket):/.test(k))).toBe(true);

    // At rest, neither bot token is readable anywhere in Redis.
    const stored = await everythingStored(e);
    expect(stored).not.toContain(TEAM_A.botToken);
    expect(stored).not.toContain(TEAM_B.botToken);
    expect(stored).not.toContain("alpha-1111");
    expect(stored).toContain("v1.");

    expect((await keysOf(e, "T0BBB")).some((k) => k.includes(":conv:"))).toBe(true);
    for (const envelope of e.slack.uninstall("T0BBB")) await e.send(envelope);
    await eventually(async () => (await e.vault.get("slack", "T0BBB")) === undefined && (await keysOf(e, "T0BBB")).length === 0);
    expect(await e.vault.list("slack")).toEqual(["T0AAA"]);
    // A keeps its installation, its conversation and its answers.
    expect((await keysOf(e, "T0AAA")).some((k) => k.includes(":conv:"))).toBe(true);
    const qa2 = await e.mention(TEAM_A, "C0ALPHA", "alpha again");
    await e.answerOf(qa2, "Answer for Alpha");
  });
});

describe("Slack OAuth installs: Enterprise Grid", () => {
  let e: OAuthE2E;
  afterEach(async () => e?.close());

  it("an org-wide install is stored under the org and answers in a workspace of the org with the org's token", async () => {
    e = await OAuthE2E.start();
    expect(await e.install(GRID)).toBe(200);
    expect(await e.vault.list("slack")).toEqual(["E0GRID"]);
    e.h.dify.onChat(() => scripts.answer("Grid answer", { chunkChars: 4, delayMs: 5 }));
    const q = await e.mention(GRID, "C0GRID", "hello grid");
    const reply = await e.answerOf(q, "Grid answer");
    expect(reply).toMatchObject({ user: "UBOTG" });
    const writes = e.slack.calls.filter((c) => c.args.channel === "C0GRID");
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((c) => c.auth === "bot" && c.teamId === "T0GRIDWS")).toBe(true);
    expect(await everythingStored(e)).not.toContain(GRID.botToken);
  });
});

describe("Slack OAuth installs: refusals", () => {
  let e: OAuthE2E;
  afterEach(async () => e?.close());

  it("refuses an install whose state cookie is missing (CSRF) and stores nothing", async () => {
    e = await OAuthE2E.start();
    expect(await e.install(TEAM_A, { cookie: false })).toBe(400);
    expect(e.slack.callsTo("oauth.v2.access")).toHaveLength(0);
    expect(await e.vault.list("slack")).toEqual([]);
  });

  it("a workspace that never installed the app gets no answer, and no other workspace's token is used for it", async () => {
    e = await OAuthE2E.start();
    expect(await e.install(TEAM_A)).toBe(200);
    const beta = e.slack.payloadsFor("T0BBB");
    const body = beta.envelope(beta.appMention({ channel: "C0BETA", user: "U0ANA", text: "<@UBOTB> hello?" }));
    // Bolt finds no installation for B and refuses the event; give a wrongly accepted one time to reach Dify.
    await e.send(body).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 400));
    expect(e.h.dify.chatRequests).toHaveLength(0);
    expect(e.slack.calls.filter((c) => c.args.channel === "C0BETA")).toHaveLength(0);
  });
});
