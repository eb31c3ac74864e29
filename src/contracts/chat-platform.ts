import type { IncomingMessage, ServerResponse } from "node:http";
import type { ButtonAction } from "./actions.js";
import type { FormDialogSource } from "./forms.js";
import type {
  Author,
  InboundAttachment,
  InboundMessage,
  MessageContent,
  MessageRef,
  OutboundFile,
  PlatformId,
  ReplyTarget,
  ThreadHistoryMessage,
} from "./messages.js";
import type { FeedbackComment, ReactionEvent } from "./reactions.js";
import type { ThreadLog } from "./thread-log.js";

/**
 * Platform operations that spend a rate budget ("typing": the optional typing indicator, skipped when spent;
 * "status": the thread's own status line, see `AssistantSurface`; "delete": removing one of the bot's messages).
 */
export type RateOp = "post" | "edit" | "delete" | "streamStart" | "streamAppend" | "streamStop" | "typing" | "status";

/**
 * A rate budget: `limit` calls per `windowMs`. Budgets with the same `key` are shared by every stream and every
 * worker process (the core keeps them in Redis). Slack: one per workspace and method; Discord: one per channel
 * plus the bot-wide 50/s. `refill` says how the platform gives capacity back:
 * - "window" (default): at most `limit` in any `windowMs` (safe against fixed and sliding windows: Discord);
 * - "continuous": a bucket of `limit` that refills one call every `windowMs / limit` (Slack's per-minute tiers,
 *   "bursts tolerated"), so a burst is followed by steady use right away, not by a whole window of nothing.
 */
export interface RateBudget {
  readonly key: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly refill?: "window" | "continuous";
}

/**
 * What one of the platform's answers said about a budget, so the shared budgets follow the platform rather than
 * assume the worst (Discord: a response's `x-ratelimit-*` headers, a 429's `Retry-After`, a limit its client
 * knows is spent). `key` is a `RateBudget.key` of this platform.
 */
export interface BudgetSignal {
  readonly key: string;
  /** The platform's own limit for the budget (its window stays the one the adapter declared). */
  readonly limit?: number;
  /** Calls the platform still allows before `resetAfterMs` has passed. */
  readonly remaining?: number;
  readonly resetAfterMs?: number;
  /** The platform refused a call (429): nobody may spend the budget for this long. */
  readonly retryAfterMs?: number;
}

export type BudgetSignalListener = (signal: BudgetSignal) => void;

/** Where calls land: a reply target (its hints may name a budget of its own, e.g. a webhook's use limit). */
export interface BudgetPlace {
  readonly workspaceId: string;
  readonly channelId: string;
  readonly hints?: Readonly<Record<string, string>>;
}

export type RateBudgets = Readonly<Partial<Record<RateOp, readonly RateBudget[]>>>;

export interface PlatformCapabilities {
  /** Characters of Markdown per message. Slack: 12,000 (markdown block); Discord: 2,000. */
  readonly maxMessageLength: number;
  /**
   * The platform strips whitespace at the start and end of a message's text (Discord does), so a long reply is
   * cut between two visible characters to keep the messages, joined, equal to the answer. @defaultValue false
   */
  readonly trimsMessageEdges?: boolean;
  /** Buttons that fit on one message (suggested questions are capped to it). */
  readonly maxButtonsPerMessage: number;
  /** Largest file the bot may upload. */
  readonly maxUploadBytes: number;
  /** Shortest useful gap between two edits of one message, whatever the budget says. */
  readonly minEditIntervalMs: number;
  /** Which budgets each operation on messages in this place spends. */
  rateBudgets(place: BudgetPlace): RateBudgets;
}

/**
 * One step of the app's work shown as a card in a native stream (Slack `task_update` chunks): a workflow node or
 * an agent's tool call. `sources` are the documents the step found.
 */
export interface TaskCard {
  readonly id: string;
  readonly title: string;
  readonly status: "in_progress" | "complete" | "error";
  readonly details?: string;
  readonly sources?: readonly { readonly title: string; readonly url: string }[];
}

/** The work cards of a stream: the plan's title (the app's name) and its tasks, in order. */
export interface StreamTasks {
  readonly plan?: string;
  readonly tasks: readonly TaskCard[];
}

/**
 * Optional append-only streaming (Slack `chat.startStream`/`appendStream`/`stopStream`). A streaming message
 * cannot carry buttons or be edited until it is stopped. Where the core posted a placeholder first (its Stop
 * button is the control for the answer until `stop`), `stop` removes it; where the thread showed a status line
 * instead (`AssistantSurface`), the stream is the answer's only message. `tasks` carries the cards that changed
 * since the last call. Any method may throw `PlatformError`; the core then falls back to post + edit. Every
 * call spends the budget of its `RateOp`.
 */
export interface NativeStreaming {
  /** "auto": the core streams natively where the budgets make it faster; "native": whenever budgets allow. */
  readonly mode: "auto" | "native";
  /** Starts a streaming reply that shows `markdown` (and `tasks`) at once. */
  start(
    target: ReplyTarget,
    markdown: string,
    opts: { readonly placeholder?: MessageRef | undefined; readonly askerUserId: string; readonly tasks?: StreamTasks | undefined },
  ): Promise<MessageRef>;
  append(ref: MessageRef, markdownDelta: string, tasks?: StreamTasks): Promise<void>;
  /**
   * Ends the stream. `markdownDelta` is the text not yet appended; `content` is the message's complete final
   * content (its `markdown` equals everything appended plus the delta) with its buttons and citations.
   */
  stop(
    ref: MessageRef,
    final: { readonly markdownDelta: string; readonly content: MessageContent; readonly tasks?: StreamTasks | undefined },
    /** `key`: the finished message carries it (as a post does), so a later run can find it. */
    opts: { readonly placeholder?: MessageRef | undefined; readonly key?: PostKey | undefined },
  ): Promise<void>;
  /**
   * A recovered job that has no record of a message finds the one an earlier run of `turnId` streamed before it
   * died: this bot's message in the thread, after `afterMessageId` (the question), that carries `turnId`'s key or
   * no key at all (a stream cannot carry one until it is stopped; turns of a thread run one at a time, so an
   * unkeyed one is the interrupted turn's). A stream still open is stopped, keyed. Resolves with the message the
   * answer goes on in (by edits), or undefined when there is none. Throws when the thread cannot be read.
   */
  adoptInterrupted?(target: ReplyTarget, opts: { readonly turnId: string; readonly afterMessageId: string }): Promise<MessageRef | undefined>;
}

/**
 * The platform's own AI-app surfaces (Slack's agent messaging experience). With them the core posts no
 * placeholder on the native path: what the bot is doing shows as the thread's status line until the answer's one
 * message appears, and the platform's own Stop control stands in for the placeholder's button.
 */
export interface AssistantSurface {
  /** The thread's status line ("is thinking…"), with loading messages to rotate through; "" clears it. */
  setStatus(target: ReplyTarget, status: string, loadingMessages?: readonly string[]): Promise<void>;
  /**
   * The thread's agent session. "working" shows the platform's Stop control (its click arrives as a
   * `stop_requested` event) and, when the session is new, takes `title`; "idle" ends the work. Never throws.
   */
  setSession(target: ReplyTarget, state: "working" | "idle", opts: { readonly askerUserId: string; readonly title?: string }): Promise<void>;
  /**
   * The prompts a person sees when they open the app's pane (`target` as the `assistant_opened` event gave it):
   * `title` heads the list, each prompt shows `title` and sends `message`. At most 4 are shown.
   */
  setSuggestedPrompts(target: ReplyTarget, prompts: SuggestedPrompts): Promise<void>;
  /** The thread's title in the app's pane (its history list), e.g. from the first question. */
  setTitle(target: ReplyTarget, title: string): Promise<void>;
}

interface SuggestedPrompts {
  readonly title?: string;
  readonly prompts: readonly { readonly title: string; readonly message: string }[];
}

/**
 * Which message of which turn a post is: the same key always names the same message, so posting it again after a
 * crash finds (Slack) or returns (Discord) the first one. `part` 0 is the placeholder; continuations count up;
 * from `REPOSTED_PART` on, a final text posted anew in place of part `part - REPOSTED_PART` (its own edit budget
 * was spent, see `ReplyStreamer`).
 */
export interface PostKey {
  readonly turnId: string;
  readonly part: number;
}

export interface PostOptions {
  readonly key?: PostKey;
}

/** A message the bot posted with a key, as found in the thread. */
export interface PostedMessage {
  readonly ref: MessageRef;
  readonly key: PostKey;
}

/** An endpoint the platform serves on the bridge's own HTTP server (Slack's Events API at POST /slack/events). */
export interface HttpRoute {
  readonly method: "GET" | "POST";
  readonly path: string;
  handle(req: IncomingMessage, res: ServerResponse): void;
}

export type InboundEvent =
  | { readonly kind: "message"; readonly message: InboundMessage }
  | { readonly kind: "reaction"; readonly reaction: ReactionEvent }
  | { readonly kind: "action"; readonly action: ButtonAction }
  /**
   * Someone used the platform's own Stop control on the thread (Slack `agent_session_stopped`): the core stops
   * the thread's current answer if they asked it. `dedupeKey` contains no ":".
   */
  | {
      readonly kind: "stop_requested";
      readonly platform: PlatformId;
      readonly conversationKey: string;
      readonly replyTarget: ReplyTarget;
      readonly user: Author;
      readonly dedupeKey: string;
    }
  /**
   * Someone opened the bot's home (Slack's Home tab): the core answers with `publishHome` for them. The home
   * belongs with the person's DM with the bot, so `dmConversationKeyPrefix` (every conversation key of that DM
   * starts with it) tells the routes which app it shows.
   */
  | {
      readonly kind: "home_opened";
      readonly platform: PlatformId;
      readonly workspaceId: string;
      readonly userId: string;
      readonly dmConversationKeyPrefix: string;
    }
  /**
   * Someone asked to start over in their DM with the bot (Slack Home's reset button): the core forgets the Dify
   * conversation of every conversation whose key starts with `conversationKeyPrefix`, so the next message in any
   * of them starts a new one, then shows the home again with a confirmation. `dedupeKey` contains no ":".
   */
  | {
      readonly kind: "conversations_reset";
      readonly platform: PlatformId;
      readonly workspaceId: string;
      readonly userId: string;
      readonly conversationKeyPrefix: string;
      readonly dedupeKey: string;
    }
  /**
   * The bot was removed from a workspace (Slack `app_uninstalled`, or `tokens_revoked` for the bot token): the
   * adapter has already dropped the installation; the core forgets everything it keeps for that workspace.
   */
  | { readonly kind: "workspace_removed"; readonly platform: PlatformId; readonly workspaceId: string }
  /**
   * Someone opened the app's own pane (Slack AI app: the DM's Messages tab, or the assistant container): the core
   * shows the answering app's opening statement and starter questions there (`AssistantSurface.setSuggestedPrompts`).
   * `conversationKey`: the thread the pane opened on, when the platform makes one (legacy assistant threads).
   */
  | {
      readonly kind: "assistant_opened";
      readonly platform: PlatformId;
      readonly replyTarget: ReplyTarget;
      readonly conversationKey: string;
      readonly isDirectMessage: boolean;
      readonly userId: string;
    }
  /**
   * What the person is looking at beside the app's pane (Slack: the channel, workspace and org of
   * `assistant_thread.context`), as flat name → id pairs. The core keeps it for the thread; a Dify app that
   * declares the CONTEXT_INPUT variable receives it with every question asked there.
   */
  | { readonly kind: "viewing_context"; readonly platform: PlatformId; readonly conversationKey: string; readonly context: Readonly<Record<string, string>> }
  /** Someone said what was wrong with an answer (the text of the form a 👎 offered). */
  | { readonly kind: "feedback_comment"; readonly comment: FeedbackComment }
  /**
   * An event the adapter dropped and why (a bot's message, a channel not allowed): nothing to store, the core
   * only counts it and shows it on the operator console. `what`: "message", "reaction", "button click".
   */
  | { readonly kind: "ignored"; readonly platform: PlatformId; readonly what: string; readonly reason: string; readonly channelId?: string };

/** What the adapter hands every normalized event to. It resolves once the event is durably accepted. */
export type InboundSink = (event: InboundEvent) => Promise<void>;

/** What the bot's home shows about the Dify app (Slack's Home tab), from Dify's /info, /site and /parameters. */
export interface AppHome {
  readonly name: string;
  readonly description: string;
  /** The app's icon: an image URL, or an emoji (Dify's `icon_type`). */
  readonly icon?: { readonly kind: "image"; readonly url: string } | { readonly kind: "emoji"; readonly emoji: string };
  readonly openingStatement: string;
  /** Shown as buttons; a click asks the question in the person's DM with the bot. */
  readonly starterQuestions: readonly string[];
  /** A one-line confirmation shown on top (after a reset). */
  readonly notice?: string;
}

/** Where the bot is connected, as the operator console lists it. */
export interface PlatformPresence {
  readonly connected: boolean;
  /** Each workspace (Slack) or server (Discord) the bot serves; `name` where the platform gave one. */
  readonly workspaces: readonly { readonly id: string; readonly name?: string }[];
}

export interface ChatPlatform {
  readonly id: PlatformId;
  readonly capabilities: PlatformCapabilities;
  /** Set when the platform supports append-only streaming and the deployment allows it. */
  readonly streaming?: NativeStreaming;
  /** Set when the app uses the platform's AI-app surfaces (status line, agent sessions); see `AssistantSurface`. */
  readonly assistant?: AssistantSurface;
  /** Routes to mount on the bridge's HTTP server; available after `start` resolves. */
  readonly httpRoutes?: readonly HttpRoute[];
  /**
   * True when an event the sink refused (it threw) comes again by itself (Slack's Events API retries). Otherwise
   * (Discord's gateway, the playground) the core holds such an event in memory while Redis is away.
   */
  readonly redeliversRefusedEvents?: boolean;

  /**
   * Prepare outbound calls and, when `sink` is given, start receiving events (ingress role). A worker-only
   * process calls it without a sink and never opens a gateway or socket. `forms` names the dialog a clicked
   * button opens (platforms without dialogs ignore it; the click then goes to the core as it is).
   */
  start(sink?: InboundSink, forms?: FormDialogSource): Promise<void>;
  /**
   * Stop intake (gateway, socket, event routes) and close those connections. Idempotent. Outbound calls
   * (edit, post, delete) must keep working afterwards: during shutdown the worker still finalizes the answers
   * in flight.
   */
  stop(): Promise<void>;
  /** True once started and, in the ingress role, connected. */
  isReady(): boolean;
  /**
   * Registers the listener for what the platform's answers say about its budgets (see `BudgetSignal`), from every
   * call the adapter makes, whatever made it. Absent where the platform says nothing beyond 429s.
   */
  onBudgetSignal?(listener: BudgetSignalListener): void;
  /** The workspaces or servers the bot is in now (operator console). Absent: the console shows `isReady` only. */
  describe?(): Promise<PlatformPresence>;

  /**
   * Post a message. With `opts.key` the message carries it (Slack `metadata`, Discord `nonce` with
   * `enforce_nonce`), so a worker that died before recording the answer can find or re-post it without doubling it.
   */
  postMessage(target: ReplyTarget, content: MessageContent, opts?: PostOptions): Promise<MessageRef>;
  /** Replace the whole message. Sending the same content twice is harmless. */
  editMessage(ref: MessageRef, content: MessageContent): Promise<void>;
  attachFiles(target: ReplyTarget, files: readonly OutboundFile[]): Promise<readonly MessageRef[]>;
  /** Fetch an inbound file with platform auth, from trusted hosts only, aborting past `maxBytes`. */
  downloadAttachment(att: InboundAttachment, opts: { signal: AbortSignal; maxBytes: number }): Promise<Uint8Array>;

  /**
   * Messages of this bot in `target`'s thread that carry `turnId` in their key, oldest first. Absent where the
   * platform makes the post itself idempotent instead (Discord's `enforce_nonce` returns the first message).
   */
  findPostedMessages?(target: ReplyTarget, turnId: string): Promise<readonly PostedMessage[]>;
  /** Remove a message (a placeholder that became obsolete). */
  deleteMessage?(ref: MessageRef): Promise<void>;
  /** A notice only `userId` sees (Slack ephemeral); absent means the core posts a normal message. */
  postEphemeral?(target: ReplyTarget, userId: string, markdown: string): Promise<void>;
  /** Show that the bot is working (Discord typing, ~10 s). */
  sendTyping?(target: ReplyTarget): Promise<void>;
  /**
   * Offers `userId`, who just gave a message 👎 by reaction, a private way to say what was wrong (Slack: an
   * ephemeral message whose button opens a form; its text arrives as `feedback_comment`). Absent: no such offer.
   */
  offerFeedbackComment?(ref: MessageRef, userId: string): Promise<void>;
  /**
   * Where the adapter keeps the thread messages it sees (so reading a thread's context costs few platform
   * calls). Called once, before `start`, by a bridge that has Redis.
   */
  useThreadLog?(log: ThreadLog): void;
  /** Show `home` to `userId` on the bot's home (Slack `views.publish`). Absent: the platform has no home. */
  publishHome?(place: { readonly workspaceId: string; readonly userId: string }, home: AppHome): Promise<void>;
  /** Messages already in the thread before `beforeMessageId`, oldest first. */
  fetchThreadHistory?(target: ReplyTarget, opts: { beforeMessageId: string; limit: number }): Promise<readonly ThreadHistoryMessage[]>;
}
