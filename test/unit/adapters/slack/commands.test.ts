import { describe, expect, it } from "vitest";
import { commandIntent } from "../../../../adapters/slack/command-normalize.js";
import { isTrustedResponseUrl } from "../../../../adapters/slack/response-url.js";

describe("Slack command intents", () => {
  it("/ask with the private option, /ask-private and /ask are told apart; an empty question gets usage", () => {
    expect(commandIntent("/ask", "private  What is X?")).toEqual({ kind: "ask", question: "What is X?", isPrivate: true });
    expect(commandIntent("/ask", "private: What is X?")).toEqual({ kind: "ask", question: "What is X?", isPrivate: true });
    expect(commandIntent("/ask-private", "What is X?")).toEqual({ kind: "ask", question: "What is X?", isPrivate: true });
    expect(commandIntent("/ask", "privately speaking, what is X?")).toEqual({ kind: "ask", question: "privately speaking, what is X?", isPrivate: false });
    expect(commandIntent("/ask", "  ").kind).toBe("usage");
    expect(commandIntent("/ask", "private").kind).toBe("usage");
    expect(commandIntent("/new", "")).toEqual({ kind: "new", question: "" });
    expect(commandIntent("/new", " Start over ")).toEqual({ kind: "new", question: "Start over" });
  });
});

describe("response_url hosts", () => {
  it("only Slack's webhook host over https, or SLACK_API_URL's own origin when it is set", () => {
    expect(isTrustedResponseUrl("https://hooks.slack.com/commands/T1/2/abc", "https://slack.com/api", false)).toBe(true);
    expect(isTrustedResponseUrl("http://hooks.slack.com/commands/T1/2/abc", "https://slack.com/api", false)).toBe(false);
    expect(isTrustedResponseUrl("https://hooks.slack.com.evil.example/commands", "https://slack.com/api", false)).toBe(false);
    expect(isTrustedResponseUrl("http://127.0.0.1:9/commands/T1", "https://slack.com/api", false)).toBe(false);
    expect(isTrustedResponseUrl("http://127.0.0.1:9/commands/T1", "http://127.0.0.1:9/api", true)).toBe(true);
    expect(isTrustedResponseUrl("http://127.0.0.1:10/commands/T1", "http://127.0.0.1:9/api", true)).toBe(false);
    expect(isTrustedResponseUrl("not a url", "https://slack.com/api", false)).toBe(false);
  });
});
