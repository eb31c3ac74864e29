import { describe, expect, it } from "vitest";
import { classifyHost } from "../../../../adapters/shared/download-policy.js";
import { slackDownloadPolicy } from "../../../../adapters/slack/file-hosts.js";

const config = { botToken: "xoxb-test", apiUrl: "https://slack.com/api", isCustomApiUrl: false };

describe("Slack download policy", () => {
  const policy = slackDownloadPolicy(config);

  it.each([
    ["https://files.slack.com/files-pri/T1-F1/download/a.png", "file-host"],
    ["https://files.slack-gov.com/files-pri/T1-F1/download/a.png", "file-host"],
    ["https://a.slack-edge.com/x.png", "file-host"],
    ["https://slack-files.com/T1-F1-abc", "file-host"],
    ["http://files.slack.com/files-pri/x", "other"],
    ["https://files.slack.com:8443/x", "other"],
    ["https://files.slack.com.evil.com/x", "other"],
    ["https://evilslack-edge.com/x", "other"],
    ["https://example.com/x", "other"],
    ["https://slack.com/api/x", "other"],
  ])("%s is %s", (url, expected) => {
    expect(classifyHost(policy, new URL(url))).toBe(expected);
  });

  it("also trusts the exact origin of a custom SLACK_API_URL, as the API host", () => {
    const custom = slackDownloadPolicy({ ...config, apiUrl: "http://127.0.0.1:4567/api", isCustomApiUrl: true });
    expect(classifyHost(custom, new URL("http://127.0.0.1:4567/files-pri/x"))).toBe("api");
    expect(classifyHost(custom, new URL("http://127.0.0.1:4568/files-pri/x"))).toBe("other");
    expect(classifyHost(custom, new URL("https://127.0.0.1:4567/files-pri/x"))).toBe("other");
  });

  it("sends the bot token (to its hosts only) and lets redirects leave for public hosts", () => {
    expect(policy.bearerToken).toBe("xoxb-test");
    expect(policy.redirects).toBe("any-public-host");
    expect(policy.htmlPageMeaning).toContain("files:read");
  });
});
