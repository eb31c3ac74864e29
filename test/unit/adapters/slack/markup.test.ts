import { describe, expect, it } from "vitest";
import { mentionedUserIds, slackMarkupToMarkdown } from "../../../../adapters/slack/markup.js";

const md = (raw: string, userNames?: Record<string, string>) => slackMarkupToMarkdown(raw, { botUserId: "UBOT", ...(userNames ? { userNames } : {}) });

describe("slackMarkupToMarkdown", () => {
  it.each([
    ["<@UBOT> hello", "hello"],
    ["hello <@UBOT>, how are you", "hello, how are you"],
    ["ask <@U123> and <@W456|bob>", "ask @U123 and @bob"],
    ["see <#C123|general> or <#C999>", "see #general or #C999"],
    ["<!here> <!channel> <!everyone>", "@here @channel @everyone"],
    ["ping <!subteam^S1|@design> and <!subteam^S2>", "ping @design and @S2"],
    ["due <!date^1392734382^{date_short}|Feb 18, 2014>", "due Feb 18, 2014"],
    ["<https://example.com|Example> and <https://example.com/x>", "[Example](https://example.com) and https://example.com/x"],
    ["<https://ex.com/?a=1&amp;b=2|a &amp; b>", "[a & b](https://ex.com/?a=1&b=2)"],
    ["<https://same.com|https://same.com>", "https://same.com"],
    ["mail <mailto:a@b.com|a@b.com>", "mail a@b.com"],
    ["1 &lt; 2 &amp;&amp; 3 &gt; 2", "1 < 2 && 3 > 2"],
    ["*bold* _it_ ~gone~", "**bold** _it_ ~~gone~~"],
    ["* a list item\n* another", "* a list item\n* another"],
    ["2*3*4 stays", "2*3*4 stays"],
    ["`*code* &lt;x&gt;` and ```\n  *kept*  as is\n```", "`*code* <x>` and ```\n  *kept*  as is\n```"],
    ["&gt; quoted *line*", "> quoted **line**"],
  ])("%j → %j", (raw, expected) => {
    expect(md(raw)).toBe(expected);
  });

  it("uses known names for unlabelled mentions", () => {
    expect(md("thanks <@U123>", { U123: "Alice" })).toBe("thanks @Alice");
  });

  it("does not turn a typed &lt;…&gt; into a token", () => {
    expect(md("type &lt;@U123&gt; literally")).toBe("type <@U123> literally");
  });
});

describe("mentionedUserIds", () => {
  it("lists user mentions once each, labelled or not", () => {
    expect(mentionedUserIds("<@UBOT> <@U1> <@U1|x> <@W2> <#C3> <!here>")).toEqual(["UBOT", "U1", "W2"]);
  });
});
