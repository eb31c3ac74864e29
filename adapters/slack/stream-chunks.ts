import type { ChatStartStreamArguments } from "@slack/web-api";
import type { StreamTasks } from "../../src/contracts/chat-platform.js";

type AnyChunk = NonNullable<ChatStartStreamArguments["chunks"]>[number];

/** Slack's limit on a task's `details` and `output`, and what keeps a title to one line in the card. */
const TASK_TEXT_CHARS = 256;

function cut(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > TASK_TEXT_CHARS ? `${t.slice(0, TASK_TEXT_CHARS - 1)}…` : t;
}

/**
 * The `chunks` of a stream call (docs.slack.dev "text streaming"): `plan_update` names the plan, each changed
 * task is a `task_update` (Slack replaces a card by its `id`), then the text as `markdown_text`. Only http(s)
 * sources become `url` sources: Slack renders them as links.
 */
export function streamChunks(markdown: string, tasks: StreamTasks | undefined): AnyChunk[] {
  const chunks: AnyChunk[] = [];
  if (tasks?.plan !== undefined) chunks.push({ type: "plan_update", title: cut(tasks.plan) });
  for (const t of tasks?.tasks ?? []) {
    const sources = (t.sources ?? []).filter((s) => /^https?:\/\//i.test(s.url)).map((s) => ({ type: "url" as const, url: s.url, text: cut(s.title) }));
    chunks.push({
      type: "task_update",
      id: t.id,
      title: cut(t.title),
      status: t.status,
      ...(t.details ? { details: cut(t.details) } : {}),
      ...(sources.length > 0 ? { sources } : {}),
    });
  }
  if (markdown !== "") chunks.push({ type: "markdown_text", text: markdown });
  return chunks;
}
