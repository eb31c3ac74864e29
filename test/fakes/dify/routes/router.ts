import type { FakeDifyContext, IncomingCall } from "../context.js";
import { replies, sendReply } from "../replies.js";
import { deleteConversation, getConversations, getInfo, getMeta, getParameters, getRoot, getServedFile, getSite } from "./app-routes.js";
import { postChatMessage, postStop } from "./chat-routes.js";
import { postAudioToText, postUpload } from "./file-routes.js";
import { getMessages, getSuggested, postFeedback } from "./message-routes.js";
import { checkAuth } from "./request-checks.js";
import { postCompletionMessage, postCompletionStop, postWorkflowRun, postWorkflowStop } from "./run-routes.js";
import { getHumanInputForm, getWorkflowEvents, postHumanInputForm } from "./workflow-routes.js";

type Handler = (ctx: FakeDifyContext, call: IncomingCall, param: string) => void | Promise<void>;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly handler: Handler;
  readonly isPublic?: boolean;
}

// Flask's `<uuid:…>` converter: a non-UUID segment does not match, so it is a routing 404 (HTML), not a JSON one.
const UUID = "([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})";

const ROUTES: readonly Route[] = [
  { method: "GET", pattern: /^\/v1\/?$/, handler: getRoot, isPublic: true },
  { method: "POST", pattern: /^\/v1\/chat-messages$/, handler: postChatMessage },
  { method: "POST", pattern: /^\/v1\/chat-messages\/([^/]+)\/stop$/, handler: postStop },
  { method: "POST", pattern: /^\/v1\/workflows\/run$/, handler: postWorkflowRun },
  { method: "POST", pattern: /^\/v1\/workflows\/tasks\/([^/]+)\/stop$/, handler: postWorkflowStop },
  { method: "POST", pattern: /^\/v1\/completion-messages$/, handler: postCompletionMessage },
  { method: "POST", pattern: /^\/v1\/completion-messages\/([^/]+)\/stop$/, handler: postCompletionStop },
  { method: "POST", pattern: new RegExp(`^/v1/messages/${UUID}/feedbacks$`), handler: postFeedback },
  { method: "GET", pattern: /^\/v1\/messages$/, handler: getMessages },
  { method: "GET", pattern: new RegExp(`^/v1/messages/${UUID}/suggested$`), handler: getSuggested },
  { method: "GET", pattern: /^\/v1\/parameters$/, handler: getParameters },
  { method: "GET", pattern: /^\/v1\/info$/, handler: getInfo },
  { method: "GET", pattern: /^\/v1\/meta$/, handler: getMeta },
  { method: "GET", pattern: /^\/v1\/site$/, handler: getSite },
  { method: "POST", pattern: /^\/v1\/files\/upload$/, handler: postUpload },
  { method: "POST", pattern: /^\/v1\/audio-to-text$/, handler: postAudioToText },
  { method: "GET", pattern: /^\/v1\/conversations$/, handler: getConversations },
  { method: "GET", pattern: /^\/v1\/workflow\/([^/]+)\/events$/, handler: getWorkflowEvents },
  { method: "GET", pattern: /^\/v1\/form\/human_input\/([^/]+)$/, handler: getHumanInputForm },
  { method: "POST", pattern: /^\/v1\/form\/human_input\/([^/]+)$/, handler: postHumanInputForm },
  { method: "DELETE", pattern: new RegExp(`^/v1/conversations/${UUID}$`), handler: deleteConversation },
  { method: "GET", pattern: /^\/files\/.+/, handler: getServedFile, isPublic: true },
  { method: "HEAD", pattern: /^\/files\/.+/, handler: getServedFile, isPublic: true },
];

/**
 * Routing first (unknown paths are Flask's HTML 404, wrong methods 405), then the key and app checks, then the
 * test's interceptors, then the endpoint.
 */
export async function routeCall(
  ctx: FakeDifyContext,
  call: IncomingCall,
  intercept: (call: IncomingCall) => ReturnType<typeof replies.json> | undefined,
): Promise<void> {
  const onPath = ROUTES.filter((r) => r.pattern.test(call.path));
  const route = onPath.find((r) => r.method === call.method);
  if (!route) {
    if (onPath.length > 0) return sendReply(call.res, replies.json(405, "method_not_allowed", "The method is not allowed for the requested URL."));
    return sendReply(call.res, replies.flaskNotFound());
  }
  if (!route.isPublic) {
    const denied = checkAuth(call, ctx);
    if (denied) return sendReply(call.res, denied);
  }
  const injected = intercept(call);
  if (injected) return sendReply(call.res, injected);
  const param = decodeURIComponent(route.pattern.exec(call.path)?.[1] ?? "");
  await route.handler(ctx, call, param);
}
