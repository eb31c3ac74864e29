import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebPlatform } from "../../../adapters/web/web-platform.js";
import { createGate, scripts, steps } from "../../fakes/dify/index.js";
import { slackTs } from "../../fakes/slack/index.js";
import { captureLogger } from "../../support/capture-logger.js";
import { CONSOLE_TOKEN, ConsoleClient } from "../../support/console-client.js";
import { eventually, SlackE2E } from "../slack-e2e/slack-e2e-harness.js";

/** Debian's chromium (installed by .ci/run); playwright drives it over CDP, no browser download. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const DOCS = fileURLToPath(new URL("../../../docs/", import.meta.url));

describe("operator console and playground in a real browser (headless Chromium)", () => {
  let e: SlackE2E;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    const web = new WebPlatform({ logger: captureLogger([]) });
    e = await SlackE2E.start({ env: { CONSOLE_TOKEN }, slackEnv: { SLACK_STREAMING: "edit" }, alsoPlatforms: [web] });
    origin = `http://127.0.0.1:${e.h.bridge.httpPort}`;
    // Before the first turn: the bridge caches the app's parameters.
    e.dify.configure({ parameters: { ...e.dify.settings.parameters, suggested_questions_after_answer: { enabled: true } } });
    e.dify.setSuggestedQuestions([]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
    mkdirSync(DOCS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await e?.close();
  });

  async function loggedIn(path: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const res = await page.goto(`${origin}${path}?token=${CONSOLE_TOKEN}`);
    expect(res?.status()).toBe(200);
    // The token left the address bar with the redirect.
    expect(page.url()).toBe(`${origin}${path}`);
    return page;
  }

  it("refuses the pages without the token (401)", async () => {
    const page = await browser.newPage();
    for (const path of ["/console", "/console/queues", "/console/playground", "/console/api/status"]) {
      const res = await page.goto(`${origin}${path}`);
      expect(res?.status(), path).toBe(401);
    }
    await page.close();
  });

  it("status page: a Slack mention appears as an answer streaming, then as completed; an ignored event shows its reason", async () => {
    const page = await loggedIn("/console");
    const gate = createGate();
    e.dify.onChat(() => [steps.message("Working on it… "), steps.waitFor(gate), ...scripts.answer("Here is the answer.")]);
    const q = await e.mention({ channel: "C0SUPPORT", text: "why is the build red?" });
    const row = page.locator("#streams tr", { hasText: "C0SUPPORT" });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain("slack");
    await e.send(
      e.slack.payloads.envelope(
        e.slack.payloads.message({ channel: "C0SUPPORT", bot_id: "B0CI", subtype: "bot_message", text: "build failed", ts: slackTs() }),
      ),
    );
    await page.locator("#dropped tr", { hasText: "bot_author" }).waitFor({ timeout: 10_000 });
    await page.locator("#doctor tr").first().waitFor();
    await page.screenshot({ path: `${DOCS}console-status.png`, fullPage: true });

    gate.open();
    await e.waitForAnswer(q, /Here is the answer\./);
    await page.locator("#streams", { hasText: "no answer is streaming" }).waitFor({ timeout: 10_000 });
    expect(await page.locator("#answers-chart rect.bar").count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator("#latency-chart polyline").count()).toBe(1);
    expect(await page.locator("#dropped").textContent()).toContain("written by a bot or webhook");
    await page.close();
  });

  it("Bull Board lists the job of an answer in progress", async () => {
    const gate = createGate();
    e.dify.onChat(() => [steps.message("Queued… "), steps.waitFor(gate), ...scripts.answer("done")]);
    const q = await e.mention({ channel: "C0QUEUE", text: "show me the queue" });
    type Board = { queues: { name: string; jobs: { id: string; data: { message?: { conversationKey?: string } } }[] }[] };
    const api = new ConsoleClient(origin);
    const jobId = await eventually(async () => {
      const board = await api.json<Board>("/console/queues/api/queues?activeQueue=replies&status=active", { auth: { bearer: CONSOLE_TOKEN } });
      return board.queues.find((x) => x.name === "replies")?.jobs.find((j) => j.data.message?.conversationKey === q.conversationKey)?.id;
    });
    const page = await loggedIn("/console/queues");
    await page.goto(`${origin}/console/queues/queue/replies?status=active`);
    await page.getByText(jobId, { exact: false }).first().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: `${DOCS}console-queues.png` });
    gate.open();
    await e.waitForAnswer(q, /done/);
    await page.close();
  });

  it("playground: an answer streams in (two partial states seen), Stop stops the Dify task, a suggestion asks again in the same conversation, 👍 reaches Dify", async () => {
    const page = await loggedIn("/console/playground");
    const chatsBefore = e.dify.chatRequests.length;
    const streamsBefore = e.dify.streams.length;
    const answer = "The playground streams this answer a few words at a time, through the same core as Slack and Discord.";
    e.dify.setSuggestedQuestions(["What else can it do?"]);
    e.dify.onChatOnce(
      () => scripts.answer(answer, { chunkChars: 6, delayMs: 90 }),
      () => scripts.answer("It also handles files and feedback."),
      () => scripts.hang("Let me think about that for a long", { chunkChars: 8, delayMs: 20 }),
    );

    await page.fill("#question", "What does the playground do?");
    await page.click("#send");
    const partials = new Set<string>();
    const bot = page.locator(".msg.bot").first();
    await eventually(
      async () => {
        const text = (
          (await bot
            .locator("p")
            .allTextContents()
            .catch(() => [])) as string[]
        ).join("\n");
        if (text && text !== answer && answer.startsWith(text.replace(/…$/, "").trimEnd())) partials.add(text);
        return text === answer;
      },
      15_000,
      30,
    );
    expect(partials.size).toBeGreaterThanOrEqual(2);
    const firstConversation = e.dify.chatRequests[chatsBefore]?.chat;
    expect(firstConversation?.query).toBe("What does the playground do?");

    // 👍 on the answer: Dify gets a "like" for that message.
    const suggestion = page.getByRole("button", { name: "What else can it do?" });
    await suggestion.waitFor({ timeout: 10_000 });
    await bot.getByRole("button", { name: "👍" }).click();
    await eventually(() => e.dify.feedbackRequests.find((f) => f.rating === "like"));
    await page.screenshot({ path: `${DOCS}console-playground.png` });

    // The suggested question asks again, in the same Dify conversation.
    await suggestion.click();
    await page.locator(".msg.bot", { hasText: "It also handles files and feedback." }).waitFor({ timeout: 10_000 });
    const requests = e.dify.chatRequests;
    const last = requests[requests.length - 1]?.chat;
    expect(last?.query).toBe("What else can it do?");
    expect(last?.conversation_id).toBe(e.dify.streams[streamsBefore]?.conversationId);

    // Stop: a long answer is stopped; Dify's task gets the stop request and the reply says so.
    await page.fill("#question", "Tell me a very long story");
    await page.click("#send");
    const stop = page.getByRole("button", { name: "Stop" });
    await stop.waitFor({ timeout: 10_000 });
    await eventually(() => e.dify.streams.length >= streamsBefore + 3);
    await stop.click();
    const stopped = await eventually(() => e.dify.stopRequests.find((r) => r.taskId === e.dify.streams[streamsBefore + 2]?.taskId));
    expect(stopped.stoppedStream).toBe(true);
    await page.locator(".msg.bot", { hasText: "Stopped" }).waitFor({ timeout: 10_000 });

    await page.close();
  });
});
