import type { ThreadHistoryMessage } from "../contracts/messages.js";

/** Context from a thread the bot joins late; the newest messages win when it is long. */
const HISTORY_MAX_CHARS = 8_000;

/** @internal Exported for its unit test. */
export const FILES_ONLY_QUESTION = "Please take a look at the attached file(s).";

/** Where the platform could not give every message (its rate limits), the context says so at that place. */
const GAP_LINE = "(… some messages of the thread could not be read …)";

export function historyContext(history: readonly ThreadHistoryMessage[]): string {
  const lines: string[] = [];
  let size = 0;
  let partial = false;
  for (let i = history.length - 1; i >= 0; i--) {
    const m = history[i] as ThreadHistoryMessage;
    if (m.text.trim() === "") continue;
    const line = `${m.author.displayName}${m.isBot ? " (bot)" : ""}: ${m.text.trim()}`;
    if (size + line.length > HISTORY_MAX_CHARS) break;
    if (m.gap === "after") lines.unshift(GAP_LINE);
    lines.unshift(line);
    if (m.gap === "before") lines.unshift(GAP_LINE);
    partial ||= m.gap !== undefined;
    size += line.length + 1;
  }
  if (!lines.length) return "";
  const heading = partial
    ? `Context from the last ${lines.filter((l) => l !== GAP_LINE).length} messages of this thread that could be read:`
    : "Earlier messages in this thread:";
  return `${heading}\n${lines.join("\n")}`;
}

/** The text sent to Dify as `query`. Empty means there is nothing to ask. */
export function buildQuery(parts: { text: string; transcript?: string | undefined; hasFiles: boolean; context?: string }): string {
  const asked = [parts.text.trim(), parts.transcript?.trim() ?? ""].filter(Boolean).join("\n\n");
  const question = asked || (parts.hasFiles ? FILES_ONLY_QUESTION : "");
  if (!question) return "";
  return parts.context ? `${parts.context}\n\nQuestion: ${question}` : question;
}

/** Apps may declare `user_name` / `user_id` inputs so a shared-thread app knows who is talking. */
export function turnInputs(
  configured: Readonly<Record<string, unknown>>,
  declared: ReadonlyArray<{ variable: string }>,
  author: { userId: string; displayName: string },
): Record<string, unknown> {
  const names = new Set(declared.map((d) => d.variable));
  return {
    ...configured,
    ...(names.has("user_name") ? { user_name: author.displayName } : {}),
    ...(names.has("user_id") ? { user_id: author.userId } : {}),
  };
}

/** Commands that start a fresh Dify conversation in the same thread or DM. */
export function isNewConversationCommand(text: string): boolean {
  return /^\s*[!/](new|reset)\s*$/i.test(text);
}
