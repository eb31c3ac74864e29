import type { FakeMessageStore } from "./message-store.js";
import type { SlackPayloads } from "./payloads.js";

interface ButtonElement {
  readonly type: "button";
  readonly action_id: string;
  readonly value?: string;
  readonly text: { readonly type: string; readonly text: string };
}

interface ActionsBlock {
  readonly type: "actions";
  readonly block_id?: string;
  readonly elements?: readonly unknown[];
}

const isActions = (b: unknown): b is ActionsBlock => (b as { type?: unknown }).type === "actions";
const isButton = (e: unknown): e is ButtonElement => (e as { type?: unknown }).type === "button";

/**
 * The `block_actions` payload Slack sends when a user clicks a button a message shows: the clicked element's
 * `action_id`, `value` and `block_id`, the container and the message as it stands, blocks included
 * (docs.slack.dev/reference/interaction-payloads/block_actions-payload). A person can only click what is on
 * screen, so a button the message does not show (or a deleted message) is a test error, not a payload.
 */
export function buttonClickPayload(
  store: FakeMessageStore,
  payloads: SlackPayloads,
  init: { readonly user: string; readonly channel: string; readonly ts: string; readonly label: string },
): Record<string, unknown> {
  const msg = store.get(init.channel, init.ts);
  if (msg === undefined || msg.isDeleted) throw new Error(`fake slack: no message ${init.ts} in ${init.channel} to click on`);
  for (const [i, block] of msg.blocks.entries()) {
    if (!isActions(block)) continue;
    const button = (block.elements ?? []).filter(isButton).find((e) => e.text.text === init.label);
    if (button === undefined) continue;
    const base = payloads.blockActions({
      user: init.user,
      channel: init.channel,
      messageTs: msg.ts,
      ...(msg.threadTs ? { threadTs: msg.threadTs } : {}),
      actionId: button.action_id,
      ...(button.value !== undefined ? { value: button.value } : {}),
    });
    const [action] = base.actions as Record<string, unknown>[];
    return {
      ...base,
      message: { ...(base.message as Record<string, unknown>), text: msg.text, blocks: msg.blocks },
      actions: [{ ...action, block_id: block.block_id ?? `actions-${i}`, text: button.text }],
    };
  }
  throw new Error(`fake slack: message ${init.ts} shows no button labelled "${init.label}"`);
}
