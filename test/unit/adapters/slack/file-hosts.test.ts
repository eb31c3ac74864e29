import { describe, expect, it } from "vitest";
import { createFileHostPolicy, isPrivateAddress } from "../../../../adapters/slack/file-hosts.js";

describe("Slack file host policy", () => {
  const policy = createFileHostPolicy();

  it.each([
    ["https://files.slack.com/files-pri/T1-F1/download/a.png", true],
    ["https://files.slack-gov.com/files-pri/T1-F1/download/a.png", true],
    ["https://a.slack-edge.com/x.png", true],
    ["https://slack-files.com/T1-F1-abc", true],
    ["http://files.slack.com/files-pri/x", false],
    ["https://files.slack.com:8443/x", false],
    ["https://files.slack.com.evil.com/x", false],
    ["https://evilslack-edge.com/x", false],
    ["https://example.com/x", false],
  ])("%s trusted: %s", (url, expected) => {
    expect(policy.isTrusted(new URL(url))).toBe(expected);
  });

  it("also trusts the exact host of a custom SLACK_API_URL", () => {
    const custom = createFileHostPolicy("http://127.0.0.1:4567/api");
    expect(custom.isTrusted(new URL("http://127.0.0.1:4567/files-pri/x"))).toBe(true);
    expect(custom.isTrusted(new URL("http://127.0.0.1:4568/files-pri/x"))).toBe(false);
    expect(custom.isTrusted(new URL("https://127.0.0.1:4567/files-pri/x"))).toBe(false);
  });
});

describe("isPrivateAddress", () => {
  it.each([
    ["127.0.0.1", true],
    ["10.1.2.3", true],
    ["172.16.0.1", true],
    ["192.168.1.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["0.0.0.0", true],
    ["::1", true],
    ["[::1]", true],
    ["fd00::1", true],
    ["fe80::1", true],
    ["::ffff:127.0.0.1", true],
    ["8.8.8.8", false],
    ["2606:4700::1111", false],
    ["files.slack.com", false],
  ])("%s → %s", (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});
