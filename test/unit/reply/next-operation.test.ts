import { describe, expect, it } from "vitest";
import type { MessageRef } from "../../../src/contracts/messages.js";
import { nextOperation, type ReplyGoal, type ShownPart } from "../../../src/reply/next-operation.js";

const ref = (id: string): MessageRef => ({ platform: "slack", workspaceId: "T1", channelId: "C1", messageId: id });
const edited = (id: string, markdown: string): ShownPart => ({ ref: ref(id), shown: { markdown }, mode: "edit", appended: "" });
const native = (id: string, appended: string): ShownPart => ({ ref: ref(id), shown: { markdown: appended }, mode: "native", appended });
const goal = (desired: string[], patch: Partial<ReplyGoal> = {}): ReplyGoal => ({
  desired: desired.map((markdown) => ({ markdown })),
  desiredRaw: desired,
  isFinal: false,
  hasText: true,
  textShown: true,
  native: false,
  ...patch,
});

describe("nextOperation: the shown reply against the goal", () => {
  it("nothing to do when every message shows what it should", () => {
    expect(nextOperation([edited("m1", "Hello")], goal(["Hello"]))).toBeNull();
  });

  it("a growing last message is a routine edit; a message that stopped growing is not", () => {
    expect(nextOperation([edited("m1", "Hel")], goal(["Hello"]))).toEqual({
      kind: "edit",
      index: 0,
      content: { markdown: "Hello" },
      routine: true,
      showsText: true,
    });
    expect(nextOperation([edited("m1", "Part one, partly"), edited("m2", "Two")], goal(["Part one, whole", "Two"]))).toMatchObject({
      kind: "edit",
      index: 0,
      routine: false,
    });
    expect(nextOperation([edited("m1", "Hel")], goal(["Hello"], { isFinal: true }))).toMatchObject({ kind: "edit", routine: false });
  });

  it("a part past the length limit is posted", () => {
    expect(nextOperation([edited("m1", "One")], goal(["One", "Two"]))).toEqual({
      kind: "post",
      index: 1,
      content: { markdown: "Two" },
      routine: false,
      showsText: true,
    });
  });

  it("the first text waits for the stream mode, then starts a native stream or is an urgent edit", () => {
    const first = goal(["Hi"], { textShown: false, native: undefined });
    expect(nextOperation([edited("m1", "_Thinking…_")], first)).toBe("chooseMode");
    expect(nextOperation([edited("m1", "_Thinking…_")], { ...first, native: true })).toEqual({ kind: "nativeStart", content: { markdown: "Hi" } });
    expect(nextOperation([edited("m1", "_Thinking…_")], { ...first, native: false })).toMatchObject({ kind: "edit", routine: false });
  });

  it("a native stream gets appends while its text only grows, and is stopped when frozen or rewritten", () => {
    expect(nextOperation([native("m2", "Hel")], goal(["Hello"]))).toEqual({ kind: "append", index: 0, delta: "lo", content: { markdown: "Hello" } });
    expect(nextOperation([native("m2", "Hello")], goal(["Hello"]))).toBeNull();
    expect(nextOperation([native("m2", "Hello")], goal(["Hello"], { isFinal: true }))).toEqual({
      kind: "nativeStop",
      index: 0,
      content: { markdown: "Hello" },
    });
    expect(nextOperation([native("m2", "Hello")], goal(["Goodbye"]))).toMatchObject({ kind: "nativeStop", index: 0 });
  });

  it("a final reply shorter than what is shown deletes the extra messages, last first", () => {
    expect(nextOperation([edited("m1", "All"), edited("m2", "x"), edited("m3", "y")], goal(["All"], { isFinal: true }))).toEqual({ kind: "delete", index: 2 });
  });

  it("a message someone deleted (no ref) is posted again", () => {
    expect(nextOperation([{ ref: null, shown: { markdown: "Hi" }, mode: "edit", appended: "" }], goal(["Hi"]))).toMatchObject({ kind: "post", index: 0 });
  });
});
