import { Cluster, type Redis } from "ioredis";

const SCAN_COUNT = 500;

/**
 * Every key matching `pattern`, by SCAN (never KEYS: it does not block Redis). Under Redis Cluster every master is
 * scanned, since keys of one kind are spread over slots.
 */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const client: unknown = redis;
  const nodes: Redis[] = client instanceof Cluster ? client.nodes("master") : [redis];
  const found: string[] = [];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", SCAN_COUNT);
      cursor = next;
      found.push(...keys);
    } while (cursor !== "0");
  }
  return found;
}
