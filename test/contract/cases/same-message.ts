import { expect } from "vitest";
import type { MessageRef } from "../../../src/contracts/messages.js";

/** Two refs name the same message: platform, workspace (the rate budget's scope), channel and id. */
export function expectSameMessage(actual: MessageRef, expected: MessageRef): void {
  const key = (r: MessageRef) => ({ platform: r.platform, workspaceId: r.workspaceId, channelId: r.channelId, messageId: r.messageId });
  expect(key(actual)).toEqual(key(expected));
}
