import { type REST, Routes } from "discord.js";
import { PlatformPermissionError } from "../../src/contracts/errors.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { ReplyTarget } from "../../src/contracts/messages.js";
import { DISCORD_ERROR, isDiscordErrorCode, translateDiscordError } from "./errors.js";
import { replyToHint, type StartThreadHint, startThreadHint } from "./reply-target-hints.js";

/** Where a message for a target actually goes. */
export interface Destination {
  readonly channelId: string;
  /** Post as a reply to this message (only where no thread could be made). */
  readonly replyToMessageId?: string;
}

type Outcome = "thread" | "fallback";

/** Enough to remember every conversation started in the last days of a busy bot; oldest entries go first. */
const MAX_REMEMBERED = 10_000;

/**
 * Creates the conversation thread from the user's message the first time something is sent to a target that
 * carries the start-thread hint. Remembers the outcome so later posts do not ask Discord again; another worker
 * that already created the thread makes Discord answer 160004, which counts as success.
 */
export class ThreadStarter {
  readonly #outcomes = new Map<string, Outcome>();
  readonly #inFlight = new Map<string, Promise<Outcome>>();

  constructor(
    private readonly rest: REST,
    private readonly logger: Logger,
  ) {}

  async resolve(target: ReplyTarget): Promise<Destination> {
    const hint = startThreadHint(target);
    if (!hint) {
      const replyTo = replyToHint(target);
      return replyTo ? { channelId: target.channelId, replyToMessageId: replyTo } : { channelId: target.channelId };
    }
    const outcome = await this.#outcome(hint);
    return outcome === "thread" ? { channelId: hint.starterMessageId } : { channelId: hint.parentChannelId, replyToMessageId: hint.starterMessageId };
  }

  #outcome(hint: StartThreadHint): Promise<Outcome> {
    const known = this.#outcomes.get(hint.starterMessageId);
    if (known) return Promise.resolve(known);
    // Typing and the placeholder often race for the same new thread: create it once.
    let pending = this.#inFlight.get(hint.starterMessageId);
    if (!pending) {
      pending = this.#create(hint).finally(() => this.#inFlight.delete(hint.starterMessageId));
      this.#inFlight.set(hint.starterMessageId, pending);
    }
    return pending;
  }

  async #create(hint: StartThreadHint): Promise<Outcome> {
    let outcome: Outcome;
    try {
      await this.rest.post(Routes.threads(hint.parentChannelId, hint.starterMessageId), { body: { name: hint.name } });
      outcome = "thread";
    } catch (err) {
      if (isDiscordErrorCode(err, DISCORD_ERROR.threadAlreadyCreated)) {
        outcome = "thread";
      } else {
        const translated = translateDiscordError(err, { action: "create thread", permission: "Create Public Threads" });
        if (!(translated instanceof PlatformPermissionError)) throw translated;
        // Answer anyway, as a reply in the channel, rather than stay silent; remembered so we stop asking.
        this.logger.warn(
          { channelId: hint.parentChannelId, permission: "Create Public Threads" },
          "cannot create a thread here; answering in the channel instead (grant Create Public Threads)",
        );
        outcome = "fallback";
      }
    }
    this.#remember(hint.starterMessageId, outcome);
    return outcome;
  }

  #remember(key: string, outcome: Outcome): void {
    this.#outcomes.set(key, outcome);
    if (this.#outcomes.size > MAX_REMEMBERED) {
      const oldest = this.#outcomes.keys().next().value;
      if (oldest !== undefined) this.#outcomes.delete(oldest);
    }
  }
}
