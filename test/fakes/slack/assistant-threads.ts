import { fakeNowMs } from "../clock.js";

/** One state of a thread's status line, as the people in the thread saw it ("" = no status line). */
export interface FakeStatusRevision {
  readonly atMs: number;
  readonly status: string;
  readonly loadingMessages: readonly string[];
  /** What changed it: assistant.threads.setStatus, or the bot's reply (Slack clears the status then). */
  readonly via: string;
}

/** An agent session (docs.slack.dev "Agent sessions"): thread-scoped, created by its first agents.sessions.setStatus. */
export interface FakeAgentSession {
  status: "active" | "processing" | "suspended" | "closed";
  title: string | undefined;
  readonly initiatorUserId: string | undefined;
  /** Every status it went through, in order. */
  readonly statuses: string[];
}

export interface FakeSuggestedPrompts {
  readonly title: string | undefined;
  readonly prompts: readonly { readonly title: string; readonly message: string }[];
}

const key = (channel: string, threadTs: string) => `${channel}/${threadTs}`;

/** What Slack's AI-app surfaces show per thread: status lines, agent sessions, titles, suggested prompts. */
export class FakeAssistantThreads {
  private readonly statuses = new Map<string, FakeStatusRevision[]>();
  private readonly sessions = new Map<string, FakeAgentSession>();
  /**
   * Suggested prompts by channel (the agent messaging experience sets them for the DM, not a thread), or by
   * "channel/thread_ts" for an app of the legacy assistant experience (which sets them per thread).
   */
  readonly prompts = new Map<string, FakeSuggestedPrompts>();
  /** Thread titles (assistant.threads.setTitle), by "channel/thread_ts", every title in order. */
  readonly titles = new Map<string, string[]>();

  /** The title a thread shows now. */
  titleOf(channel: string, threadTs: string): string | undefined {
    return this.titles.get(key(channel, threadTs))?.at(-1);
  }

  setTitle(channel: string, threadTs: string, title: string): void {
    this.titles.set(key(channel, threadTs), [...(this.titles.get(key(channel, threadTs)) ?? []), title]);
  }

  setStatus(channel: string, threadTs: string, status: string, loadingMessages: readonly string[], via = "assistant.threads.setStatus"): void {
    const list = this.statuses.get(key(channel, threadTs)) ?? [];
    list.push({ atMs: fakeNowMs(), status, loadingMessages, via });
    this.statuses.set(key(channel, threadTs), list);
  }

  /** The bot replied in the thread: Slack clears the status line. */
  replied(channel: string, threadTs: string | undefined, via: string): void {
    if (threadTs === undefined || this.statusOf(channel, threadTs) === "") return;
    this.setStatus(channel, threadTs, "", [], via);
  }

  /** The status line now ("" when none shows). */
  statusOf(channel: string, threadTs: string): string {
    return this.statuses.get(key(channel, threadTs))?.at(-1)?.status ?? "";
  }

  statusHistory(channel: string, threadTs: string): readonly FakeStatusRevision[] {
    return this.statuses.get(key(channel, threadTs)) ?? [];
  }

  session(channel: string, threadTs: string): FakeAgentSession | undefined {
    return this.sessions.get(key(channel, threadTs));
  }

  /** Creates the session on first use (taking its title and initiator then), else only changes its status. */
  setSession(channel: string, threadTs: string, status: FakeAgentSession["status"], init: { title?: string; initiatorUserId?: string }): FakeAgentSession {
    let s = this.sessions.get(key(channel, threadTs));
    if (!s) {
      s = { status, title: init.title, initiatorUserId: init.initiatorUserId, statuses: [] };
      this.sessions.set(key(channel, threadTs), s);
    }
    s.status = status;
    s.statuses.push(status);
    return s;
  }
}
