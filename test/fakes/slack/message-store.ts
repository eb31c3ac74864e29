import { fakeNowMs } from "../clock.js";

/** One state a message went through: its creation and every edit, stream append or stop. */
export interface FakeMessageRevision {
  readonly atMs: number;
  readonly via: string;
  readonly text: string;
  readonly markdown: string;
  readonly blocks: readonly unknown[];
}

export interface FakeStoredFile {
  readonly id: string;
  readonly name: string;
  readonly title: string;
  readonly mimetype: string;
  readonly data: Buffer;
}

/** A `task_update` chunk as the message shows it (the latest update of each `id`). */
export interface FakeTaskCard {
  readonly id: string;
  readonly title: string;
  readonly status: "pending" | "in_progress" | "complete" | "error";
  readonly details?: string;
  readonly output?: string;
  readonly sources?: readonly { readonly type: "url"; readonly url: string; readonly text: string }[];
}

/** One state of a thread's bot replies: how many bot messages a person saw in it after a change. */
export interface FakeThreadSample {
  readonly atMs: number;
  readonly via: string;
  readonly visibleBotMessages: number;
}

/** A message as a Slack user would see it, with everything that happened to it. */
export interface FakeSlackMessage {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs: string | undefined;
  readonly user: string;
  readonly botId: string | undefined;
  text: string;
  blocks: readonly unknown[];
  /** The Markdown shown: the text of `markdown` blocks, or what a stream received in `markdown_text`. */
  markdown: string;
  stream: "none" | "streaming" | "stopped";
  isDeleted: boolean;
  files: readonly FakeStoredFile[];
  /** Message metadata (`event_type` + `event_payload`) as posted; returned by conversations.replies with `include_all_metadata`. */
  metadata: FakeMessageMetadata | undefined;
  readonly revisions: FakeMessageRevision[];
  /** A stream's task cards, in the order they first appeared, and its plan title (`plan_update`). */
  tasks: FakeTaskCard[];
  plan: string | undefined;
  /** Every task_update the stream received, in order. */
  readonly taskUpdates: FakeTaskCard[];
}

export interface FakeMessageMetadata {
  readonly event_type: string;
  readonly event_payload: Record<string, unknown>;
}

export interface FakeEphemeral {
  /** The `message_ts` chat.postEphemeral answered (a click on the ephemeral's button names it). */
  readonly ts: string;
  readonly channel: string;
  readonly user: string;
  readonly threadTs: string | undefined;
  readonly text: string;
  readonly blocks: readonly unknown[];
  readonly markdown: string;
}

/** The Markdown in `markdown` blocks, joined as Slack shows consecutive blocks. */
export function markdownOfBlocks(blocks: readonly unknown[]): string {
  return blocks
    .filter((b): b is { type: string; text: string } => {
      const block = b as { type?: unknown; text?: unknown };
      return block.type === "markdown" && typeof block.text === "string";
    })
    .map((b) => b.text)
    .join("\n\n");
}

/** Keeps every message per channel; timestamps are unique and increasing, like Slack's. */
export class FakeMessageStore {
  private readonly byKey = new Map<string, FakeSlackMessage>();
  /** Replies by `channel/threadTs`: reading a thread must not sort every message (hundreds of threads poll it). */
  private readonly byThread = new Map<string, FakeSlackMessage[]>();
  private readonly samples = new Map<string, FakeThreadSample[]>();
  readonly ephemerals: FakeEphemeral[] = [];
  private lastMicros = 0;

  nextTs(): string {
    const micros = Math.max(Date.now() * 1000, this.lastMicros + 1);
    this.lastMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, "0")}`;
  }

  add(init: {
    channel: string;
    ts?: string;
    threadTs?: string;
    user: string;
    botId?: string;
    text?: string;
    blocks?: readonly unknown[];
    markdown?: string;
    stream?: FakeSlackMessage["stream"];
    files?: readonly FakeStoredFile[];
    metadata?: FakeMessageMetadata;
    via: string;
  }): FakeSlackMessage {
    const blocks = init.blocks ?? [];
    const msg: FakeSlackMessage = {
      channel: init.channel,
      ts: init.ts ?? this.nextTs(),
      threadTs: init.threadTs,
      user: init.user,
      botId: init.botId,
      text: init.text ?? "",
      blocks,
      markdown: init.markdown ?? markdownOfBlocks(blocks),
      stream: init.stream ?? "none",
      isDeleted: false,
      files: init.files ?? [],
      metadata: init.metadata,
      revisions: [],
      tasks: [],
      plan: undefined,
      taskUpdates: [],
    };
    this.byKey.set(`${msg.channel}/${msg.ts}`, msg);
    if (msg.threadTs !== undefined) {
      const key = `${msg.channel}/${msg.threadTs}`;
      const replies = this.byThread.get(key);
      if (replies) replies.push(msg);
      else this.byThread.set(key, [msg]);
    }
    this.record(msg, init.via);
    return msg;
  }

  record(msg: FakeSlackMessage, via: string): void {
    msg.revisions.push({ atMs: fakeNowMs(), via, text: msg.text, markdown: msg.markdown, blocks: msg.blocks });
    if (msg.threadTs === undefined || msg.botId === undefined) return;
    // Sampled on every change: how many bot replies the thread showed right after it.
    const threadKey = `${msg.channel}/${msg.threadTs}`;
    const visible = this.thread(msg.channel, msg.threadTs).filter((m) => m.botId !== undefined && m.ts !== msg.threadTs).length;
    const list = this.samples.get(threadKey) ?? [];
    list.push({ atMs: fakeNowMs(), via, visibleBotMessages: visible });
    this.samples.set(threadKey, list);
  }

  /** The thread's bot-message count after every change to one of its bot messages, in order. */
  threadSamples(channel: string, threadTs: string): readonly FakeThreadSample[] {
    return this.samples.get(`${channel}/${threadTs}`) ?? [];
  }

  get(channel: string, ts: string): FakeSlackMessage | undefined {
    return this.byKey.get(`${channel}/${ts}`);
  }

  all(): FakeSlackMessage[] {
    return [...this.byKey.values()].sort((a, b) => Number(a.ts) - Number(b.ts));
  }

  /** The thread's parent (when stored) and its replies, oldest first; deleted messages only when asked. */
  thread(channel: string, threadTs: string, opts: { includeDeleted?: boolean } = {}): FakeSlackMessage[] {
    const root = this.byKey.get(`${channel}/${threadTs}`);
    const replies = this.byThread.get(`${channel}/${threadTs}`) ?? [];
    const members = root && !replies.includes(root) ? [root, ...replies] : replies;
    return members.filter((m) => opts.includeDeleted || !m.isDeleted).sort((a, b) => Number(a.ts) - Number(b.ts));
  }

  /** The newest message of the channel (not deleted). */
  latestIn(channel: string): FakeSlackMessage | undefined {
    return this.all()
      .filter((m) => m.channel === channel && !m.isDeleted)
      .at(-1);
  }

  /** Messages posted by the given user (the bot, usually) and not deleted. */
  postedBy(user: string): FakeSlackMessage[] {
    return this.all().filter((m) => m.user === user && !m.isDeleted);
  }
}
