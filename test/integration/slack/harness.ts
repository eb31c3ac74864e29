import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parseSlackConfig, type SlackConfig } from "../../../adapters/slack/config.js";
import { SlackPlatform } from "../../../adapters/slack/slack-platform.js";
import type { InboundEvent, InboundSink } from "../../../src/contracts/chat-platform.js";
import type { Logger } from "../../../src/contracts/logger.js";
import { type FakeSlackApi, SlackEventsSender } from "../../fakes/slack/index.js";

const SIGNING_SECRET = "fake-signing-secret";

export interface LogEntry {
  readonly level: "debug" | "info" | "warn" | "error" | "fatal";
  readonly obj: Record<string, unknown>;
  readonly msg: string | undefined;
}

/** A Logger that keeps every line, so tests can assert what was logged (and what was not). */
export function createCapturingLogger(entries: LogEntry[] = [], bindings: Record<string, unknown> = {}): Logger & { entries: LogEntry[] } {
  const at =
    (level: LogEntry["level"]) =>
    (obj: object, msg?: string): void => {
      entries.push({ level, obj: { ...bindings, ...(obj as Record<string, unknown>) }, msg });
    };
  return {
    entries,
    child: (b) => createCapturingLogger(entries, { ...bindings, ...b }),
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    fatal: at("fatal"),
  };
}

/** A sink that records events; `failNext()` makes it reject, like an enqueue while Redis is down. */
function createCapturingSink() {
  const events: InboundEvent[] = [];
  /** What the adapter reported as ignored, with the reason (the core only counts and lists these). */
  const ignored: InboundEvent[] = [];
  const failures: Error[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const sink: InboundSink = async (event) => {
    if (event.kind === "ignored") {
      ignored.push(event);
      return;
    }
    const failure = failures.shift();
    if (failure) throw failure;
    events.push(event);
    for (const w of waiters.filter((x) => events.length >= x.count)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  return {
    sink,
    events,
    ignored,
    failNext(err = new Error("queue unavailable")) {
      failures.push(err);
    },
    /** Resolves once at least `count` events were accepted. */
    waitForCount(count: number, timeoutMs = 5_000): Promise<void> {
      if (events.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${events.length} of ${count} events arrived`)), timeoutMs);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

export function slackConfigFor(fake: FakeSlackApi, env: Record<string, string> = {}): SlackConfig {
  const parsed = parseSlackConfig({
    SLACK_BOT_TOKEN: fake.team.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    ...env,
  });
  if (!parsed.ok || parsed.value === null) throw new Error(`bad test config: ${JSON.stringify(parsed)}`);
  return parsed.value;
}

/** The adapter in HTTP mode, its route mounted on a node:http server as the core would do it. */
export async function startHttpPlatform(fake: FakeSlackApi, opts: { env?: Record<string, string>; sink?: InboundSink } = {}) {
  const logger = createCapturingLogger();
  const captured = createCapturingSink();
  const platform = new SlackPlatform(slackConfigFor(fake, opts.env), { logger, download: { allowPrivateAddresses: true } });
  await platform.start(opts.sink ?? captured.sink);
  const routes = platform.httpRoutes ?? [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://local").pathname;
    const route = routes.find((r) => r.method === req.method && r.path === path);
    if (route) return route.handle(req, res);
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  const sender = new SlackEventsSender(eventsUrl, SIGNING_SECRET);
  return {
    platform,
    logger,
    captured,
    sender,
    eventsUrl,
    async close() {
      await platform.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The adapter in Socket Mode against the fake's WebSocket. Stop it before closing the fake. */
export async function startSocketPlatform(fake: FakeSlackApi, opts: { env?: Record<string, string> } = {}) {
  const logger = createCapturingLogger();
  const captured = createCapturingSink();
  const config = slackConfigFor(fake, { SLACK_APP_TOKEN: fake.team.appToken, ...opts.env });
  const platform = new SlackPlatform(config, { logger });
  await platform.start(captured.sink);
  return { platform, logger, captured };
}

/** A worker-only adapter (no intake) for outbound calls. */
export async function startWorkerPlatform(fake: FakeSlackApi, opts: { env?: Record<string, string> } = {}) {
  const logger = createCapturingLogger();
  const platform = new SlackPlatform(slackConfigFor(fake, opts.env), { logger, download: { allowPrivateAddresses: true } });
  await platform.start();
  return { platform, logger };
}
