import type { AppHome } from "../../src/contracts/chat-platform.js";
import { markdownToPlainText, type SlackBlock } from "./render.js";

/** Action ids of the Home tab's buttons: a starter question (its value is the question) and the reset. */
export const HOME_ACTION = { starterPrefix: "home_starter_", reset: "home_reset" } as const;
export const HOME_STARTER_PATTERN = /^home_starter_\d+$/;

/**
 * Block Kit limits of a Home tab (views.publish; Block Kit reference): 100 blocks per view, 25 elements per
 * actions block, header text 150, section text 3,000, button text 75 and value 2,000 characters.
 */
const LIMITS = { headerChars: 150, sectionChars: 3_000, buttonChars: 75, buttonValueChars: 2_000, contextChars: 3_000, starters: 20 } as const;

const HOW_TO_USE = [
  "*How to use me*",
  "• Mention me in a channel (`@me your question`): I answer in the thread, and replies there continue the conversation.",
  "• Send me a direct message: each message starts a conversation in its own thread.",
  "• `/ask <question>` answers in a new thread; `/ask private <question>` answers only to you.",
  "• Message menu ⋯ → *Ask … about this* asks about that message and its files.",
  "• Attach files or voice clips: they are sent with your question.",
].join("\n");

const escapeMrkdwn = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function cut(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join("")}…`;
}

const mrkdwn = (text: string, max = LIMITS.sectionChars) => ({ type: "mrkdwn", text: cut(text, max) });

/** The Home tab for one person: the Dify app, its opening statement and starter questions, how to use, reset. */
export function renderHomeView(home: AppHome): { type: "home"; blocks: SlackBlock[] } {
  const blocks: SlackBlock[] = [];
  if (home.notice) blocks.push({ type: "section", text: mrkdwn(escapeMrkdwn(home.notice)) });
  blocks.push({ type: "header", text: { type: "plain_text", text: cut(home.name, LIMITS.headerChars), emoji: true } });
  const about = home.description ? escapeMrkdwn(markdownToPlainText(home.description)) : "";
  if (home.icon?.kind === "image") {
    blocks.push({
      type: "context",
      elements: [{ type: "image", image_url: home.icon.url, alt_text: cut(home.name, 2_000) }, ...(about ? [mrkdwn(about, LIMITS.contextChars)] : [])],
    });
  } else if (home.icon || about) {
    const emoji = home.icon?.kind === "emoji" ? `${home.icon.emoji} ` : "";
    blocks.push({ type: "context", elements: [mrkdwn(`${emoji}${about}`.trim() || emoji.trim(), LIMITS.contextChars)] });
  }
  if (home.openingStatement) blocks.push({ type: "section", text: mrkdwn(escapeMrkdwn(markdownToPlainText(home.openingStatement))) });
  const starters = home.starterQuestions.slice(0, LIMITS.starters);
  if (starters.length > 0) {
    blocks.push({ type: "section", text: mrkdwn("*Try asking* (I answer in our DM):") });
    blocks.push({
      type: "actions",
      block_id: "home_starters",
      elements: starters.map((q, i) => ({
        type: "button",
        action_id: `${HOME_ACTION.starterPrefix}${i}`,
        text: { type: "plain_text", text: cut(q, LIMITS.buttonChars), emoji: true },
        value: cut(q, LIMITS.buttonValueChars),
      })),
    });
  }
  blocks.push({ type: "divider" }, { type: "section", text: mrkdwn(HOW_TO_USE) });
  blocks.push({
    type: "actions",
    block_id: "home_reset",
    elements: [{ type: "button", action_id: HOME_ACTION.reset, text: { type: "plain_text", text: "Start a new conversation" }, value: "reset" }],
  });
  blocks.push({ type: "context", elements: [mrkdwn("_Start a new conversation_ forgets what we said in our DM: your next message there starts fresh.")] });
  return { type: "home", blocks };
}
