import type { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { scripts } from "../../fakes/dify/index.js";
import { type BridgeHarness, eventually, startBridge } from "../../support/bridge-harness.js";

const QUESTION = "What is the launch code for project ZEBRA-7731?";
const NAME = "Ana Secretname";
const SIGNED_URL = "https://cdn.example.test/attachments/1/2/plan.pdf?ex=abc&hm=signature-SIGNED-4242";

/** Every value under BullMQ's keys for this harness' queue, as text (hashes, lists, sets, sorted sets, streams). */
async function queueValues(redis: Redis, prefix: string): Promise<string> {
  const keys = await redis.keys(`${prefix}:replies:*`);
  const parts: string[] = [];
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === "hash") parts.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === "string") parts.push(String(await redis.get(key)));
    else if (type === "list") parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
    else if (type === "zset") parts.push(JSON.stringify(await redis.zrange(key, 0, -1)));
    else if (type === "set") parts.push(JSON.stringify(await redis.smembers(key)));
    else if (type === "stream") parts.push(JSON.stringify(await redis.xrange(key, "-", "+")));
  }
  return parts.join("\n");
}

/**
 * BullMQ keeps finished jobs (by age and count, not by Redis TTL). What it keeps of a completed one must
 * not be what people wrote, who they are, or signed file links: its data is cut down to ids.
 */
describe("what the queue keeps of finished jobs", () => {
  let h: BridgeHarness;
  afterEach(async () => h?.close());

  const ask = () =>
    h.platform.message({
      text: QUESTION,
      user: { userId: "U1", displayName: NAME },
      attachments: [{ id: "F1", ref: SIGNED_URL, name: "plan.pdf", mimeType: "application/pdf", sizeBytes: 10, isVoiceNote: false }],
    });

  it("an answered question: the job's stored data no longer holds the question, the name or the signed URL", async () => {
    h = await startBridge();
    h.dify.onChat(() => scripts.answer("I cannot share that."));
    h.platform.attachments.set(SIGNED_URL, new TextEncoder().encode("%PDF-1.4 x"));
    const event = ask();
    await h.platform.emit(event);
    await eventually(() => h.platform.visibleText({ channelId: "C1" }).includes("I cannot share that."), 10_000);
    const stored = await eventually(async () => {
      const values = await queueValues(h.redis, h.prefix);
      // The job is still there (so this is its redacted data), without the question.
      return values.includes("dedupeKey") && !values.includes("ZEBRA-7731") ? values : undefined;
    }, 5_000);
    expect(stored).not.toContain(NAME);
    expect(stored).not.toContain("SIGNED-4242");
  });

  it("a job completed more than 5 minutes ago is deleted from Redis when the next job completes; a recent one is kept", async () => {
    h = await startBridge();
    h.dify.onChat((turn) => scripts.answer(`Answer to ${turn.query}`));
    const completed = `${h.prefix}:replies:completed`;
    const answerIn = async (channelId: string, text: string): Promise<string> => {
      const before = new Set(await h.redis.zrange(completed, 0, -1));
      await h.platform.emit(h.platform.message({ text, channelId }));
      await eventually(() => h.platform.visibleText({ channelId }).includes(`Answer to ${text}`), 10_000);
      return eventually(async () => (await h.redis.zrange(completed, 0, -1)).find((id) => !before.has(id)), 5_000);
    };

    const old = await answerIn("C1", "first");
    // Dated 301 s back, as if it had finished then: BullMQ ages completed jobs by their score in this set.
    expect(await h.redis.zadd(completed, "XX", "CH", Date.now() - 301_000, old)).toBe(1);
    const recent = await answerIn("C2", "second");

    await eventually(async () => (await h.redis.exists(`${h.prefix}:replies:${old}`)) === 0, 5_000);
    expect(await h.redis.zscore(completed, old)).toBeNull();
    expect(await h.redis.exists(`${h.prefix}:replies:${recent}`)).toBe(1);
  });
});
