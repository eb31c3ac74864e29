import { expect } from "vitest";
import { parseSlackConfig } from "../../../adapters/slack/config.js";
import { encodeConversationKey } from "../../../adapters/slack/ids.js";
import { createSlackPlatform } from "../../../adapters/slack/index.js";
import type { ChatPlatform } from "../../../src/contracts/chat-platform.js";
import type { FakeDifyStartOptions } from "../../fakes/dify/index.js";
import {
  type FakeResponseUrl,
  FakeSlackApi,
  type FakeSlackApiOptions,
  type FakeSlackMessage,
  type FakeSlackUser,
  SlackEventsSender,
  slackTs,
} from "../../fakes/slack/index.js";
import { type BridgeHarness, eventually, startBridge } from "../../support/bridge-harness.js";
import { captureLogger, type LogEntry } from "../../support/capture-logger.js";

const SIGNING_SECRET = "e2e-signing-secret";

export const ANA: FakeSlackUser = { id: "U0ANA", name: "ana", realName: "Ana Lima", displayName: "Ana" };
export const BO: FakeSlackUser = { id: "U0BO", name: "bo", realName: "Bo Berg", displayName: "Bo" };

export type Transport = "http" | "socket";

export interface SlackE2EOptions {
  readonly transport?: Transport;
  /** SLACK_* settings besides the tokens (e.g. SLACK_STREAMING). */
  readonly slackEnv?: Record<string, string>;
  /** Core settings (USER_RATE_LIMIT, DIFY_INPUTS…). */
  readonly env?: Record<string, string>;
  readonly fakeSlack?: FakeSlackApiOptions;
  readonly dify?: FakeDifyStartOptions;
  /** More platforms served by the same bridge (the web playground). */
  readonly alsoPlatforms?: readonly ChatPlatform[];
  /** Attachment download timeouts, shorter than production's so a stalling host is given up on within a test. */
  readonly downloadTimeouts?: { readonly deadlineMs: number; readonly idleTimeoutMs: number };
}

export interface Posted {
  readonly channel: string;
  readonly ts: string;
  /** The thread the question lives in (its own ts for a new conversation). */
  readonly threadTs: string;
  readonly conversationKey: string;
}

export interface SlackButton {
  readonly actionId: string;
  readonly label: string;
}

/**
 * The whole bridge in this process with the REAL Slack adapter (Bolt, WebClient) against the fake Slack:
 * signed Events API posts to the bridge's own /slack/events (HTTP) or envelopes over the fake's Socket Mode
 * server, the real core (BullMQ, Redis) and the fake Dify. Assertions read what Slack received and stores.
 */
export class SlackE2E {
  private constructor(
    readonly slack: FakeSlackApi,
    readonly h: BridgeHarness,
    readonly platform: ChatPlatform,
    readonly transport: Transport,
    readonly adapterLogs: LogEntry[],
    private readonly sender: SlackEventsSender | undefined,
  ) {}

  static async start(opts: SlackE2EOptions = {}): Promise<SlackE2E> {
    const transport = opts.transport ?? "http";
    const slack = await FakeSlackApi.start({
      users: [ANA, BO],
      ...(transport === "socket" ? { socketMode: { pingIntervalMs: 1_000, ackTimeoutMs: 3_000 } } : {}),
      ...opts.fakeSlack,
    });
    try {
      const parsed = parseSlackConfig({
        SLACK_BOT_TOKEN: slack.team.botToken,
        SLACK_API_URL: slack.apiUrl,
        ...(transport === "http" ? { SLACK_SIGNING_SECRET: SIGNING_SECRET } : { SLACK_APP_TOKEN: slack.team.appToken }),
        // The classic app (no agent_view) unless a test asks for the AI-app surfaces.
        SLACK_AI_APP: "false",
        ...opts.slackEnv,
      });
      if (!parsed.ok || parsed.value === null) throw new Error(`bad Slack test config: ${JSON.stringify(parsed)}`);
      const adapterLogs: LogEntry[] = [];
      // Production download rules: the fake's file host is trusted as SLACK_API_URL's host, so it may be on 127.0.0.1.
      const platform = createSlackPlatform(parsed.value, {
        logger: captureLogger(adapterLogs),
        ...(opts.downloadTimeouts ? { download: { ...opts.downloadTimeouts } } : {}),
      });
      const h = await startBridge({
        platforms: [platform, ...(opts.alsoPlatforms ?? [])],
        http: true,
        ...(opts.env ? { env: opts.env } : {}),
        ...(opts.dify ? { dify: opts.dify } : {}),
      });
      const sender = transport === "http" ? new SlackEventsSender(`http://127.0.0.1:${h.bridge.httpPort}/slack/events`, SIGNING_SECRET) : undefined;
      return new SlackE2E(slack, h, platform, transport, adapterLogs, sender);
    } catch (err) {
      await slack.close();
      throw err;
    }
  }

  get dify() {
    return this.h.dify;
  }

  get botUserId(): string {
    return this.slack.team.botUserId;
  }

  /** Stops the bridge (and with it the adapter's intake) first, then the fake Slack: no hanging sockets. */
  async close(): Promise<void> {
    try {
      await this.h.close();
    } finally {
      await this.slack.close();
    }
  }

  /** Warnings and errors logged by the core or the adapter (expected ones filtered by the caller). */
  problems(): Array<{ level: string; msg: string | undefined; err: string | undefined }> {
    return [...this.h.logs, ...this.adapterLogs]
      .filter((l) => l.level === "warn" || l.level === "error" || l.level === "fatal")
      .map((l) => ({ level: l.level, msg: l.msg, err: (l.obj.err as Error | undefined)?.message }));
  }

  /** Delivers an Events API body the way the transport does, and checks Slack would count it as delivered. */
  async send(body: Record<string, unknown>, opts: { retryNum?: number; retryReason?: string } = {}): Promise<void> {
    if (this.sender) {
      const res = await this.sender.sendEvent(body, opts);
      if (res.status !== 200) throw new Error(`Events API answered ${res.status}: ${res.body}`);
      return;
    }
    const ack = await this.slack.socket.deliver(body, {
      ...(opts.retryNum !== undefined ? { retryAttempt: opts.retryNum } : {}),
      ...(opts.retryReason !== undefined ? { retryReason: opts.retryReason } : {}),
    });
    if (ack === null) throw new Error("Socket Mode envelope was not acknowledged");
  }

  /** Delivers an interaction payload (block_actions) the way the transport does. */
  async interact(payload: Record<string, unknown>): Promise<void> {
    if (this.sender) {
      const res = await this.sender.sendInteraction(payload);
      if (res.status !== 200) throw new Error(`interaction answered ${res.status}: ${res.body}`);
      return;
    }
    const ack = await this.slack.socket.deliver(payload, { type: "interactive" });
    if (ack === null) throw new Error("Socket Mode interaction was not acknowledged");
  }

  /**
   * `user` runs a slash command in `channel`, delivered the way the transport does (signed form over HTTP, a
   * `slash_commands` envelope over Socket Mode). Returns its fields and its response_url as the fake serves it.
   */
  async command(init: {
    command: string;
    text: string;
    channel?: string;
    user?: FakeSlackUser;
  }): Promise<{ body: Record<string, string>; hook: FakeResponseUrl }> {
    const user = init.user ?? ANA;
    const body = this.slack.slashCommand({ command: init.command, text: init.text, channel: init.channel ?? "C0GENERAL", user: user.id, userName: user.name });
    await this.deliverCommand(body);
    const hook = this.slack.responseUrls.get(body.response_url ?? "");
    if (!hook) throw new Error("the fake issued no response_url");
    return { body, hook };
  }

  /** Delivers slash command fields as built (maybe altered by the test). */
  async deliverCommand(body: Record<string, string>): Promise<void> {
    if (this.sender) {
      const res = await this.sender.sendCommand(body);
      if (res.status !== 200) throw new Error(`slash command answered ${res.status}: ${res.body}`);
      return;
    }
    const ack = await this.slack.socket.deliver(body, { type: "slash_commands" });
    if (ack === null) throw new Error("Socket Mode slash command was not acknowledged");
  }

  where(channel: string, ts: string, threadTs = ts): Posted {
    return { channel, ts, threadTs, conversationKey: encodeConversationKey({ workspaceId: this.slack.team.teamId, channelId: channel, threadId: threadTs }) };
  }

  /**
   * A channel mention as Slack delivers it: the question is stored in the channel (so the thread exists for
   * conversations.replies), then sent as `app_mention` and as `message` (two event ids, one ts).
   */
  async mention(init: { channel?: string; user?: string; text: string; files?: Record<string, unknown>[] }): Promise<Posted> {
    const channel = init.channel ?? "C0GENERAL";
    const user = init.user ?? ANA.id;
    const ts = slackTs();
    const text = `<@${this.botUserId}> ${init.text}`;
    this.slack.messages.add({ channel, ts, user, text, via: "user" });
    const files = init.files ? { files: init.files } : {};
    const mention = this.slack.payloads.envelope(this.slack.payloads.appMention({ channel, user, ts, text, ...files }));
    const message = this.slack.payloads.envelope(
      this.slack.payloads.message({ channel, user, ts, text, ...files, ...(init.files ? { subtype: "file_share" } : {}) }),
    );
    await this.send(mention);
    await this.send(message);
    return this.where(channel, ts);
  }

  /** A reply in an existing thread, without a mention (a `message` event only, as Slack sends it). */
  async threadReply(thread: Posted, init: { user?: string; text: string }): Promise<Posted> {
    const user = init.user ?? ANA.id;
    const ts = slackTs();
    this.slack.messages.add({ channel: thread.channel, ts, threadTs: thread.threadTs, user, text: init.text, via: "user" });
    await this.send(
      this.slack.payloads.envelope(this.slack.payloads.message({ channel: thread.channel, user, ts, thread_ts: thread.threadTs, text: init.text })),
    );
    return this.where(thread.channel, ts, thread.threadTs);
  }

  /** A click on one of the bot's buttons, by `user`. */
  async click(message: FakeSlackMessage, label: string, user: FakeSlackUser): Promise<void> {
    const button = buttonsOf(message).find((b) => b.label === label);
    if (!button) throw new Error(`no "${label}" button on ${message.ts}: ${JSON.stringify(buttonsOf(message))}`);
    await this.interact(
      this.slack.payloads.blockActions({
        user: user.id,
        userName: user.name,
        channel: message.channel,
        messageTs: message.ts,
        ...(message.threadTs ? { threadTs: message.threadTs } : {}),
        actionId: button.actionId,
      }),
    );
  }

  async react(added: boolean, user: FakeSlackUser, message: FakeSlackMessage, reaction = "+1"): Promise<void> {
    await this.send(this.slack.payloads.envelope(this.slack.payloads.reaction(added, { user: user.id, reaction, channel: message.channel, ts: message.ts })));
  }

  /** The bot's visible messages in the thread, oldest first. */
  botReplies(thread: Posted): FakeSlackMessage[] {
    return this.slack.messages.thread(thread.channel, thread.threadTs).filter((m) => m.user === this.botUserId);
  }

  /** Every bot message of the thread, deleted ones included (a native stream deletes its placeholder). */
  botMessagesEver(thread: Posted): FakeSlackMessage[] {
    return this.slack.messages.thread(thread.channel, thread.threadTs, { includeDeleted: true }).filter((m) => m.user === this.botUserId);
  }

  /** The visible bot message carrying the Stop button (the reply itself, or a native stream's placeholder). */
  stopControl(thread: Posted): FakeSlackMessage | undefined {
    return this.botReplies(thread).find(hasStopButton);
  }

  /** The reply once it is final (no Stop button, no placeholder or progress line, no open stream). */
  finalReplies(thread: Posted): FakeSlackMessage[] | undefined {
    const replies = this.botReplies(thread);
    if (replies.length === 0) return undefined;
    return replies.every(isSettled) ? replies : undefined;
  }

  /** Waits for the reply to settle and its Markdown (all parts joined) to be `expected`. */
  async waitForAnswer(thread: Posted, expected: string | RegExp, timeoutMs = 15_000): Promise<FakeSlackMessage[]> {
    try {
      return await eventually(() => {
        const replies = this.finalReplies(thread);
        if (!replies) return undefined;
        const shown = replies
          .filter((m) => !isFileShare(m))
          .map((m) => m.markdown)
          .join("\n\n");
        return (typeof expected === "string" ? shown === expected : expected.test(shown)) ? replies : undefined;
      }, timeoutMs);
    } catch {
      // Say what the thread shows instead: a bare "condition not met" hides whether the answer was late or wrong.
      const now = this.botReplies(thread).map((m) => ({
        markdown: m.markdown,
        stream: m.stream,
        files: m.files.length,
        buttons: buttonsOf(m).map((b) => b.label),
      }));
      throw new Error(`the answer ${String(expected)} was not shown within ${timeoutMs} ms; the thread's bot messages: ${JSON.stringify(now)}`);
    }
  }
}

/** The buttons of a message's `actions` blocks, as a user sees them. */
export function buttonsOf(message: FakeSlackMessage): SlackButton[] {
  return message.blocks.flatMap((b) => {
    const block = b as { type?: string; elements?: Array<{ type?: string; action_id?: string; text?: { text?: string } }> };
    if (block.type !== "actions") return [];
    return (block.elements ?? []).filter((e) => e.type === "button").map((e) => ({ actionId: e.action_id ?? "", label: e.text?.text ?? "" }));
  });
}

export const hasStopButton = (m: FakeSlackMessage): boolean => buttonsOf(m).some((b) => b.label === "Stop");

/** A message that only shares files (the bot's upload of files Dify produced): no text of its own. */
const isFileShare = (m: FakeSlackMessage): boolean => m.files.length > 0 && m.markdown === "";

/**
 * Not streaming, no Stop button, not the placeholder or a progress line (those are italic lines). A file share
 * is settled as it is: the files of an answer are posted right after its final text, so an answer is "final"
 * whether or not they are already in the thread.
 */
function isSettled(m: FakeSlackMessage): boolean {
  if (isFileShare(m)) return true;
  return m.stream !== "streaming" && !hasStopButton(m) && !/^_[^\n]*_$/.test(m.markdown) && m.markdown !== "";
}

/** The texts a message showed over time (creation, edits, stream appends), in order. */
const shownTexts = (m: FakeSlackMessage): string[] => m.revisions.map((r) => r.markdown);

/** True when the message was created by chat.startStream (native streaming) rather than posted and edited. */
export const isNativeStream = (m: FakeSlackMessage): boolean => m.revisions[0]?.via === "chat.startStream";

/**
 * The answer texts a reply showed while it grew, whichever way it streamed: for a posted reply the edits after
 * the placeholder, for a native stream the start, every append and the stop.
 */
export function answerRevisions(m: FakeSlackMessage): string[] {
  return isNativeStream(m) ? shownTexts(m) : shownTexts(m).slice(1);
}

/** Resolves after `ms` (only to let stray deliveries land before asserting that nothing else happened). */
export const settle = (ms = 250): Promise<void> => new Promise((r) => setTimeout(r, ms));

export { eventually };

/**
 * The reply streamed: every revision showed a prefix of the answer, the text never shrank, at least one revision
 * showed it partly, and the last one is exact. (Two revisions may show the same text: the final edit can be the
 * one that only removes the Stop button.)
 */
export function expectStreamedGrowth(texts: readonly string[], answer: string): void {
  expect(texts.length).toBeGreaterThanOrEqual(2);
  texts.forEach((t, i) => {
    expect(answer.startsWith(t), `revision ${i} is not a prefix of the answer: ${JSON.stringify(t.slice(-40))}`).toBe(true);
    if (i > 0) expect(t.length).toBeGreaterThanOrEqual((texts[i - 1] ?? "").length);
  });
  expect(texts.some((t) => t.length < answer.length)).toBe(true);
  expect(texts.at(-1)).toBe(answer);
}
