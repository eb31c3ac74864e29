import { afterEach, describe, expect, it } from "vitest";
import { createGate, dify2026Options, FakeDifyServer, scripts, steps } from "../../fakes/dify/index.js";
import { chatBody, multipart, rawRequest, sseEvents } from "./raw-requests.js";

/** The fake as a 2026 server (docs/dify-2026.md): stream endings, pauses and forms, the events endpoint, files, upload errors. */

let dify: FakeDifyServer;
afterEach(async () => {
  await dify.close();
});

const start = async (extra: Parameters<typeof FakeDifyServer.start>[0] = {}) => {
  dify = await FakeDifyServer.start({ ...dify2026Options(), mode: "advanced-chat", ...extra });
};
const ask = (extra: Record<string, unknown> = {}) => rawRequest(dify, "POST", "/v1/chat-messages", { json: chatBody(extra) });
const names = (text: string) => sseEvents(text).map((e) => (e === "ping" ? "ping" : e.event));
const approval = {
  formContent: "Deploy **v2.4** to production?",
  actions: [
    { id: "approve", title: "Approve", buttonStyle: "primary" },
    { id: "reject", title: "Reject" },
  ],
};

describe("Chatflow endings", () => {
  it("fails in the newest order without an error event, and in the 1.12.1 order with one", async () => {
    await start();
    dify.onChatOnce(() => scripts.chatflowFailed({ afterText: "Part", order: "replace-end-finished", error: "Node LLM failed: quota" }));
    const newest = sseEvents((await ask()).text).filter((e) => e !== "ping");
    expect(newest.map((e) => e.event).slice(-3)).toEqual(["message_replace", "message_end", "workflow_finished"]);
    expect(newest.at(-3)).toMatchObject({ reason: "workflow_resumption_terminal" });
    expect(newest.at(-1)).toMatchObject({ data: { status: "failed", error: "Node LLM failed: quota" }, workflow_run_id: expect.any(String) });
    dify.onChatOnce(() => scripts.chatflowFailed({ order: "finished-then-error" }));
    expect(names((await ask()).text).slice(-2)).toEqual(["workflow_finished", "error"]);
  });
});

describe("Human Input", () => {
  it("pauses (required, paused, close), serves and takes the form once, and resumes on the events endpoint", async () => {
    await start();
    dify.onChat(() =>
      scripts.chatflowWithForms("Checking. ", [approval], (o) => (o[0]?.kind === "submitted" ? `Done: ${o[0].submission.action}.` : "Timed out."))(),
    );
    const first = await ask();
    const events = sseEvents(first.text).filter((e) => e !== "ping");
    expect(events.map((e) => e.event).slice(-2)).toEqual(["human_input_required", "workflow_paused"]);
    const required = events.at(-2) as { workflow_run_id: string; data: { form_token: string; actions: unknown[]; form_content: string } };
    expect(required.data.actions).toEqual([
      { id: "approve", title: "Approve", button_style: "primary" },
      { id: "reject", title: "Reject", button_style: "default" },
    ]);
    const runId = required.workflow_run_id;
    const token = required.data.form_token;
    expect((await rawRequest(dify, "GET", `/v1/form/human_input/${token}`)).json).toMatchObject({ form_content: approval.formContent });

    // Subscribe first (snapshot, stay open over the pause), then submit.
    const resumed = rawRequest(dify, "GET", `/v1/workflow/${runId}/events?user=u1&include_state_snapshot=true&continue_on_pause=true`);
    await dify.waitFor(() => dify.workflowRunsSubscribers(runId) === 1);
    const submit = await rawRequest(dify, "POST", `/v1/form/human_input/${token}`, { json: { inputs: {}, action: "approve", user: "u1" } });
    expect(submit).toMatchObject({ status: 200, json: {} });
    const after = sseEvents((await resumed).text).filter((e) => e !== "ping");
    expect(after.map((e) => e.event)).toContain("human_input_form_filled");
    expect(
      after
        .filter((e) => e.event === "message")
        .map((e) => e.answer)
        .join(""),
    ).toBe("Done: approve.");
    expect(after.at(-1)).toMatchObject({ event: "workflow_finished", data: { status: "succeeded" } });
    const again = await rawRequest(dify, "POST", `/v1/form/human_input/${token}`, { json: { inputs: {}, action: "approve", user: "u1" } });
    expect(again).toMatchObject({ status: 412, json: { code: "human_input_form_submitted" } });
    // A finished run answers one workflow_finished, in json.dumps style.
    const done = await rawRequest(dify, "GET", `/v1/workflow/${runId}/events?user=u1`);
    expect(done.text).toMatch(/^data: \{"event": "workflow_finished"/);
    expect(sseEvents(done.text)).toHaveLength(1);
    // Another end user's run does not exist for them.
    expect((await rawRequest(dify, "GET", `/v1/workflow/${runId}/events?user=someone-else`)).status).toBe(404);
  });

  it("expired forms answer 412 human_input_form_expired; 1.12.1 has none of these routes", async () => {
    await start();
    dify.onChat(() => scripts.chatflowWithForms("", [{ ...approval, expiresInSeconds: -1 }], "x")());
    const required = sseEvents((await ask()).text).find((e) => e !== "ping" && e.event === "human_input_required") as { data: { form_token: string } };
    const expired = await rawRequest(dify, "POST", `/v1/form/human_input/${required.data.form_token}`, { json: { inputs: {}, action: "approve", user: "u1" } });
    expect(expired).toMatchObject({ status: 412, json: { code: "human_input_form_expired" } });
    dify.configure({ workflowEvents: false });
    expect((await rawRequest(dify, "GET", `/v1/form/human_input/${required.data.form_token}`)).status).toBe(404);
  });

  it("keeps running when its client disconnects; a late subscriber gets the snapshot and the rest", async () => {
    await start();
    const gate = createGate();
    dify.onChat(() => [
      ...scripts.chatflow("Hello there", { order: "message-end-first" }).slice(0, 5),
      steps.waitFor(gate),
      ...scripts.chatflow("Hello there", { order: "message-end-first" }).slice(5),
    ]);
    const controller = new AbortController();
    const res = await fetch(`${dify.origin}/v1/chat-messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${dify.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(chatBody()),
      signal: controller.signal,
    });
    const reader = res.body?.getReader();
    const chunk = new TextDecoder().decode((await reader?.read())?.value);
    const runId = (sseEvents(chunk)[0] as { workflow_run_id: string }).workflow_run_id;
    controller.abort();
    await dify.waitFor(() => (dify.streams[0] as { clientGone?: boolean }).clientGone === true);
    const late = rawRequest(dify, "GET", `/v1/workflow/${runId}/events?user=u1&include_state_snapshot=true`);
    await dify.waitFor(() => dify.workflowRunsSubscribers(runId) === 1);
    gate.open();
    const events = sseEvents((await late).text).filter((e) => e !== "ping");
    expect(events[0]).toMatchObject({ event: "workflow_started", data: { reason: "initial" } });
    expect(events.map((e) => e.event).slice(-2)).toEqual(["message_end", "workflow_finished"]);
    expect(dify.stopRequests).toHaveLength(0);
  });
});

describe("files and uploads", () => {
  it("lists the user's upload and the tool file in message_end, re-signed, with related_id", async () => {
    await start({ mode: "chat" });
    const form = multipart([
      { name: "file", value: new Uint8Array([1, 2, 3]), filename: "photo.png", type: "image/png" },
      { name: "user", value: "u1" },
    ]);
    const up = await rawRequest(dify, "POST", "/v1/files/upload", { body: form.body, headers: { "content-type": form.contentType } });
    const uploadId = (up.json as { id: string }).id;
    const toolUrl = dify.addToolFile({ bytes: "png", mimeType: "image/png", extension: "png" });
    dify.onChat(() => [steps.messageFile({ id: "f0000000-0000-4000-8000-000000000001", url: toolUrl }), ...scripts.answer("Here.")]);
    const events = sseEvents((await ask({ files: [{ type: "image", transfer_method: "local_file", upload_file_id: uploadId }] })).text).filter(
      (e) => e !== "ping",
    );
    const end = events.find((e) => e.event === "message_end") as { files: Array<Record<string, string>> };
    expect(end.files.map((f) => f.upload_file_id).sort()).toEqual([uploadId, "f0000000-0000-4000-8000-000000000001"].sort());
    const tool = end.files.find((f) => f.related_id === "f0000000-0000-4000-8000-000000000001");
    expect(tool?.url?.split("?")[0]).toBe(toolUrl.split("?")[0]);
    expect(tool?.url).not.toBe(toolUrl);
    expect(end.files.every((f) => !("belongs_to" in f))).toBe(true);
  });

  it("refuses uploads with the 2026 codes: empty 413 per extension, 415 type, 400 blocked extension", async () => {
    await start({ mode: "chat" });
    const upload = (filename: string, type: string, bytes: number) => {
      const form = multipart([
        { name: "file", value: new Uint8Array(bytes), filename, type },
        { name: "user", value: "u1" },
      ]);
      return rawRequest(dify, "POST", "/v1/files/upload", { body: form.body, headers: { "content-type": form.contentType } });
    };
    expect(await upload("big.png", "image/png", 10 * 1024 * 1024 + 1)).toMatchObject({ status: 413, json: { code: "file_too_large", message: "" } });
    expect((await upload("big.pdf", "application/pdf", 10 * 1024 * 1024 + 1)).status).toBe(201);
    expect(await upload("song.mp3", "audio/mpeg", 10)).toMatchObject({ status: 415, json: { code: "unsupported_file_type" } });
    expect(await upload("run.exe", "application/octet-stream", 10)).toMatchObject({ status: 400, json: { code: "invalid_param" } });
  });
});
