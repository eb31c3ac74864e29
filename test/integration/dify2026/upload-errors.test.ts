import { afterEach, describe, expect, it } from "vitest";
import { dify2026Options, replies, scripts } from "../../fakes/dify/index.js";
import { SlackE2E } from "../slack-e2e/slack-e2e-harness.js";

/** Upload errors name their cause and the app's own limit, and the question is still answered (docs/dify-2026.md §4). */

const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const PDF = Buffer.from("%PDF-1.4\n%%EOF\n");

describe("Slack end to end: upload errors that say why", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("a 413 names the app's limit for that kind of file, a 415 the type, a blocked extension says so; the question is answered", async () => {
    e = await SlackE2E.start({ dify: { ...dify2026Options(), mode: "chat" } });
    const p = e.dify.settings.parameters as { system_parameters: Record<string, number> };
    // The app's own limits, as /parameters reports them: 4 MB for images here, not the 10 MB default.
    e.dify.configure({ parameters: { ...e.dify.settings.parameters, system_parameters: { ...p.system_parameters, image_file_size_limit: 4 } } });
    // Dify's 2026 answers, as services/file_service.py raises them (413 with an empty message).
    e.dify.intercept((r) => {
      if (r.path !== "/v1/files/upload") return undefined;
      const name = r.form?.files[0]?.filename ?? "";
      if (name === "huge.png") return replies.json(413, "file_too_large", "");
      if (name === "spec.pdf") return replies.json(415, "unsupported_file_type", "File type not allowed.");
      if (name === "notes.md") return replies.json(400, "invalid_param", "File extension '.md' is not allowed for security reasons");
      return undefined;
    });
    e.dify.onChat((turn) => scripts.answer(`Answered with ${turn.files.length} file(s).`));
    const files = [
      e.slack.hostFile({ name: "huge.png", mimetype: "image/png", data: PNG }),
      e.slack.hostFile({ name: "spec.pdf", mimetype: "application/pdf", data: PDF }),
      e.slack.hostFile({ name: "notes.md", mimetype: "text/markdown", data: Buffer.from("# hi") }),
    ];
    const q = await e.mention({ text: "Look at these", files });
    const [reply] = await e.waitForAnswer(q, /Answered with 0 file/);
    const text = reply?.markdown ?? "";
    expect(text).toContain("⚠️ Not sent to the assistant: huge.png (it is larger than the assistant's 4 MB limit for images).");
    expect(text).toContain("⚠️ Not sent to the assistant: spec.pdf (the assistant does not accept .pdf files).");
    expect(text).toContain("⚠️ Not sent to the assistant: notes.md (.md files are blocked by the assistant's server).");
    expect(text).not.toContain("the upload to the assistant failed");
    expect(e.dify.chatRequests).toHaveLength(1);
  });

  it("a file over the app's limit is not even downloaded in full, and the note names that limit", async () => {
    e = await SlackE2E.start({ dify: { ...dify2026Options(), mode: "chat" } });
    const p = e.dify.settings.parameters as { system_parameters: Record<string, number> };
    e.dify.configure({ parameters: { ...e.dify.settings.parameters, system_parameters: { ...p.system_parameters, file_size_limit: 1 } } });
    e.dify.onChat(() => scripts.answer("Done."));
    const big = e.slack.hostFile({ name: "report.pdf", mimetype: "application/pdf", data: Buffer.alloc(1024 * 1024 + 10, 65) });
    const q = await e.mention({ text: "Summarise", files: [big] });
    const [reply] = await e.waitForAnswer(q, /Done\./);
    expect(reply?.markdown).toContain("report.pdf (it is larger than the assistant's 1 MB limit for documents)");
    expect(e.dify.uploads).toHaveLength(0);
  });
});
