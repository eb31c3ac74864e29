import { describe, expect, it } from "vitest";
import type { RetrieverResource } from "../../../src/dify/events.js";
import { type AnswerState, EMPTY_ANSWER } from "../../../src/reply/answer-accumulator.js";
import { answerMarkdown, buttonLabel, citationsOf, fileLinksIn, streamingView, type ViewSettings } from "../../../src/reply/answer-view.js";
import { createRandom, hasLoneSurrogate } from "./markdown-samples.js";

const SETTINGS: ViewSettings = { showProgress: true, showReasoning: false, difyOrigin: "https://dify.example" };
const state = (patch: Partial<AnswerState>): AnswerState => ({ ...EMPTY_ANSWER, ...patch });

describe("answerMarkdown", () => {
  it("is the answer itself when there is nothing else to show", () => {
    expect(answerMarkdown(state({ text: "Hello **there**" }), [], SETTINGS, true)).toBe("Hello **there**");
  });

  it("shows each note (a form answered mid-run) at its place in the text, after the preamble", () => {
    const s = state({
      text: "Draft ready. Reviewed. Published.",
      notes: [
        { at: 12, line: "📝 **Approval**: ✅ **Ana** chose **Approve**" },
        { at: 22, line: "📝 **Check**: ✅ **Bo** chose **Go**" },
      ],
    });
    expect(answerMarkdown(s, ["**Ana** asked again: go"], SETTINGS, true)).toBe(
      "**Ana** asked again: go\n\nDraft ready.\n\n📝 **Approval**: ✅ **Ana** chose **Approve**\n\nReviewed.\n\n📝 **Check**: ✅ **Bo** chose **Go**\n\nPublished.",
    );
    // While the rest streams, the note shows before any new text does.
    expect(answerMarkdown(state({ text: "Draft ready.", notes: [{ at: 12, line: "✅" }] }), [], SETTINGS, false)).toBe("Draft ready.\n\n✅");
  });

  it("puts preamble lines first, separated by blank lines", () => {
    const md = answerMarkdown(state({ text: "Answer." }), ["**Ana** asked: why?", "_Second line_"], SETTINGS, true);
    expect(md).toBe("**Ana** asked: why?\n\n_Second line_\n\nAnswer.");
  });

  it("hides reasoning unless it is turned on", () => {
    const s = state({ text: "<think>secret plan</think>Answer.", reasoning: "chunked thoughts" });
    expect(answerMarkdown(s, [], SETTINGS, true)).toBe("Answer.");
  });

  it("shows both kinds of reasoning as one quote between preamble and answer when turned on", () => {
    const s = state({ text: "<think>tagged\nsecond line</think>Answer.", reasoning: " chunked " });
    const md = answerMarkdown(s, ["Preamble"], { ...SETTINGS, showReasoning: true }, true);
    expect(md).toBe("Preamble\n\n> 💭 chunked\n> \n> tagged\n> second line\n\nAnswer.");
  });

  it("takes signed /files/ links out of the final answer (the files are attached instead), keeping a link's label", () => {
    const text = "See [the report](/files/abc/report.pdf?sign=x) and ![chart](https://dify.example/files/tools/c.png).";
    expect(answerMarkdown(state({ text }), [], SETTINGS, true)).toBe("See the report and .");
    expect(fileLinksIn(text, SETTINGS.difyOrigin)).toEqual(["/files/abc/report.pdf?sign=x", "https://dify.example/files/tools/c.png"]);
  });

  it("never shows a signed file link while streaming", () => {
    const text = "Look: ![chart](/files/tools/c.png?timestamp=1&nonce=n&sign=s) done";
    for (let n = 0; n <= text.length; n++) expect(answerMarkdown(state({ text: text.slice(0, n) }), [], SETTINGS, false)).not.toContain("/files/");
  });

  it("leaves absolute links and other relative links alone", () => {
    const text = "[a](https://elsewhere.example/files/x) [b](/docs/files/y) [c](files/z) /files/bare";
    expect(answerMarkdown(state({ text }), [], SETTINGS, true)).toBe(text);
  });

  it("shows nothing while streaming until the answer has text, even with a preamble", () => {
    expect(answerMarkdown(state({ text: "" }), ["Preamble"], SETTINGS, false)).toBe("");
    expect(answerMarkdown(state({ text: "<think>working" }), ["Preamble"], { ...SETTINGS, showReasoning: true }, false)).toBe("");
    expect(answerMarkdown(state({ text: "  \n" }), [], SETTINGS, false)).toBe("");
  });

  it("keeps the preamble in a final answer that has no text", () => {
    expect(answerMarkdown(state({ text: "" }), ["Preamble"], SETTINGS, true)).toBe("Preamble");
    expect(answerMarkdown(state({ text: "" }), [], SETTINGS, true)).toBe("");
  });

  it("holds back a link while it arrives, then shows a file link's label only", () => {
    const stream = (text: string) => answerMarkdown(state({ text }), [], SETTINGS, false);
    expect(stream("See [the chart]")).toBe("See ");
    expect(stream("See [the chart](/files/t")).toBe("See ");
    expect(stream("See [the chart](/files/t.png)")).toBe("See the chart");
    expect(stream("See [the docs](/docs)")).toBe("See [the docs](/docs)");
    expect(stream("Wow!")).toBe("Wow");
    expect(answerMarkdown(state({ text: "See [the chart](/fil" }), [], SETTINGS, true)).toBe("See [the chart](/fil");
  });

  it("only ever grows while streaming, ending as a prefix of the final answer", () => {
    const r = createRandom(11);
    const pieces = [
      "Here is the chart: ",
      "![chart](/files/tools/7f3c.png?timestamp=1712345678&nonce=abc&sign=xyz)",
      " and [the report](/files/abc/report.pdf)",
      " [docs](/docs/start)",
      " [ext](https://example.com/files/x)",
      " see [1] ",
      "<think>hidden</think>",
      " a < b ",
      "\n\n",
      "Done.",
    ];
    for (let k = 0; k < 60; k++) {
      const text = Array.from({ length: r.int(3, 10) }, () => r.pick(pieces)).join("");
      const preamble = r.chance(0.5) ? ["**Ana** asked: what?"] : [];
      const done = answerMarkdown(state({ text }), preamble, SETTINGS, true);
      let previous = "";
      for (let n = 0; n <= text.length; n++) {
        const shown = answerMarkdown(state({ text: text.slice(0, n) }), preamble, SETTINGS, false);
        expect(shown.startsWith(previous), `${JSON.stringify(text.slice(0, n))}: ${JSON.stringify(shown)} retracts ${JSON.stringify(previous)}`).toBe(true);
        expect(done.startsWith(shown), `${JSON.stringify(shown)} is not a prefix of ${JSON.stringify(done)}`).toBe(true);
        previous = shown;
      }
    }
  });

  it("holds back a half-arrived <think> tag while streaming but shows it in the final answer", () => {
    expect(answerMarkdown(state({ text: "Answer <thi" }), [], SETTINGS, false)).toBe("Answer ");
    expect(answerMarkdown(state({ text: "Answer <thi" }), [], SETTINGS, true)).toBe("Answer <thi");
  });
});

describe("streamingView", () => {
  it("carries the progress line only when progress is shown", () => {
    const s = state({ text: "", progress: "Searching the knowledge base…" });
    expect(streamingView(s, [], SETTINGS)).toEqual({ text: "", status: "Searching the knowledge base…" });
    expect(streamingView(s, [], { ...SETTINGS, showProgress: false })).toEqual({ text: "", status: undefined });
  });

  it("renders the streaming text", () => {
    expect(streamingView(state({ text: "Partial <thi" }), ["P"], SETTINGS).text).toBe("P\n\nPartial ");
  });
});

describe("citationsOf", () => {
  it("numbers citations from 1 in order, one per document", () => {
    const resources: RetrieverResource[] = [
      { documentName: "vacation.md", content: "Twenty   days\nper year." },
      { documentName: "remote.md", url: "https://wiki.example/remote", content: "Anywhere." },
      { documentName: "vacation.md", content: "Another segment." },
      { documentName: "  ", title: "Untitled?", content: "x" },
      { title: "From title" },
      { datasetName: "Handbook" },
      {},
    ];
    expect(citationsOf(resources)).toEqual([
      { index: 1, title: "vacation.md", snippet: "Twenty days per year." },
      { index: 2, title: "remote.md", url: "https://wiki.example/remote", snippet: "Anywhere." },
      { index: 3, title: "From title" },
      { index: 4, title: "Handbook" },
    ]);
  });

  it("is empty for no resources", () => {
    expect(citationsOf([])).toEqual([]);
  });

  it("keeps snippets to 200 characters without breaking an emoji", () => {
    const [long] = citationsOf([{ documentName: "d", content: "word ".repeat(100) }]);
    expect(long?.snippet?.length).toBeLessThanOrEqual(200);
    const [emoji] = citationsOf([{ documentName: "d", content: `a${"😀".repeat(150)}` }]);
    expect(emoji?.snippet?.length).toBeLessThanOrEqual(200);
    expect(hasLoneSurrogate(emoji?.snippet ?? "")).toBe(false);
  });
});

describe("buttonLabel", () => {
  it("collapses whitespace and keeps short labels", () => {
    expect(buttonLabel("  What is\n\tDify?  ")).toBe("What is Dify?");
  });

  it("keeps a 75-character label whole and shortens a longer one to 75 with an ellipsis", () => {
    const exact = "q".repeat(75);
    expect(buttonLabel(exact)).toBe(exact);
    const long = buttonLabel("q".repeat(76));
    expect(long).toHaveLength(75);
    expect(long.endsWith("…")).toBe(true);
  });

  it("never exceeds 75 characters nor breaks an emoji", () => {
    for (let n = 0; n < 120; n++) {
      for (const text of ["a".repeat(n), `a${"🚀".repeat(n)}`, "🚀".repeat(n), `${"word ".repeat(n)}`]) {
        const label = buttonLabel(text);
        expect(label.length, text).toBeLessThanOrEqual(75);
        expect(hasLoneSurrogate(label), text).toBe(false);
      }
    }
  });
});
