import { loadEnvironment } from "../config/environment.js";
import type { DoctorCheck } from "../contracts/doctor.js";
import { runDoctorChecks } from "./doctor-checks.js";

/**
 * `npm run doctor`: checks the configuration and every dependency the way the service will use them, prints a
 * pass/fail list with the fix for each problem, and exits non-zero when something is wrong.
 */

const env = loadEnvironment();
const color = process.stdout.isTTY && !env.NO_COLOR;
const paint = (code: number, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
const MARK = { pass: paint(32, "✓"), warn: paint(33, "!"), fail: paint(31, "✗") } as const;

function print(check: DoctorCheck): void {
  const detail = check.detail ? ` — ${check.detail}` : "";
  process.stdout.write(`${MARK[check.status]} ${check.area}: ${check.name}${detail}\n`);
  if (check.fix && check.status !== "pass") process.stdout.write(`    fix: ${check.fix}\n`);
}

const checks = await runDoctorChecks(env, print);
const failed = checks.filter((c) => c.status === "fail").length;
const warned = checks.filter((c) => c.status === "warn").length;
process.stdout.write(`\n${failed === 0 ? paint(32, "All checks passed") : paint(31, `${failed} check(s) failed`)}${warned ? `, ${warned} warning(s)` : ""}.\n`);
process.exit(failed === 0 ? 0 : 1);
