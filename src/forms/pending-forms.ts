import type { Redis } from "ioredis";
import type { MessageRef, ReplyTarget } from "../contracts/messages.js";
import type { HumanInputForm } from "../dify/events.js";
import type { AnswerNote } from "../reply/answer-accumulator.js";
import type { RedisKeyBuilder } from "../state/redis-keys.js";

/**
 * A Human Input form a reply shows, kept in Redis so the click may reach any process, and the bridge may restart
 * between the pause and the click. Everything the resumed answer needs is here: where the reply is, what it
 * showed, the run to follow, and the `user` that started it (Dify refuses another end user).
 */
export interface PendingForm {
  readonly key: string;
  readonly token: string;
  readonly form: HumanInputForm;
  /** The turn that asked: its question is what "Start over" asks again. */
  readonly turnId: string;
  readonly app: string;
  readonly difyUser: string;
  readonly conversationKey: string;
  readonly replyTarget: ReplyTarget;
  /** The reply's messages; the answer goes on from the first one. */
  readonly reply: readonly MessageRef[];
  /** Dify's answer text so far, and the notes already shown in it (earlier forms of the same run). */
  readonly answerText: string;
  readonly notes: readonly AnswerNote[];
  /** Lines the reply shows above the answer ("**Ana** asked again: …"). */
  readonly preamble: readonly string[];
  /** The Markdown the reply shows above the form (the answer so far, as displayed). */
  readonly shownAbove: string;
  readonly dify: { readonly taskId?: string; readonly messageId?: string; readonly conversationId?: string; readonly workflowRunId: string };
  /** Set once Dify accepted the answer: a retried resume must not post it again (Dify would say "already submitted"). */
  readonly submitted?: { readonly by: string; readonly action: string };
}

/** How long a form is kept past its expiry, so a late click can still be told it expired. */
const KEEP_AFTER_EXPIRY_MS = 86_400_000;
/** A form without an expiry is kept this long. */
const DEFAULT_KEEP_MS = 7 * 86_400_000;

export class PendingFormStore {
  constructor(
    private readonly redis: Redis,
    private readonly key: RedisKeyBuilder,
  ) {}

  async save(form: PendingForm): Promise<void> {
    const keepMs = form.form.expiresAt ? Math.max(60_000, form.form.expiresAt * 1000 - Date.now() + KEEP_AFTER_EXPIRY_MS) : DEFAULT_KEEP_MS;
    await this.redis.set(this.key("form", form.key), JSON.stringify(form), "PX", Math.round(keepMs));
  }

  async get(key: string): Promise<PendingForm | null> {
    const raw = await this.redis.get(this.key("form", key));
    return raw ? (JSON.parse(raw) as PendingForm) : null;
  }

  /**
   * The one click that answers the form: true for the first caller only (two people clicking, or one clicking
   * twice, cannot answer it twice). `by` names the claimant for later clicks.
   */
  async claim(key: string, by: string): Promise<{ readonly won: true } | { readonly won: false; readonly by: string | null }> {
    const k = this.key("form", `${key}:claim`);
    const won = await this.redis.set(k, by, "PX", DEFAULT_KEEP_MS, "NX");
    if (won === "OK") return { won: true };
    return { won: false, by: await this.redis.get(k) };
  }

  /** The reply's messages once it is final; everything else as it is now (a click may already have answered it). */
  async updateReply(key: string, reply: readonly MessageRef[]): Promise<void> {
    const current = await this.get(key);
    if (current) await this.save({ ...current, reply });
  }

  async markSubmitted(key: string, submitted: NonNullable<PendingForm["submitted"]>): Promise<void> {
    const current = await this.get(key);
    if (current) await this.save({ ...current, submitted });
  }
}
