import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebPlatform } from "../../../adapters/web/web-platform.js";
import { WebThreads } from "../../../adapters/web/web-threads.js";
import {
  PlatformAuthError,
  PlatformNotFoundError,
  PlatformPermissionError,
  PlatformRateLimitError,
  PlatformValidationError,
} from "../../../src/contracts/errors.js";
import type { Author, MessageRef } from "../../../src/contracts/messages.js";
import { createCapturingLogger, createCapturingSink } from "../../integration/discord/helpers.js";
import type { ContractRig, ContractSubject, Refusal, SeenMessage } from "../contract-rig.js";
import { actionOf, messageOf, reactionOf } from "./events.js";

const ANA: Author = { userId: "ana", displayName: "Ana" };
const BO: Author = { userId: "bo", displayName: "Bo" };

/** The playground's own chats, counting what reaches them and refusing the next edit when told to (as a fault would). */
class ObservedThreads extends WebThreads {
  calls = 0;
  typings = 0;
  readonly notices: { userId: string; text: string }[] = [];
  private refusal: Error | undefined;

  refuseNextEdit(err: Error): void {
    this.refusal = err;
  }

  override post(...args: Parameters<WebThreads["post"]>) {
    this.calls++;
    return super.post(...args);
  }

  override edit(...args: Parameters<WebThreads["edit"]>): void {
    this.calls++;
    const refusal = this.refusal;
    this.refusal = undefined;
    if (refusal) throw refusal;
    super.edit(...args);
  }

  override notice(threadId: string, userId: string, text: string): void {
    this.calls++;
    this.notices.push({ userId, text });
    super.notice(threadId, userId, text);
  }

  override typing(threadId: string): void {
    this.typings++;
    super.typing(threadId);
  }
}

/** The web playground: its chats in memory, its users on the page, talking to it over its HTTP API. */
export const webContract: ContractSubject = {
  name: "Web playground",
  setup: startWebRig,
  overLimit: { hardLimitChars: 9_000, beyond: "rejects" },
  deleteMessage: true,
  privateNotices: "always",
  nativeStreaming: { absent: "a local page shows every edit at once; post and edit is the whole path" },
  threadHistory: { absent: "every playground chat starts with the bot in it, so there is never history from before" },
  typing: true,
};

async function startWebRig(): Promise<ContractRig> {
  const threads = new ObservedThreads();
  const logs = createCapturingLogger();
  const platform = new WebPlatform({ logger: logs, threads });
  const inbox = createCapturingSink();
  await platform.start(inbox.sink);
  // The routes served as the bridge serves them (behind the console, which the bridge's tests cover).
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const route = platform.httpRoutes.find((r) => r.method === req.method && r.path === path);
    if (route) route.handle(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}/console/playground/api`;
  const call = async (path: string, body?: unknown) => {
    const res = await fetch(
      `${origin}${path}`,
      body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
    );
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const thread = (await call("/threads", {})).thread as string;
  const say = async (user: Author, text: string, file?: { name: string; mimeType: string; data: Uint8Array }) => {
    const files = file ? [{ name: file.name, mimeType: file.mimeType, base64: Buffer.from(file.data).toString("base64") }] : [];
    await call("/messages", { thread, user: user.userId, name: user.displayName, text, files });
    return messageOf(await inbox.next());
  };
  const question = await say(ANA, "hello there");

  type View = { messages: { id: string; from: string; text: string; buttons: { label: string; actionId: string }[]; files: { id: string; name: string }[] }[] };
  const seeAll = async (): Promise<SeenMessage[]> => {
    const view = (await call(`/thread?id=${thread}&user=${ANA.userId}`)) as unknown as View;
    return Promise.all(
      view.messages
        .filter((m) => m.from === "bot")
        .map(async (m) => ({
          messageId: m.id,
          text: m.text,
          buttons: m.buttons.map((b) => ({ label: b.label, actionId: b.actionId })),
          files: await Promise.all(
            m.files.map(async (f) => ({ name: f.name, data: new Uint8Array(await (await fetch(`${origin}/file?id=${f.id}`)).arrayBuffer()) })),
          ),
        })),
    );
  };

  const refusals: Record<Refusal, () => Error> = {
    permission: () => new PlatformPermissionError("web", "edit message", undefined),
    not_found: () => new PlatformNotFoundError("web", "message not found"),
    validation: () => new PlatformValidationError("web", "invalid", "invalid message"),
    auth: () => new PlatformAuthError("web", "the console session ended"),
  };

  return {
    platform,
    question,
    asker: ANA,
    other: BO,
    seen: async (ref: MessageRef) => (await seeAll()).find((m) => m.messageId === ref.messageId),
    botMessages: seeAll,
    serverCalls: () => threads.calls,
    warnings: () => logs.entries.filter((e) => e.level === "warn").map((e) => e.msg ?? ""),
    userSays: say,
    async userReacts(by, ref, emoji, added) {
      await call("/react", { thread, user: by === "bot" ? "bot" : by.userId, message: ref.messageId, emoji, added });
      return reactionOf(await inbox.next());
    },
    async userClicks(user, ref, label) {
      const m = (await seeAll()).find((x) => x.messageId === ref.messageId);
      const button = m?.buttons.find((b) => b.label === label);
      if (!button) throw new Error(`message ${ref.messageId} shows no button labelled "${label}"`);
      await call("/click", { thread, user: user.userId, name: user.displayName, message: ref.messageId, actionId: button.actionId });
      return actionOf(await inbox.next());
    },
    // The page never sends the bot's own messages back.
    echoOwnMessage: async () => {},
    privateNotices: () => threads.notices,
    typingSignals: () => threads.typings,
    refuseNextEdit: (refusal) => threads.refuseNextEdit(refusals[refusal]()),
    rateLimitNextEdit: (retryAfterMs) => threads.refuseNextEdit(new PlatformRateLimitError("web", retryAfterMs)),
    close: async () => {
      await platform.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
