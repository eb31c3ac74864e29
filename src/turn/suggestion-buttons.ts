import type { ChatPlatform } from "../contracts/chat-platform.js";
import type { ActionButton, Citation, MessageRef } from "../contracts/messages.js";
import type { PlatformGateway } from "../gateway/platform-gateway.js";
import { buttonLabel } from "../reply/answer-view.js";
import { finalLayout, type SplitRules } from "../reply/reply-layout.js";
import type { TurnStore } from "../state/turn-store.js";
import { askActionId } from "./action-ids.js";
import type { TurnContext } from "./turn-context.js";

/** Suggested questions shown at once (Dify suggests three; starter questions can be more). */
const MAX_SUGGESTIONS = 5;
/** Old buttons are left in place when the channel's budget stays busy longer than this. */
const REMOVAL_WAIT_MS = 120_000;

/**
 * Suggested-question buttons: which to show, where they sit, and taking the previous turn's away when the
 * thread moves on. The questions are saved before the buttons appear, so a quick click always finds its text.
 */
export class SuggestionButtons {
  constructor(private readonly deps: { readonly turns: TurnStore; readonly gateway: PlatformGateway }) {}

  buttonsFor(ctx: { turnId: string; platform: ChatPlatform }, questions: readonly string[]): ActionButton[] {
    const max = Math.min(MAX_SUGGESTIONS, ctx.platform.capabilities.maxButtonsPerMessage);
    return questions.slice(0, max).map((q, i) => ({ actionId: askActionId(ctx.turnId, i), label: buttonLabel(q) }));
  }

  /** Called before the buttons are shown. */
  async saveQuestions(turnId: string, questions: readonly string[]): Promise<void> {
    await this.deps.turns.update(turnId, { turnId, suggestions: questions });
  }

  /** Saves where the buttons sit (and what that message shows without them) and makes this turn the current one. */
  async remember(
    ctx: TurnContext,
    suggestions: readonly string[],
    refs: readonly MessageRef[],
    markdownWithoutButtons: string,
    citations: readonly Citation[],
  ): Promise<void> {
    const last = refs[refs.length - 1];
    if (!last) return;
    const caps = ctx.platform.capabilities;
    const lastText = lastPartOf(markdownWithoutButtons, { maxChars: caps.maxMessageLength, edgesTrimmed: caps.trimsMessageEdges ?? false });
    await this.deps.turns.update(ctx.turnId, {
      turnId: ctx.turnId,
      suggestions,
      buttonsMessage: { ref: last, markdown: lastText, ...(citations.length ? { citations } : {}) },
    });
    await this.deps.turns.swapSuggestionTurn(ctx.data.message.conversationKey, ctx.turnId);
  }

  /**
   * The previous turn's suggestion buttons go away when the thread moves on. Cosmetic, so it runs beside the
   * answer rather than before it, waiting for a routine slot in the channel's budget when there is none free.
   */
  async retirePrevious(ctx: TurnContext): Promise<void> {
    const key = ctx.data.message.conversationKey;
    const previous = await this.deps.turns.swapSuggestionTurn(key, null);
    if (!previous || previous === ctx.turnId) return;
    void this.removeButtons(ctx, previous).catch((err: unknown) => ctx.logger.warn({ err }, "could not remove old suggestion buttons"));
  }

  private async removeButtons(ctx: TurnContext, turnId: string): Promise<void> {
    const msg = (await this.deps.turns.get(turnId))?.buttonsMessage;
    if (!msg) return;
    const content = { markdown: msg.markdown, buttons: [], ...(msg.citations ? { citations: msg.citations } : {}) };
    const route = this.deps.gateway.to(ctx.platform, msg.ref, ctx.logger);
    await route.routine("edit", () => ctx.platform.editMessage(msg.ref, content), { maxWaitMs: REMOVAL_WAIT_MS });
  }
}

/** The text of the last message of a reply (the one the buttons sit under), split exactly as the layout does. */
function lastPartOf(markdown: string, rules: SplitRules): string {
  const layout = finalLayout({ text: markdown }, rules);
  return layout[layout.length - 1]?.markdown ?? markdown;
}
