import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { slackTs } from "../../fakes/slack/index.js";
import { ANA, SlackE2E } from "./slack-e2e-harness.js";

const VOICE_M4A = readFileSync(new URL("../../fixtures/audio/voice-clip.m4a", import.meta.url));
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

/** Sends a direct message to the bot carrying these files and no text; returns where it lives. */
async function sendFiles(e: SlackE2E, files: Record<string, unknown>[]) {
  const channel = "D0ANA";
  const ts = slackTs();
  e.slack.messages.add({ channel, ts, user: ANA.id, text: "", via: "user" });
  await e.send(e.slack.payloads.envelope(e.slack.payloads.message({ channel, channel_type: "im", user: ANA.id, ts, subtype: "file_share", text: "", files })));
  return e.where(channel, ts);
}

const clipsNamed = (e: SlackE2E, count: number) =>
  Array.from({ length: count }, (_, i) =>
    e.slack.hostFile({
      name: `clip-${String(i + 1).padStart(2, "0")}.m4a`,
      mimetype: "audio/mp4",
      data: VOICE_M4A,
      subtype: "slack_audio",
      mediaDisplayType: "audio",
    }),
  );

describe("Slack end to end: many voice clips in one message", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("20 clips to an app that takes 3 files: 3 are transcribed, never more than 2 at once, in message order; the rest are counted in the note", async () => {
    e = await SlackE2E.start();
    let inFlight = 0;
    let mostAtOnce = 0;
    e.dify.onAudioToText(async (audio) => {
      inFlight++;
      mostAtOnce = Math.max(mostAtOnce, inFlight);
      await sleep(200);
      inFlight--;
      return `(${audio.filename})`;
    });
    e.dify.onChat((turn) => scripts.answer(`Heard ${turn.query.split("\n").length} clips.`));
    const q = await sendFiles(e, clipsNamed(e, 20));
    const [reply] = await e.waitForAnswer(q, /Heard 3 clips\.$/, 20_000);
    expect(reply?.markdown).toBe(
      "> 🎙️ (clip-01.m4a) (clip-02.m4a) (clip-03.m4a)\n\n⚠️ Not transcribed: clip-04.m4a, clip-05.m4a, clip-06.m4a, clip-07.m4a, clip-08.m4a and 12 more (at most 3 voice notes per message).\n\nHeard 3 clips.",
    );
    expect(e.dify.audioRequests).toHaveLength(3);
    expect(mostAtOnce).toBe(2);
    expect(e.slack.fileRequests).toHaveLength(3);
  }, 40_000);

  it("20 clips and an image against an app that takes 2 files: 2 clips transcribed (never more than 2 at once), the rest named in one note, the image refused, the question answered", async () => {
    e = await SlackE2E.start();
    const params = e.dify.settings.parameters as { file_upload: Record<string, unknown> };
    e.dify.configure({ parameters: { ...e.dify.settings.parameters, file_upload: { ...params.file_upload, number_limits: 2 } } });
    let inFlight = 0;
    let mostAtOnce = 0;
    e.dify.onAudioToText(async (audio) => {
      inFlight++;
      mostAtOnce = Math.max(mostAtOnce, inFlight);
      await sleep(150);
      inFlight--;
      return `words of ${audio.filename}`;
    });
    e.dify.onChat((turn) => scripts.answer(`Heard: ${turn.query}`));
    const image = e.slack.hostFile({ name: "chart.png", mimetype: "image/png", data: PNG });
    const q = await sendFiles(e, [...clipsNamed(e, 20), image]);

    const [reply] = await e.waitForAnswer(q, /Heard:/, 20_000);
    expect(reply?.markdown).toBe(
      [
        "> 🎙️ words of clip-01.m4a words of clip-02.m4a",
        "⚠️ Not sent to the assistant: chart.png (this assistant takes at most 2 files per message).",
        "⚠️ Not transcribed: clip-03.m4a, clip-04.m4a, clip-05.m4a, clip-06.m4a, clip-07.m4a and 13 more (at most 2 voice notes per message).",
        "Heard: words of clip-01.m4a\nwords of clip-02.m4a",
      ].join("\n\n"),
    );
    expect(e.dify.audioRequests.map((a) => a.filename)).toEqual(["clip-01.m4a", "clip-02.m4a"]);
    expect(mostAtOnce).toBeLessThanOrEqual(2);
    expect(e.dify.uploads).toHaveLength(0);
    // Only the two transcribed clips were downloaded from Slack.
    expect(e.slack.fileRequests).toHaveLength(2);
    expect(e.dify.chatRequests).toHaveLength(1);
  }, 40_000);
});
