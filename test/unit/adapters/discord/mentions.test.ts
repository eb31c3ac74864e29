import { describe, expect, it } from "vitest";
import { type MentionNames, scanMentions } from "../../../../adapters/discord/mentions.js";

const names: MentionNames = {
  botUserId: "100",
  botRoleIds: new Set(["900"]),
  users: new Map([["200", "Bob"]]),
  roles: new Map([["901", "Support"]]),
  channels: new Map([["300", "general"]]),
};

describe("scanMentions", () => {
  it("strips both user-mention forms of the bot and keeps the words around them apart", () => {
    expect(scanMentions("<@100> hello", names)).toEqual({ mentionsBot: true, mentionsOthers: false, text: "hello" });
    expect(scanMentions("hey <@!100> what's up", names).text).toBe("hey what's up");
    expect(scanMentions("thanks <@100>", names).text).toBe("thanks");
    expect(scanMentions("<@100><@100> twice", names).text).toBe("twice");
  });

  it("strips the bot's managed role, but names other roles, users, channels, emoji and commands", () => {
    const scan = scanMentions("<@&900> ask <@200> and <@&901> in <#300> <:party:123> or </deploy:456>", names);
    expect(scan).toEqual({ mentionsBot: true, mentionsOthers: true, text: "ask @Bob and @Support in #general :party: or /deploy" });
  });

  it("never treats @everyone or @here as the bot", () => {
    expect(scanMentions("@everyone @here look", names)).toEqual({ mentionsBot: false, mentionsOthers: false, text: "@everyone @here look" });
  });

  it("keeps code indentation and line structure", () => {
    const text = "<@100>\n```py\n  if x:\n      y()\n```";
    expect(scanMentions(text, names).text).toBe("```py\n  if x:\n      y()\n```");
  });

  it("names unknown users generically", () => {
    expect(scanMentions("ping <@555>", names)).toEqual({ mentionsBot: false, mentionsOthers: true, text: "ping @user" });
  });
});
