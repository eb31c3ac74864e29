import type { IncomingMessage, ServerResponse } from "node:http";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import type { Queue } from "bullmq";
import express from "express";

export const QUEUES_PATH = "/console/queues";

/**
 * Bull Board for the bridge's queue, as a plain Node request handler (Bull Board's Express adapter on an Express
 * app of its own: the bridge's server stays `node:http`, and only requests under /console/queues, already
 * authenticated, reach Express). Read-only unless `allowActions`: retrying a reply job answers a question again,
 * and removing one drops it, so both stay off until the operator asks for them (CONSOLE_QUEUE_ACTIONS).
 */
export function createQueueBoard(queue: Queue, opts: { readonly allowActions: boolean }): (req: IncomingMessage, res: ServerResponse) => void {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUES_PATH);
  createBullBoard({
    queues: [new BullMQAdapter(queue, { readOnlyMode: !opts.allowActions, allowRetries: opts.allowActions, displayName: "answers and feedback" })],
    serverAdapter,
    options: { uiConfig: { boardTitle: "dify-bridge queue" } },
  });
  const app = express();
  app.disable("x-powered-by");
  app.use(QUEUES_PATH, serverAdapter.getRouter());
  return (req, res) => void app(req, res);
}
