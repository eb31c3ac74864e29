import { describe, expect, it } from "vitest";
import type { Logger } from "../../../src/contracts/logger.js";
import { createShutdown, type ShutdownStep } from "../../../src/lifecycle/shutdown.js";

interface LogLine {
  readonly level: "debug" | "info" | "warn" | "error" | "fatal";
  readonly obj: Record<string, unknown>;
  readonly msg: string | undefined;
}

/** Keeps every log line as data. */
function capturingLogger(lines: LogLine[] = []): Logger & { lines: LogLine[] } {
  const at = (level: LogLine["level"]) => (obj: object, msg?: string) => void lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { lines, child: () => capturingLogger(lines), debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), fatal: at("fatal") };
}

describe("createShutdown", () => {
  it("runs the steps in order, each after the previous one has finished", async () => {
    const events: string[] = [];
    const step = (name: string, ticks: number): ShutdownStep => ({
      name,
      async run() {
        events.push(`${name}:start`);
        for (let i = 0; i < ticks; i++) await Promise.resolve();
        events.push(`${name}:end`);
      },
    });
    await createShutdown([step("ingress", 3), step("workers", 1), { name: "redis", run: () => void events.push("redis") }], capturingLogger())();
    expect(events).toEqual(["ingress:start", "ingress:end", "workers:start", "workers:end", "redis"]);
  });

  it("goes on past a failing step and logs which step failed", async () => {
    const ran: string[] = [];
    const logger = capturingLogger();
    const boom = new Error("queue close failed");
    await createShutdown(
      [
        { name: "http", run: () => void ran.push("http") },
        {
          name: "queue",
          run: async () => {
            throw boom;
          },
        },
        {
          name: "sync-throw",
          run: () => {
            throw new Error("sync");
          },
        },
        { name: "redis", run: () => void ran.push("redis") },
      ],
      logger,
    )();
    expect(ran).toEqual(["http", "redis"]);
    const failures = logger.lines.filter((l) => l.level === "error");
    expect(failures.map((l) => l.obj.step)).toEqual(["queue", "sync-throw"]);
    expect(failures[0]?.obj.err).toBe(boom);
  });

  it("resolves, not rejects, when steps fail", async () => {
    const shutdown = createShutdown([{ name: "x", run: () => Promise.reject(new Error("no")) }], capturingLogger());
    await expect(shutdown()).resolves.toBeUndefined();
  });

  it("runs once: later calls share the first call's promise", async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const shutdown = createShutdown(
      [
        {
          name: "slow",
          run: () =>
            new Promise<void>((resolve) => {
              runs++;
              release = resolve;
            }),
        },
      ],
      capturingLogger(),
    );
    const first = shutdown();
    const second = shutdown();
    expect(second).toBe(first);
    release();
    await first;
    const third = shutdown();
    expect(third).toBe(first);
    await third;
    expect(runs).toBe(1);
  });

  it("logs each step that finished", async () => {
    const logger = capturingLogger();
    await createShutdown(
      [
        { name: "a", run: () => undefined },
        { name: "b", run: async () => undefined },
      ],
      logger,
    )();
    expect(logger.lines.filter((l) => l.level === "debug").map((l) => l.obj.step)).toEqual(["a", "b"]);
  });

  it("does nothing, successfully, with no steps", async () => {
    const logger = capturingLogger();
    await createShutdown([], logger)();
    expect(logger.lines).toEqual([]);
  });
});
