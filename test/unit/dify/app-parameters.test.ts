import { describe, expect, it } from "vitest";
import { parseAppParameters } from "../../../src/dify/app-parameters.js";
import { defaultAppParameters, legacyAppParameters } from "../../fakes/dify/index.js";

const MB = 1024 * 1024;

describe("parseAppParameters", () => {
  it("reads the new file_upload shape (Dify >= 1.6)", () => {
    const p = parseAppParameters(defaultAppParameters());
    expect(p).toEqual({
      openingStatement: "Hi! I'm the team assistant. Ask me anything about our handbook.",
      suggestedQuestions: ["What can you do?", "How do I request time off?"],
      suggestedQuestionsAfterAnswer: false,
      speechToText: true,
      citations: true,
      fileUpload: {
        enabled: true,
        allowedTypes: ["image", "document"],
        allowedExtensions: [".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".mp4", ".mov", ".mpeg", ".webm"],
        allowsLocalFile: true,
        numberLimit: 3,
      },
      sizeLimits: { image: 10 * MB, video: 100 * MB, audio: 50 * MB, file: 15 * MB },
      inputVariables: [{ variable: "language", type: "text-input", required: false }],
    });
  });

  it("reads the legacy image-only shape", () => {
    const p = parseAppParameters(legacyAppParameters());
    expect(p.fileUpload).toEqual({ enabled: true, allowedTypes: ["image"], allowedExtensions: [], allowsLocalFile: true, numberLimit: 2 });
  });

  it("treats a disabled feature in either shape as no uploads", () => {
    expect(parseAppParameters({ file_upload: { enabled: false, allowed_file_types: ["image"] } }).fileUpload.enabled).toBe(false);
    const legacyOff = parseAppParameters({ file_upload: { image: { enabled: false, number_limits: 3, transfer_methods: ["remote_url"] } } });
    expect(legacyOff.fileUpload).toMatchObject({ enabled: false, allowedTypes: [], allowsLocalFile: false });
  });

  it("falls back to Dify's defaults for an empty or null answer", () => {
    for (const raw of [{}, null, undefined]) {
      const p = parseAppParameters(raw);
      expect(p.speechToText).toBe(false);
      expect(p.fileUpload.enabled).toBe(false);
      expect(p.sizeLimits).toEqual({ image: 10 * MB, video: 100 * MB, audio: 50 * MB, file: 15 * MB });
      expect(p.inputVariables).toEqual([]);
    }
  });

  it("accepts size limits sent as strings and extensions without dots", () => {
    const p = parseAppParameters({
      system_parameters: { image_file_size_limit: "4", file_size_limit: "20" },
      file_upload: { enabled: true, allowed_file_types: ["custom"], allowed_file_extensions: ["PDF", ".Txt"], allowed_file_upload_methods: ["remote_url"] },
    });
    expect(p.sizeLimits.image).toBe(4 * MB);
    expect(p.sizeLimits.file).toBe(20 * MB);
    expect(p.fileUpload.allowedExtensions).toEqual([".pdf", ".txt"]);
    expect(p.fileUpload.allowsLocalFile).toBe(false);
  });

  it("lists every declared input variable with its control type", () => {
    const p = parseAppParameters({
      user_input_form: [
        { select: { label: "Team", variable: "team", required: true, options: ["a", "b"] } },
        { number: { label: "Days", variable: "days", required: false } },
        { paragraph: { label: "broken, no variable" } },
      ],
    });
    expect(p.inputVariables).toEqual([
      { variable: "team", type: "select", required: true },
      { variable: "days", type: "number", required: false },
    ]);
  });

  it("rejects an answer of the wrong shape", () => {
    expect(() => parseAppParameters({ suggested_questions: "not a list" })).toThrow();
  });
});
