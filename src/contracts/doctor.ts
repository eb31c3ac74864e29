/** One line of `npm run doctor`: what was checked, how it went, and what to do when it failed. */
type CheckStatus = "pass" | "warn" | "fail";

export interface DoctorCheck {
  /** "Dify", "Redis", "Slack", "Discord", "Configuration". */
  readonly area: string;
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail?: string;
  /** For warn/fail: the fix, in a sentence a person can act on. */
  readonly fix?: string;
}
