import type { ServerResponse } from "node:http";

/**
 * Ends a response with `data`: at once, or, with `trickleMs`, one byte per that many ms (a file host that stalls),
 * stopping when the client goes away. Headers are the caller's, written before.
 */
export function sendBody(res: ServerResponse, data: Uint8Array, trickleMs?: number): void {
  if (trickleMs === undefined) {
    res.end(Buffer.from(data));
    return;
  }
  let sent = 0;
  const timer = setInterval(() => {
    if (sent >= data.byteLength || res.destroyed) {
      clearInterval(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(Buffer.from(data.subarray(sent, sent + 1)));
    sent += 1;
  }, trickleMs);
  res.on("close", () => clearInterval(timer));
}
