import type { AppParameters } from "../dify/app-parameters.js";
import type { ChatRequest } from "../dify/chat-stream.js";
import type { DifyClient } from "../dify/dify-client.js";
import { DifyNoQueryInputError } from "../dify/errors.js";
import { intakeParameters, runInputsFor } from "../dify/run-inputs.js";
import { prepareAttachments } from "../media/attachment-intake.js";
import type { ConversationStore } from "../state/conversation-store.js";
import type { TurnStore } from "../state/turn-store.js";
import type { TurnContext } from "./turn-context.js";
import { buildQuery, historyContext, turnInputs } from "./turn-query.js";

export interface QuestionDeps {
  readonly dify: DifyClient;
  readonly conversations: ConversationStore;
  readonly turns: TurnStore;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly viewing: ViewingContext;
}

/** CONTEXT_INPUT (the Dify variable, unset: off) and the thread's kept viewing context. */
export interface ViewingContext {
  readonly input: string | undefined;
  of(conversationKey: string): Promise<Readonly<Record<string, string>> | undefined>;
}

export interface PreparedQuestion {
  /** What Dify is asked; undefined when the message holds nothing to ask (its files all failed, say). */
  readonly request: ChatRequest | undefined;
  /** Lines shown above the answer: who asked (a button click), the voice note's transcript, notes on files. */
  readonly preamble: readonly string[];
}

/** How much of a thread the bot joins late is read for context. */
const HISTORY_LIMIT = 30;

/**
 * Everything the question needs before Dify is asked: the attachments uploaded to Dify (voice notes
 * transcribed), the thread's Dify conversation, the thread's earlier messages when the bot joins late, the
 * query and inputs. The question is saved with the turn first, so Retry can ask it again.
 */
export async function prepareQuestion(
  deps: QuestionDeps,
  ctx: TurnContext,
  params: AppParameters,
  user: string,
  signal: AbortSignal,
): Promise<PreparedQuestion> {
  const msg = ctx.data.message;
  const log = ctx.logger;
  // Workflow and Text Generator apps: one run per message, the question in a start-form variable, no conversation.
  const run = runInputsFor(await deps.dify.appKind(), params, {
    queryInput: ctx.app.queryInput,
    answerOutput: ctx.app.answerOutput,
    filledElsewhere: [...Object.keys(deps.inputs), ...(deps.viewing.input ? [deps.viewing.input] : [])],
  });
  const intake = intakeParameters(params, run);
  const prepared = msg.attachments.length
    ? await prepareAttachments(msg.attachments, {
        platform: ctx.platform,
        dify: deps.dify,
        params: intake,
        user,
        signal,
        logger: log,
        fileTypes: ctx.app.fileTypes,
      })
    : { files: [], notes: [], transcript: undefined };
  const files = [...(ctx.data.files ?? []), ...prepared.files];
  const stored = run ? null : await deps.conversations.getConversation(msg.conversationKey);
  // Another app's conversation id means nothing to this app (Dify would answer 404): this app starts its own.
  const conversationId = stored?.app === ctx.app.id ? stored.id : undefined;
  // A thread that moved to another app (its route changed) gives the new app the thread so far, like a late join.
  const joinsLate = msg.inExistingThread || (stored !== null && stored.app !== ctx.app.id);
  // The thread's first question names it in the platform's pane (Slack AI app: assistant.threads.setTitle).
  // (A run app keeps no conversation: its thread is new when the message does not follow others in it.)
  if ((run ? !msg.inExistingThread : stored === null) && msg.isDirectMessage && ctx.platform.assistant) {
    const title = msg.text.trim() || prepared.transcript?.trim();
    if (title) void ctx.platform.assistant.setTitle(msg.replyTarget, title).catch((err: unknown) => log.warn({ err }, "could not set the thread's title"));
  }
  let context = "";
  // A run of its own per message: the thread's earlier messages are not its business. A thread whose
  // conversation was reset on request starts from nothing too.
  if (!run && !conversationId && joinsLate && ctx.platform.fetchThreadHistory && !(await deps.conversations.wasReset(msg.conversationKey))) {
    const history = await ctx.platform.fetchThreadHistory(msg.replyTarget, { beforeMessageId: msg.messageId, limit: HISTORY_LIMIT }).catch((err: unknown) => {
      log.warn({ err }, "could not read the thread history");
      return [];
    });
    context = historyContext(history);
  }
  const query = buildQuery({ text: msg.text, transcript: prepared.transcript, hasFiles: files.length > 0, context });
  const preamble = [
    ...(ctx.data.preamble ? [ctx.data.preamble] : []),
    ...(prepared.transcript ? [`> 🎙️ ${prepared.transcript.replace(/\n/g, " ")}`] : []),
    ...prepared.notes,
  ];
  await deps.turns.update(ctx.turnId, { turnId: ctx.turnId, app: ctx.app.id, query: msg.text || prepared.transcript || "", files });
  if (!query) return { request: undefined, preamble };
  const viewing = await viewingInput(deps.viewing, params, msg.conversationKey);
  if (run && !run.queryInput) throw new DifyNoQueryInputError();
  return {
    request: {
      query,
      user,
      inputs: { ...turnInputs(deps.inputs, params.inputVariables, msg.author), ...viewing },
      conversationId,
      files,
      traceId: ctx.turnId,
      ...(run ? { run } : {}),
    },
    preamble,
  };
}

/** `{ [CONTEXT_INPUT]: JSON }` when it is set, the app declares it and the platform said what the person views. */
async function viewingInput(viewing: ViewingContext, params: AppParameters, conversationKey: string): Promise<Record<string, string>> {
  const name = viewing.input;
  if (!name || !params.inputVariables.some((v) => v.variable === name)) return {};
  const context = await viewing.of(conversationKey);
  return context ? { [name]: JSON.stringify(context) } : {};
}
