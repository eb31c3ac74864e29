import { afterEach, describe, expect, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { SlackE2E } from "./slack-e2e-harness.js";

/** Slack's mention tokens that notify everyone in a channel or team. */
const MASS_MENTION = /<!(channel|here|everyone|subteam\^)/;
const ANSWER = "Done. <!channel> and <!here|here>, also <!everyone> and <!subteam^S0TEAM>: the release is out.";

/**
 * A model can be made to write Slack's mass mentions. Whatever way the answer reaches Slack (posted and edited,
 * or streamed natively in small pieces that cut the tokens apart), no text Slack receives may form one; the
 * words stay readable.
 */
describe.each(["edit", "native"] as const)("Slack end to end: mass mentions in an answer (SLACK_STREAMING=%s)", (mode) => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("no call to Slack carries <!channel>, <!here>, <!everyone> or a user-group mention, and the answer still reads the same", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_STREAMING: mode } });
    // Three characters a piece: "<!ch" + "annel>" style cuts across stream appends.
    e.dify.onChat(() => scripts.answer(ANSWER, { chunkChars: 3, delayMs: 40 }));
    const q = await e.mention({ text: "Announce the release" });
    const [reply] = await e.waitForAnswer(q, /the release is out/, 20_000);
    expect(reply?.markdown.replace(/\u2060/g, "")).toBe(ANSWER);
    const outgoing = e.slack.calls.filter((c) => c.method.startsWith("chat."));
    expect(outgoing.length).toBeGreaterThan(0);
    for (const call of outgoing) expect(JSON.stringify(call.args)).not.toMatch(MASS_MENTION);
    // Streamed appends joined up are what Slack renders for a native stream.
    const streamed = outgoing
      .filter((c) => ["chat.startStream", "chat.appendStream", "chat.stopStream"].includes(c.method))
      .map((c) => String(c.args.markdown_text ?? ""))
      .join("");
    if (mode === "native") expect(streamed.replace(/\u2060/g, "")).toBe(ANSWER);
    expect(streamed).not.toMatch(MASS_MENTION);
    expect(e.botMessagesEver(q).flatMap((m) => m.revisions.map((r) => `${r.text}\n${r.markdown}`))).not.toContainEqual(expect.stringMatching(MASS_MENTION));
  }, 30_000);
});
