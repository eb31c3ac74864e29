import { describe, expect, it } from "vitest";
import { parseAppParameters } from "../../../src/dify/app-parameters.js";
import { intakeParameters, runInputsFor } from "../../../src/dify/run-inputs.js";
import { runRequest } from "../../../src/dify/run-request.js";
import { answerFromOutputs } from "../../../src/dify/workflow-answer.js";
import { completionAppParameters, defaultAppParameters, workflowAppParameters } from "../../fakes/dify/index.js";

describe("where a Workflow / Text Generator run puts the question", () => {
  const workflow = parseAppParameters(workflowAppParameters());

  it("the first text input (paragraph or text-input) of the start form; the first file input takes the files", () => {
    expect(runInputsFor("workflow", workflow, {})).toEqual({ kind: "workflow", queryInput: "question", fileInput: { variable: "attachments", list: true } });
    expect(runInputsFor("completion", parseAppParameters(completionAppParameters()), {})).toEqual({ kind: "completion", queryInput: "text" });
    // A select comes before the text input: it is skipped.
    const form = parseAppParameters({
      user_input_form: [
        { select: { variable: "tone", options: ["a"] } },
        { number: { variable: "n" } },
        { "text-input": { variable: "topic" } },
        { paragraph: { variable: "body" } },
      ],
    });
    expect(runInputsFor("workflow", form, {})?.queryInput).toBe("topic");
    // A text input the bridge fills otherwise (DIFY_INPUTS, CONTEXT_INPUT, user_name) is not the question's.
    expect(runInputsFor("workflow", form, { filledElsewhere: ["topic"] })?.queryInput).toBe("body");
    const named = parseAppParameters({ user_input_form: [{ "text-input": { variable: "user_name" } }, { paragraph: { variable: "ask" } }] });
    expect(runInputsFor("workflow", named, {})?.queryInput).toBe("ask");
  });

  it("the configured variable wins; a chat app has no run inputs; an app without a text input has no query input", () => {
    expect(runInputsFor("workflow", workflow, { queryInput: "other", answerOutput: "summary" })).toMatchObject({
      queryInput: "other",
      answerOutput: "summary",
    });
    expect(runInputsFor("chat", workflow, { queryInput: "x" })).toBeUndefined();
    expect(runInputsFor("completion", parseAppParameters({ user_input_form: [{ number: { variable: "n" } }] }), {})?.queryInput).toBeUndefined();
    // answer_output means nothing to a Text Generator (it streams one answer).
    expect(runInputsFor("completion", workflow, { answerOutput: "x" })).not.toHaveProperty("answerOutput");
  });

  it("attachments are judged by the file input's own types and count, not by the app's file_upload feature", () => {
    const run = runInputsFor("workflow", workflow, {});
    expect(workflow.fileUpload.enabled).toBe(false);
    const intake = intakeParameters(workflow, run);
    expect(intake.fileUpload).toEqual({ enabled: true, allowedTypes: ["image", "document"], allowedExtensions: [], allowsLocalFile: true, numberLimit: 3 });
    expect(intake.sizeLimits).toEqual(workflow.sizeLimits);
    const chat = parseAppParameters(defaultAppParameters());
    expect(intakeParameters(chat, undefined)).toBe(chat);
  });
});

describe("the request per app type", () => {
  const files = [
    { type: "document" as const, uploadFileId: "f1" },
    { type: "image" as const, uploadFileId: "f2" },
  ];
  const ref = (id: string, type: string) => ({ type, transfer_method: "local_file", upload_file_id: id });

  it("chat: /chat-messages with the conversation; Workflow: /workflows/run with inputs only; Text Generator: /completion-messages with query", () => {
    const base = { query: "Q", user: "u", inputs: { lang: "en" }, conversationId: "c1", files };
    expect(runRequest(base)).toEqual({
      path: "/chat-messages",
      body: {
        query: "Q",
        inputs: { lang: "en" },
        user: "u",
        response_mode: "streaming",
        conversation_id: "c1",
        files: [ref("f1", "document"), ref("f2", "image")],
        auto_generate_name: true,
      },
    });
    expect(runRequest({ ...base, run: { kind: "workflow", queryInput: "question", fileInput: { variable: "docs", list: true } } })).toEqual({
      path: "/workflows/run",
      body: { inputs: { lang: "en", question: "Q", docs: [ref("f1", "document"), ref("f2", "image")] }, user: "u", response_mode: "streaming" },
    });
    // A single-file input takes one file; without a file input the files go in `files`.
    expect(runRequest({ ...base, run: { kind: "completion", queryInput: "text", fileInput: { variable: "doc", list: false } } }).body).toEqual({
      inputs: { lang: "en", text: "Q", doc: ref("f1", "document") },
      user: "u",
      response_mode: "streaming",
      query: "Q",
    });
    expect(runRequest({ ...base, run: { kind: "workflow", queryInput: "question" } }).body).toEqual({
      inputs: { lang: "en", question: "Q" },
      user: "u",
      response_mode: "streaming",
      files: [ref("f1", "document"), ref("f2", "image")],
    });
  });
});

describe("a Workflow's answer from its outputs", () => {
  it("keeps the streamed text; with nothing streamed, the only output; several are listed by name", () => {
    expect(answerFromOutputs({ result: "streamed" }, "streamed", undefined)).toBeUndefined();
    expect(answerFromOutputs({ result: "The answer." }, "", undefined)).toBe("The answer.");
    expect(answerFromOutputs({ summary: "Short.", count: 3, detail: "line 1\nline 2" }, "", undefined)).toBe(
      "**summary**: Short.\n\n**count**: 3\n\n**detail**\nline 1\nline 2",
    );
    expect(answerFromOutputs({ data: { a: 1 } }, "", undefined)).toBe('```json\n{\n  "a": 1\n}\n```');
    expect(answerFromOutputs({}, "", undefined)).toBeUndefined();
  });

  it("the configured output wins over the stream; file outputs are not text", () => {
    expect(answerFromOutputs({ summary: "Final.", notes: "x" }, "thinking out loud…", "summary")).toBe("Final.");
    expect(answerFromOutputs({ notes: "x" }, "streamed", "summary")).toBeUndefined();
    const file = { dify_model_identity: "__dify__file__", type: "image", url: "/files/x" };
    expect(answerFromOutputs({ chart: file, caption: "Sales by month" }, "", undefined)).toBe("Sales by month");
    expect(answerFromOutputs({ charts: [file, file] }, "", undefined)).toBeUndefined();
  });
});
