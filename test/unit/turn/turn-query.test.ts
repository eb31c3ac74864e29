import { describe, expect, it } from "vitest";
import type { ThreadHistoryMessage } from "../../../src/contracts/messages.js";
import { buildQuery, FILES_ONLY_QUESTION, historyContext, isNewConversationCommand, turnInputs } from "../../../src/turn/turn-query.js";

const say = (name: string, text: string, isBot = false): ThreadHistoryMessage => ({ author: { userId: `U-${name}`, displayName: name }, isBot, text });

describe("historyContext", () => {
  it("is empty for a thread with nothing said", () => {
    expect(historyContext([])).toBe("");
    expect(historyContext([say("Ana", "  "), say("Bo", "\n")])).toBe("");
  });

  it("lists the messages oldest first, marking the bot, trimming text and skipping blank messages", () => {
    const history = [say("Ana", "  Can we ship Friday? "), say("Bo", ""), say("Dify", "Probably.", true), say("Bo", "Let's ask.")];
    expect(historyContext(history)).toBe("Earlier messages in this thread:\nAna: Can we ship Friday?\nDify (bot): Probably.\nBo: Let's ask.");
  });

  it("keeps the newest messages when the thread is long, within 8,000 characters", () => {
    const history = Array.from({ length: 200 }, (_, i) => say("Ana", `message ${i} ${"x".repeat(80)}`));
    const context = historyContext(history);
    const lines = context.split("\n").slice(1);
    expect(lines.join("\n").length).toBeLessThanOrEqual(8_000);
    expect(lines.at(-1)).toBe(`Ana: message 199 ${"x".repeat(80)}`);
    expect(lines.length).toBeGreaterThan(80);
    expect(lines.length).toBeLessThan(200);
    // Contiguous: the newest run, in order.
    const numbers = lines.map((l) => Number(/message (\d+)/.exec(l)?.[1]));
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => 200 - numbers.length + i));
  });
});

describe("buildQuery", () => {
  it("is the trimmed text", () => {
    expect(buildQuery({ text: "  What is Dify? ", hasFiles: false })).toBe("What is Dify?");
  });

  it("adds a voice transcript after the text", () => {
    expect(buildQuery({ text: "Listen:", transcript: " Book a room for two. ", hasFiles: true })).toBe("Listen:\n\nBook a room for two.");
    expect(buildQuery({ text: "", transcript: "Just the voice note", hasFiles: true })).toBe("Just the voice note");
  });

  it("asks Dify to look at the files when there is no text", () => {
    expect(buildQuery({ text: "  ", hasFiles: true })).toBe(FILES_ONLY_QUESTION);
    expect(buildQuery({ text: "", transcript: "  ", hasFiles: true })).toBe(FILES_ONLY_QUESTION);
  });

  it("is empty when there is nothing to ask", () => {
    expect(buildQuery({ text: " ", hasFiles: false })).toBe("");
    expect(buildQuery({ text: "", hasFiles: false, context: "Earlier messages in this thread:\nAna: hi" })).toBe("");
  });

  it("puts thread context before the question", () => {
    expect(buildQuery({ text: "And Monday?", hasFiles: false, context: "Earlier messages in this thread:\nAna: Friday?" })).toBe(
      "Earlier messages in this thread:\nAna: Friday?\n\nQuestion: And Monday?",
    );
  });
});

describe("turnInputs", () => {
  const author = { userId: "U123", displayName: "Ana Lima" };

  it("passes the configured inputs through when the app declares no user inputs", () => {
    expect(turnInputs({ tone: "formal" }, [{ variable: "tone" }], author)).toEqual({ tone: "formal" });
  });

  it("fills user_name and user_id when the app declares them", () => {
    expect(turnInputs({ tone: "formal" }, [{ variable: "user_name" }, { variable: "user_id" }], author)).toEqual({
      tone: "formal",
      user_name: "Ana Lima",
      user_id: "U123",
    });
    expect(turnInputs({}, [{ variable: "user_id" }], author)).toEqual({ user_id: "U123" });
  });

  it("lets the real author win over a configured value", () => {
    expect(turnInputs({ user_name: "someone else" }, [{ variable: "user_name" }], author)).toEqual({ user_name: "Ana Lima" });
  });
});

describe("isNewConversationCommand", () => {
  it.each(["/new", "!new", "/reset", "!reset", "  /NEW  ", "!Reset\n"])("recognizes %j", (text) => {
    expect(isNewConversationCommand(text)).toBe(true);
  });

  it.each(["new", "reset", "/new please", "please /new", "/newer", "#new", ""])("ignores %j", (text) => {
    expect(isNewConversationCommand(text)).toBe(false);
  });
});
