import { WebClient } from "@slack/web-api";
import { DifyClient } from "../../src/dify/dify-client.js";
import { createLogger } from "../../src/logging/logger.js";

/**
 * How common alternatives stream into Slack, for comparison in the same run: post a placeholder, then
 * `chat.update` the whole text either on every Dify chunk ("every-chunk") or on a fixed 500 ms timer
 * ("timer-500ms"), with the Slack SDK's default rate-limit handling (it waits out a 429 and retries). They use
 * this project's Dify client, so only the platform side differs.
 */
export type NaiveStrategy = "every-chunk" | "timer-500ms";

export async function naiveAnswer(opts: {
  strategy: NaiveStrategy;
  slackApiUrl: string;
  botToken: string;
  difyUrl: string;
  difyKey: string;
  channel: string;
  threadTs: string;
  question: string;
  user: string;
}): Promise<void> {
  const slack = new WebClient(opts.botToken, { slackApiUrl: `${opts.slackApiUrl}/` });
  const dify = new DifyClient({ baseUrl: opts.difyUrl, apiKey: opts.difyKey, logger: createLogger({ level: "silent", pretty: false, secrets: [] }) });
  const posted = await slack.chat.postMessage({ channel: opts.channel, thread_ts: opts.threadTs, text: "Thinking…", markdown_text: undefined });
  const ts = posted.ts as string;
  const update = (text: string) => slack.chat.update({ channel: opts.channel, ts, blocks: [{ type: "markdown", text }], text: text.slice(0, 3_900) });
  let text = "";
  let shown = "";
  let inFlight: Promise<unknown> | undefined;
  const timer =
    opts.strategy === "timer-500ms"
      ? setInterval(() => {
          if (inFlight || text === shown) return;
          const snapshot = text;
          inFlight = update(snapshot)
            .then(() => (shown = snapshot))
            .catch(() => undefined)
            .finally(() => (inFlight = undefined));
        }, 500)
      : undefined;
  try {
    for await (const event of dify.streamChat({ query: opts.question, user: opts.user, inputs: {} })) {
      if (event.event !== "text") continue;
      text += event.answer;
      if (opts.strategy === "every-chunk") {
        await update(text).catch(() => undefined);
        shown = text;
      }
    }
  } finally {
    if (timer) clearInterval(timer);
  }
  await inFlight;
  if (shown !== text) await update(text).catch(() => undefined);
}
