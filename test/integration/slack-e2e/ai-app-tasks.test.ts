import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { type ChatStep, retrieverResource, steps } from "../../fakes/dify/index.js";
import { isNativeStream, SlackE2E } from "./slack-e2e-harness.js";

const ANSWER = "You get twenty days of paid leave, requested in the HR portal.";

/** A Chatflow: start, a knowledge retrieval, an LLM and a code node (three that matter), then answer and end. */
function chatflow(): ChatStep[] {
  const node = (nodeType: string, title: string, index: number) => ({ executionId: randomUUID(), nodeId: `17180000000${index}`, nodeType, title, index });
  const start = node("start", "Start", 1);
  const kr = node("knowledge-retrieval", "Search the handbook", 2);
  const llm = node("llm", "Write the answer", 3);
  const code = node("code", "Format", 4);
  const answer = node("answer", "Answer", 5);
  const resources = [
    retrieverResource({ documentName: "vacation.md", url: "https://wiki.example/vacation" }),
    retrieverResource({ position: 2, documentName: "hr-portal.md", url: "https://wiki.example/hr-portal" }),
  ];
  return [
    steps.workflowStarted(),
    steps.nodeStarted(start),
    steps.nodeFinished(start),
    steps.nodeStarted(kr),
    steps.delay(150),
    steps.nodeFinished(kr, { outputs: { result: [] } }),
    steps.nodeStarted(llm),
    steps.delay(150),
    steps.message(ANSWER.slice(0, 20), { from_variable_selector: [llm.nodeId, "text"] }),
    steps.delay(60),
    steps.message(ANSWER.slice(20), { from_variable_selector: [llm.nodeId, "text"] }),
    steps.nodeFinished(llm, { outputs: { text: ANSWER } }),
    steps.nodeStarted(code),
    steps.nodeFinished(code, { outputs: {} }),
    steps.nodeStarted(answer),
    steps.nodeFinished(answer, { outputs: { answer: ANSWER } }),
    steps.workflowFinished({ status: "succeeded", outputs: { answer: ANSWER } }),
    steps.event({ event: "message_end", metadata: { retriever_resources: resources, usage: {} }, files: [] }),
  ];
}

describe("Slack AI app: Dify's workflow steps as task cards in the native stream", () => {
  let e: SlackE2E;
  afterEach(async () => e?.close());

  it("three nodes and a knowledge retrieval show as three task cards, updated live, ending complete, with the documents as sources", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_AI_APP: "true", SLACK_STREAMING: "native" }, dify: { mode: "advanced-chat" } });
    e.dify.onChat(() => chatflow());
    const q = await e.mention({ text: "How much leave do I get?" });
    const [reply, ...others] = await e.waitForAnswer(q, ANSWER);
    expect(others).toHaveLength(0);
    if (!reply) throw new Error("no reply");
    expect(isNativeStream(reply)).toBe(true);
    expect(e.botMessagesEver(q)).toHaveLength(1);

    // The plan is named after the app; the cards are the three nodes that mean something, in order.
    expect(reply.plan).toBe("Team Assistant");
    expect(reply.tasks.map((t) => [t.title, t.status])).toEqual([
      ["Search the handbook", "complete"],
      ["Write the answer", "complete"],
      ["Format", "complete"],
    ]);
    // Live: the retrieval was shown in progress before it was shown complete.
    const retrievalUpdates = reply.taskUpdates.filter((t) => t.title === "Search the handbook").map((t) => t.status);
    expect(retrievalUpdates[0]).toBe("in_progress");
    expect(retrievalUpdates.at(-1)).toBe("complete");
    expect(e.slack.callsTo("chat.startStream")[0]?.args).toMatchObject({ task_display_mode: "plan" });
    // The retrieved documents are the retrieval's sources.
    const retrieval = reply.tasks[0];
    expect(retrieval?.sources).toEqual([
      { type: "url", url: "https://wiki.example/vacation", text: "vacation.md" },
      { type: "url", url: "https://wiki.example/hr-portal", text: "hr-portal.md" },
    ]);
    expect(retrieval?.details).toBe("Found vacation.md, hr-portal.md");
    expect(reply.markdown).toBe(ANSWER);
  });

  it("SHOW_PROGRESS=false streams the answer without task cards", async () => {
    e = await SlackE2E.start({
      slackEnv: { SLACK_AI_APP: "true", SLACK_STREAMING: "native" },
      dify: { mode: "advanced-chat" },
      env: { SHOW_PROGRESS: "false" },
    });
    e.dify.onChat(() => chatflow());
    const q = await e.mention({ text: "How much leave do I get?" });
    const [reply] = await e.waitForAnswer(q, ANSWER);
    expect(reply && isNativeStream(reply)).toBe(true);
    expect(reply?.tasks).toEqual([]);
    expect(reply?.plan).toBeUndefined();
    expect(e.slack.calls.some((c) => c.args.chunks !== undefined)).toBe(false);
  });

  it("the edit path keeps the progress line as text and sends no cards", async () => {
    e = await SlackE2E.start({ slackEnv: { SLACK_AI_APP: "true", SLACK_STREAMING: "edit" }, dify: { mode: "advanced-chat" } });
    e.dify.onChat(() => chatflow());
    const q = await e.mention({ text: "How much leave do I get?" });
    const [reply] = await e.waitForAnswer(q, ANSWER);
    expect(reply?.revisions.some((r) => r.markdown === "_Searching the knowledge base…_")).toBe(true);
    expect(e.slack.calls.some((c) => c.args.chunks !== undefined)).toBe(false);
  });
});
