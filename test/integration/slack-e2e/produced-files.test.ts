import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { scripts, steps } from "../../fakes/dify/index.js";
import { eventually } from "../../support/bridge-harness.js";
import { SlackE2E } from "./slack-e2e-harness.js";

const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

/** An internal service on this machine (a metadata endpoint, an admin port) that must never be reached. */
async function internalListener(): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((_req, res) => res.end("INTERNAL-SECRET-TEXT"));
  server.on("connection", () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, connections: () => connections };
}

/**
 * Files an app produces come as URLs inside the answer (`message_file`, `message_end.files`), which tools and
 * the model control. Only Dify's origin is fetched: an internal address is never contacted, a Dify URL that
 * redirects elsewhere is not followed, a real tool file still reaches the thread.
 */
describe("Slack end to end: files produced by the app", () => {
  let e: SlackE2E;
  let inside: Awaited<ReturnType<typeof internalListener>> | undefined;
  afterEach(async () => {
    await e?.close();
    if (inside) {
      inside.server.closeAllConnections();
      await new Promise<void>((resolve) => inside?.server.close(() => resolve()));
    }
  });

  it("a produced file on an internal address, or redirecting there, is not fetched: the listener sees nothing, the thread gets the answer, the real file and a note", async () => {
    inside = await internalListener();
    e = await SlackE2E.start();
    const chart = e.dify.addToolFile({ bytes: PNG, mimeType: "image/png", extension: "png" });
    const bounce = e.dify.serveFile("/files/tools/bounce.txt", { bytes: "x", mimeType: "text/plain", redirectTo: `http://127.0.0.1:${inside.port}/meta.txt` });
    const answer = "Here is the chart.";
    e.dify.onChat(() => [
      steps.messageFile({ url: `http://127.0.0.1:${inside?.port}/meta.txt`, type: "document" }),
      steps.messageFile({ url: chart }),
      ...scripts.answer(answer).slice(0, -1),
      steps.messageEnd({
        files: [{ id: "f-redirect", type: "document", transfer_method: "tool_file", filename: "bounce.txt", mime_type: "text/plain", url: bounce }],
      }),
    ]);

    const q = await e.mention({ text: "Draw the chart" });
    // The answer with its note, and the files message (a file upload shows no text of its own).
    const replies = await eventually(() => {
      const bot = e.botReplies(q);
      // Stop waiting at once if the listener was reached: that is the failure this test is about.
      const settled = bot.some((m) => m.markdown.includes("could not be attached")) || inside?.connections();
      return settled && bot.some((m) => m.files.length > 0) ? bot : undefined;
    }, 20_000);
    expect(inside.connections()).toBe(0);
    const shown = replies.map((m) => m.markdown).join("\n\n");
    expect(shown).toContain(answer);
    expect(shown).toContain("⚠️ 2 file(s) produced by the assistant could not be attached.");
    expect(shown).not.toContain("INTERNAL-SECRET-TEXT");
    // The real tool file was fetched from Dify and uploaded; nothing else was.
    const uploaded = e.botMessagesEver(q).flatMap((m) => m.files);
    expect(uploaded.map((f) => Buffer.from(f.data).equals(PNG))).toEqual([true]);
    expect(e.dify.requests.filter((r) => r.path.startsWith("/files/")).map((r) => r.path)).toEqual([chart.split("?")[0], "/files/tools/bounce.txt"]);
  }, 30_000);
});
