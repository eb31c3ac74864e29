import type { WebClient } from "@slack/web-api";
import type { AssistantSurface } from "../../src/contracts/chat-platform.js";
import type { Logger } from "../../src/contracts/logger.js";
import { callSlack } from "./errors.js";

/** assistant.threads.setStatus rotates through at most 10 loading messages. */
const MAX_LOADING_MESSAGES = 10;

/**
 * Slack's agent messaging surfaces on a thread (docs.slack.dev "Agent sessions", assistant.threads.setStatus):
 * - the status line ("<app> is thinking…") under the thread while no reply shows; Slack clears it when the app
 *   replies, and after two minutes without one;
 * - the agent session: "processing" shows Slack's own Stop button (its click is `agent_session_stopped`),
 *   "active" once the answer is done. A session is created by its first status, which also takes its title.
 *
 * A session Slack will not keep (an app not declared as an agent) is logged once and ignored: the answer goes
 * on with the status line and the bridge's own Stop button on the reply.
 */
export function createSlackAssistantSurface(clientFor: (workspaceId: string) => Promise<WebClient>, logger: Logger): AssistantSurface {
  let warned = false;
  return {
    async setStatus(target, status, loadingMessages) {
      const client = await clientFor(target.workspaceId);
      const loading = (loadingMessages ?? []).slice(0, MAX_LOADING_MESSAGES);
      await callSlack("assistant.threads.setStatus", () =>
        client.assistant.threads.setStatus({
          channel_id: target.channelId,
          thread_ts: target.threadId ?? "",
          status,
          ...(loading.length > 0 ? { loading_messages: loading } : {}),
        }),
      );
    },

    async setSession(target, state, opts) {
      try {
        const client = await clientFor(target.workspaceId);
        const res = await callSlack("agents.sessions.setStatus", () =>
          client.agents.sessions.setStatus({
            channel_id: target.channelId,
            ...(target.threadId !== undefined ? { thread_ts: target.threadId } : {}),
            status: state === "working" ? "processing" : "active",
            ...(state === "working" ? { initiator_user_id: opts.askerUserId } : {}),
            ...(opts.title !== undefined ? { title: opts.title.slice(0, 200) } : {}),
          }),
        );
        // Without the event subscription Slack shows a loading indicator nobody can click.
        if (res.warning && !warned) {
          warned = true;
          logger.warn({ platform: "slack", warning: res.warning }, "Slack warned about the agent session (subscribe to agent_session_stopped)");
        }
      } catch (err) {
        if (!warned) logger.warn({ platform: "slack", err }, "could not set the thread's agent session; Slack's own Stop is not shown");
        warned = true;
      }
    },
  };
}
