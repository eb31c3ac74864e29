import { setTimeout as sleep } from "node:timers/promises";
import type { ChatRequest } from "../dify/chat-stream.js";
import type { DifyClient, StoredMessage } from "../dify/dify-client.js";

/**
 * Dify stamps rows with its own clock in whole seconds; the bridge's clock may be a little off. A row stamped up to
 * this long before the question was sent still counts as this question's.
 */
const CLOCK_SLACK_S = 2;
/** Conversations created since the question was sent that are looked into (normally exactly one). */
const NEW_CONVERSATIONS_LOOKED_AT = 3;
/** A stored question whose answer is still empty is looked at again this often, this many times (Dify may still be answering). */
const ANSWER_POLLS = 5;
const ANSWER_POLL_MS = 1_000;
/** A look-up that fails (Dify restarting, say) is tried this many times, this far apart, before the fate counts as unknown. */
const LOOKUP_TRIES = 3;
const LOOKUP_RETRY_MS = 1_000;

/** What Dify has of a question whose request failed in a way that does not say (a timeout, a 5xx). */
export type QuestionFate =
  /** Dify has no such question: asking it is asking it once. */
  | { readonly kind: "not-asked" }
  /** Dify stored it: this is its message (answer possibly still empty). */
  | { readonly kind: "asked"; readonly message: StoredMessage }
  /** Dify could not be asked (the look-up failed too). */
  | { readonly kind: "unknown"; readonly err: unknown };

/**
 * Looks for the question in Dify: in the request's conversation (`GET /messages`), or, for a first question
 * (Dify creates the conversation, so the bridge does not know its id yet), in the user's conversations created
 * since it was sent (`GET /conversations`, newest first). A match is the same query text, stored since the
 * question was sent. A match whose answer is still empty is polled for a few seconds (the answer is saved when the
 * task ends).
 */
export async function findQuestion(dify: DifyClient, req: ChatRequest, sentAtMs: number, signal: AbortSignal): Promise<QuestionFate> {
  let fate: QuestionFate = { kind: "unknown", err: undefined };
  for (let tries = 0; tries < LOOKUP_TRIES && !signal.aborted; tries++) {
    if (tries > 0) await sleep(LOOKUP_RETRY_MS, undefined, { signal }).catch(() => undefined);
    fate = await lookUp(dify, req, sentAtMs, signal);
    if (fate.kind !== "unknown") return fate;
  }
  return fate;
}

async function lookUp(dify: DifyClient, req: ChatRequest, sentAtMs: number, signal: AbortSignal): Promise<QuestionFate> {
  const since = Math.floor(sentAtMs / 1000) - CLOCK_SLACK_S;
  // Dify removes NUL characters from the query before storing it.
  const query = req.query.replace(/\0/g, "");
  const matchIn = async (conversationId: string): Promise<StoredMessage | undefined> => {
    const messages = await dify.getMessages(conversationId, req.user, { limit: 20 });
    return messages.findLast((m) => m.query === query && m.createdAt >= since);
  };
  let found: StoredMessage | undefined;
  try {
    if (req.conversationId) {
      found = await matchIn(req.conversationId);
    } else {
      const fresh = (await dify.getConversations(req.user, { limit: NEW_CONVERSATIONS_LOOKED_AT })).filter((c) => c.createdAt >= since);
      for (const c of fresh) {
        found = await matchIn(c.id);
        if (found) break;
      }
    }
    if (!found) return { kind: "not-asked" };
    for (let poll = 0; poll < ANSWER_POLLS && found.answer.trim() === "" && found.status !== "error" && !signal.aborted; poll++) {
      await sleep(ANSWER_POLL_MS, undefined, { signal }).catch(() => undefined);
      const id: string = found.id;
      found = (await dify.getMessages(found.conversationId, req.user, { limit: 20 })).find((m) => m.id === id) ?? found;
    }
    return { kind: "asked", message: found };
  } catch (err) {
    return found ? { kind: "asked", message: found } : { kind: "unknown", err };
  }
}
