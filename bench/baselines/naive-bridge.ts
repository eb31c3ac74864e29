import { WebClient } from "@slack/web-api";
import { DifyClient } from "../../src/dify/dify-client.js";
import { createLogger } from "../../src/logging/logger.js";

/**
 * How common alternatives stream into Slack, for comparison in the same run, in both of Slack's modes:
 * - edit: post a placeholder, then `chat.update` the whole text;
 * - native: `chat.startStream` with the first text, `chat.appendStream` the new text, `chat.stopStream` at the end;
 * either on every Dify chunk ("every-chunk") or on a fixed 500 ms timer ("timer-500ms"), with the Slack SDK's
 * default rate-limit handling (it waits out a 429 and retries). They use this project's Dify client, so only
 * the platform side differs.
 */
export type NaiveStrategy = "every-chunk" | "timer-500ms";
export type NaiveMode = "edit" | "native";

export interface NaiveOptions {
  readonly strategy: NaiveStrategy;
  readonly mode: NaiveMode;
  readonly slackApiUrl: string;
  readonly botToken: string;
  readonly teamId: string;
  readonly difyUrl: string;
  readonly difyKey: string;
  readonly channel: string;
  readonly threadTs: string;
  readonly question: string;
  readonly user: string;
}

/** The platform side of one naive reply: `show` gets the whole text so far, `end` the final text. */
interface Sink {
  show(text: string): Promise<void>;
  end(text: string): Promise<void>;
}

async function editSink(slack: WebClient, o: NaiveOptions): Promise<Sink> {
  const posted = await slack.chat.postMessage({ channel: o.channel, thread_ts: o.threadTs, text: "Thinking…" });
  const ts = posted.ts as string;
  const update = async (text: string) => {
    await slack.chat.update({ channel: o.channel, ts, blocks: [{ type: "markdown", text }], text: text.slice(0, 3_900) });
  };
  return { show: update, end: update };
}

function nativeSink(slack: WebClient, o: NaiveOptions): Sink {
  let ts: string | undefined;
  let sent = "";
  const show = async (text: string) => {
    const delta = text.slice(sent.length);
    if (!delta) return;
    if (ts === undefined) {
      const res = await slack.chat.startStream({
        channel: o.channel,
        thread_ts: o.threadTs,
        markdown_text: delta,
        recipient_user_id: o.user,
        recipient_team_id: o.teamId,
      });
      ts = res.ts as string;
    } else await slack.chat.appendStream({ channel: o.channel, ts, markdown_text: delta });
    sent = text;
  };
  return {
    show,
    async end(text) {
      if (ts === undefined) await show(text);
      const delta = text.slice(sent.length);
      await slack.chat.stopStream({ channel: o.channel, ts: ts as string, ...(delta ? { markdown_text: delta } : {}) });
      sent = text;
    },
  };
}

export async function naiveAnswer(o: NaiveOptions): Promise<void> {
  const slack = new WebClient(o.botToken, { slackApiUrl: `${o.slackApiUrl}/` });
  const dify = new DifyClient({ baseUrl: o.difyUrl, apiKey: o.difyKey, logger: createLogger({ level: "silent", pretty: false, secrets: [] }) });
  const sink = o.mode === "edit" ? await editSink(slack, o) : nativeSink(slack, o);
  let text = "";
  let shown = "";
  let inFlight: Promise<unknown> | undefined;
  const timer =
    o.strategy === "timer-500ms"
      ? setInterval(() => {
          if (inFlight || text === shown) return;
          const snapshot = text;
          inFlight = sink
            .show(snapshot)
            .then(() => (shown = snapshot))
            .catch(() => undefined)
            .finally(() => (inFlight = undefined));
        }, 500)
      : undefined;
  try {
    for await (const event of dify.streamChat({ query: o.question, user: o.user, inputs: {} })) {
      if (event.event !== "text") continue;
      text += event.answer;
      if (o.strategy === "every-chunk") {
        await sink.show(text).catch(() => undefined);
        shown = text;
      }
    }
  } finally {
    if (timer) clearInterval(timer);
  }
  await inFlight;
  // A native stream is always stopped; an edited message only needs the final text if it is not shown yet.
  if (o.mode === "native" || shown !== text) await sink.end(text).catch(() => undefined);
}
