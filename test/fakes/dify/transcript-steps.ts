import type { ChatStep } from "./steps.js";
import { steps } from "./steps.js";

/** Keys the fake fills in from the turn, so a recorded transcript replays with the new turn's ids. */
const TURN_KEYS = ["conversation_id", "message_id", "task_id", "created_at", "workflow_run_id"];

/**
 * A recorded `.sse` transcript → steps for the fake: events lose their recorded ids (the fake fills in the
 * turn's), pings stay pings, and anything that is not a JSON object (Dify's documented malformed line) is
 * replayed as raw bytes.
 */
export function transcriptSteps(transcript: string | Uint8Array): ChatStep[] {
  const text = typeof transcript === "string" ? transcript : new TextDecoder().decode(transcript);
  const out: ChatStep[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    if (block.trim() === "") continue;
    if (/^event:\s*ping\s*$/.test(block.trim())) {
      out.push(steps.ping());
      continue;
    }
    const data = block.replace(/^data: ?/, "");
    let payload: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(data);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) payload = parsed as Record<string, unknown>;
    } catch {
      payload = undefined;
    }
    if (!payload || typeof payload.event !== "string") {
      out.push(steps.raw(`${block}\n\n`));
      continue;
    }
    const { event, ...rest } = payload;
    for (const key of TURN_KEYS) delete rest[key];
    // On message events `id` is the message id; elsewhere (thoughts, files) it is the item's own id.
    if (rest.id === payload.message_id) delete rest.id;
    if (rest.data && typeof rest.data === "object" && (rest.data as { id?: unknown }).id === payload.workflow_run_id) {
      const { id: _runId, ...data } = rest.data as Record<string, unknown>;
      rest.data = data;
    }
    out.push(steps.event({ event, ...rest }));
  }
  return out;
}
