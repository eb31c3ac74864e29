import type { WebClient } from "@slack/web-api";
import type { AssistantSurface } from "../../src/contracts/chat-platform.js";
import type { Logger } from "../../src/contracts/logger.js";
import { callSlack } from "./errors.js";

/** assistant.threads.setStatus rotates through at most 10 loading messages. */
const MAX_LOADING_MESSAGES = 10;
/** "Use this method to set up to four suggested prompts." */
const MAX_PROMPTS = 4;
// Slack publishes no length limits for these; the pane shows a short line for each, so long texts are cut.
const MAX_PROMPT_TITLE = 75;
const MAX_PROMPTS_HEADING = 150;
const MAX_TITLE = 200;

const clip = (s: string, max: number) => {
  const line = s.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

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

    // Agent apps set prompts for the DM (a thread_ts makes the call fail silently); legacy assistant threads
    // get them on the thread the `assistant_thread_started` event named.
    async setSuggestedPrompts(target, prompts) {
      const client = await clientFor(target.workspaceId);
      const list = prompts.prompts.slice(0, MAX_PROMPTS).map((p) => ({ title: clip(p.title, MAX_PROMPT_TITLE), message: p.message }));
      if (list.length === 0) return;
      await callSlack("assistant.threads.setSuggestedPrompts", () =>
        client.assistant.threads.setSuggestedPrompts({
          channel_id: target.channelId,
          ...(target.threadId !== undefined ? { thread_ts: target.threadId } : {}),
          prompts: list as [{ title: string; message: string }],
          ...(prompts.title ? { title: clip(prompts.title, MAX_PROMPTS_HEADING) } : {}),
        } as never),
      );
    },

    async setTitle(target, title) {
      if (target.threadId === undefined) return;
      const client = await clientFor(target.workspaceId);
      await callSlack("assistant.threads.setTitle", () =>
        client.assistant.threads.setTitle({ channel_id: target.channelId, thread_ts: target.threadId as string, title: clip(title, MAX_TITLE) }),
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
