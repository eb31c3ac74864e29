import type { Installation } from "@slack/bolt";
import { WebClient } from "@slack/web-api";
import type { DoctorCheck } from "../../src/contracts/doctor.js";
import type { InstallationVault } from "../../src/contracts/installations.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { SlackConfig } from "./config.js";
import { VaultInstallationStore } from "./installation-store.js";
import { findMissingScopes } from "./scopes.js";
import { TokenSeal } from "./token-seal.js";

/** The doctor prints its own lines; the store's log lines would only repeat them. */
const SILENT: Logger = {
  child: () => SILENT,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  fatal: () => undefined,
};

/**
 * `npm run doctor` with OAuth installs: every installation in Redis opens with SLACK_TOKEN_KEY, its bot token
 * still works (auth.test) and was granted the manifest's scopes. One line per installation, named by its id.
 */
export async function checkInstallations(config: SlackConfig, vault: InstallationVault | undefined): Promise<DoctorCheck[]> {
  const area = "Slack";
  const oauth = config.oauth;
  if (oauth === undefined) return [];
  const head: DoctorCheck = { area, name: "OAuth installs", status: "pass", detail: `client ${oauth.clientId}; install at https://YOUR-HOST/slack/install` };
  if (vault === undefined) {
    return [{ ...head, status: "warn", detail: `${head.detail}; installations not checked (Redis unreachable)` }];
  }
  const store = new VaultInstallationStore(vault, new TokenSeal(oauth.tokenKeys), SILENT);
  let ids: string[];
  try {
    ids = await store.installedIds();
  } catch {
    return [{ ...head, status: "warn", detail: `${head.detail}; installations not checked (Redis unreachable)` }];
  }
  if (ids.length === 0) return [{ ...head, status: "warn", detail: `${head.detail}; no workspace has installed the app yet` }];
  const checks: DoctorCheck[] = [{ ...head, detail: `${head.detail}; ${ids.length} installation(s)` }];
  for (const id of ids) checks.push(await checkOne(config, store, id));
  return checks;
}

async function checkOne(config: SlackConfig, store: VaultInstallationStore, id: string): Promise<DoctorCheck> {
  const area = "Slack";
  const name = `installation ${id}`;
  let installation: Installation;
  try {
    const isOrg = id.startsWith("E");
    installation = await store.fetchInstallation({ isEnterpriseInstall: isOrg, teamId: isOrg ? undefined : id, enterpriseId: isOrg ? id : undefined });
  } catch (err) {
    return {
      area,
      name,
      status: "fail",
      detail: `cannot be opened: ${(err as Error).message}`,
      fix: "Put the key it was sealed with back into SLACK_TOKEN_KEY (after the current one), or have the workspace install the app again.",
    };
  }
  const token = installation.bot?.token;
  if (token === undefined) return { area, name, status: "fail", detail: "holds no bot token", fix: "Have the workspace install the app again." };
  try {
    const client = new WebClient(token, { slackApiUrl: `${config.apiUrl}/`, retryConfig: { retries: 0 }, timeout: 10_000, rejectRateLimitedCalls: true });
    const auth = await client.auth.test();
    const missing = findMissingScopes(auth.response_metadata?.scopes ?? installation.bot?.scopes ?? []);
    if (missing.length > 0) {
      return { area, name, status: "fail", detail: `missing scopes ${missing.join(", ")}`, fix: "Add them to the app, then have the workspace reinstall it." };
    }
    return { area, name, status: "pass", detail: `${installation.team?.name ?? installation.enterprise?.name ?? id}, bot ${installation.bot?.userId}` };
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    return {
      area,
      name,
      status: "fail",
      detail: code ? `auth.test answered ${code}` : `cannot reach ${config.apiUrl}`,
      fix: code
        ? "The token was revoked: the workspace must install the app again (or the installation is stale and can be removed)."
        : "Check network access to Slack.",
    };
  }
}
