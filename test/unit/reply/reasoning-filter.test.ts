import { describe, expect, it } from "vitest";
import { separateReasoning } from "../../../src/reply/reasoning-filter.js";
import { createRandom, type Random } from "./markdown-samples.js";

const streaming = (raw: string) => separateReasoning(raw, { final: false });
const final = (raw: string) => separateReasoning(raw, { final: true });

describe("separateReasoning", () => {
  it("passes an answer without reasoning through", () => {
    expect(final("Just the answer.")).toEqual({ answer: "Just the answer.", reasoning: "" });
    expect(streaming("Just the answer.")).toEqual({ answer: "Just the answer.", reasoning: "" });
  });

  it("moves a <think> block out of the answer into the reasoning", () => {
    expect(final("<think>\nThe user wants a greeting.\n</think>\n\nHello!")).toEqual({ answer: "Hello!", reasoning: "The user wants a greeting." });
  });

  it("matches the tags in any case", () => {
    expect(final("<THINK>hmm</Think>Answer")).toEqual({ answer: "Answer", reasoning: "hmm" });
  });

  it("moves the older <details><summary>Thinking...</summary> form out of the answer", () => {
    const raw = '<details style="color:gray" open> <summary> Thinking... </summary>Step one.\nStep two.</details>\n\nThe result is 4.';
    expect(final(raw)).toEqual({ answer: "The result is 4.", reasoning: "Step one.\nStep two." });
  });

  it("keeps a <details> block that is not a reasoning block", () => {
    const raw = "See below.\n<details><summary>Full log</summary>line 1</details>";
    expect(final(raw).answer).toBe(raw);
  });

  it("handles several blocks and keeps the text between them", () => {
    const raw = "<think>a</think>First. <think>b</think>Second.";
    expect(final(raw)).toEqual({ answer: "First. Second.", reasoning: "ab" });
  });

  it("hides everything after an unclosed block while streaming", () => {
    expect(streaming("Intro <think>still thinking about the answer")).toEqual({ answer: "Intro ", reasoning: "still thinking about the answer" });
    expect(streaming("<think>still thinking").answer).toBe("");
  });

  it("treats a block the model never closed as reasoning in the final answer too", () => {
    expect(final("Intro <think>never closed")).toEqual({ answer: "Intro ", reasoning: "never closed" });
  });

  it("holds back a trailing partial opener while streaming and keeps it when final", () => {
    for (const tail of ["<", "<t", "<thi", "<think", "<THIN", "<d", "<details"]) {
      expect(streaming(`Answer ${tail}`).answer, tail).toBe("Answer ");
      expect(final(`Answer ${tail}`).answer, tail).toBe(`Answer ${tail}`);
    }
  });

  it("shows a '<' that cannot start a reasoning block", () => {
    expect(streaming("if a <b").answer).toBe("if a <b");
    expect(streaming("x <= y").answer).toBe("x <= y");
    expect(streaming("use <thinking> tags").answer).toBe("use <thinking> tags");
  });

  it("holds back a reasoning <details> opener that is still arriving", () => {
    for (const partial of [
      "<details>",
      "<details open>",
      '<details style="color:gray">\n',
      "<details>\n<summ",
      "<details><summary>",
      "<details><summary> Think",
      "<details><summary>Thinking..",
      "<details><summary>Thinking...</summ",
    ]) {
      expect(streaming(`Answer ${partial}`).answer, partial).toBe("Answer ");
    }
    expect(streaming("Answer <details><summary>Sources</summary>").answer).toBe("Answer <details><summary>Sources</summary>");
  });

  it("drops whitespace before the answer", () => {
    expect(final("<think>x</think>\n\n  Answer").answer).toBe("Answer");
  });

  describe("while streaming", () => {
    function segment(r: Random): string {
      const roll = r.next();
      if (roll < 0.3)
        return r.pick(["Hello ", "the answer is ", "2 < 3 and 5 > 4 ", "<b>bold</b> ", "a<br>b ", "x <= y ", "<thinking> ", "<detail> ", "\n\n", "`<think>` "]);
      if (roll < 0.45) return `<think>${r.pick(["", "\n", "reasoning ", "a < b "])}${r.pick(["more", "steps"])}</think>`;
      if (roll < 0.55) {
        const attrs = r.pick(["", " open", ' style="color:gray;background-color: #f8f8f8;padding: 8px;border-radius: 4px;"']);
        return `<details${attrs}>${r.pick(["", "\n", " "])}<summary>${r.pick(["", " "])}Thinking${r.pick(["", "...", "."])}${r.pick(["", " "])}</summary>${r.pick(["idea", "plan\nsteps"])}</details>`;
      }
      if (roll < 0.65) return `<details><summary>${r.pick(["Sources", "Think about it", "Thinking hard"])}</summary>body</details>`;
      return r.pick(["Dify ", "streams ", "answers. ", "日本語 ", "🎉 "]);
    }

    it("only ever grows the visible answer, and ends as a prefix of the final answer", () => {
      let checkedPrefixes = 0;
      for (let seed = 1; seed <= 150; seed++) {
        const r = createRandom(seed);
        let raw = Array.from({ length: r.int(2, 10) }, () => segment(r)).join("");
        if (r.chance(0.2)) raw += r.pick(["<think>unfinished", "<details><summary>Thinking...</summary>unfinished"]);
        const done = final(raw).answer;
        let previous = "";
        for (let n = 0; n <= raw.length; n++) {
          const visible = streaming(raw.slice(0, n)).answer;
          expect(
            visible.startsWith(previous),
            `seed ${seed}: after ${JSON.stringify(raw.slice(0, n))} the answer ${JSON.stringify(visible)} retracts ${JSON.stringify(previous)}`,
          ).toBe(true);
          expect(done.startsWith(visible), `seed ${seed}: streamed ${JSON.stringify(visible)} is not a prefix of the final ${JSON.stringify(done)}`).toBe(true);
          previous = visible;
          checkedPrefixes++;
        }
      }
      expect(checkedPrefixes).toBeGreaterThan(10_000);
    });
  });
});
