import { describe, expect, it } from "vitest";
import type { FeedbackJobData } from "../../../src/queue/job-types.js";
import { JOB_DATA_VERSION, jobDataVersion, upgradeJobData, withJobDataVersion } from "../../../src/queue/job-version.js";

const feedback: FeedbackJobData = { kind: "feedback", difyMessageId: "m1", difyUser: "u1" };

describe("job data versions", () => {
  it("reads the version a job was written with; jobs from before versions are version 1", () => {
    expect(jobDataVersion({})).toBe(1);
    expect(jobDataVersion({ v: 3 })).toBe(3);
    for (const v of ["2", 0, -1, 1.5, null]) expect(jobDataVersion({ v })).toBe(1);
  });

  it("producers stamp today's version", () => {
    expect(withJobDataVersion(feedback)).toEqual({ ...feedback, v: JOB_DATA_VERSION });
  });

  it("upgrades the previous shape step by step and keeps every field", () => {
    expect(upgradeJobData(feedback)).toEqual({ ...feedback, v: JOB_DATA_VERSION });
    expect(upgradeJobData({ ...feedback, v: JOB_DATA_VERSION })).toEqual({ ...feedback, v: JOB_DATA_VERSION });
  });

  it("refuses to guess at a newer shape", () => {
    expect(() => upgradeJobData({ ...feedback, v: JOB_DATA_VERSION + 1 })).toThrow(/newer/);
  });
});
