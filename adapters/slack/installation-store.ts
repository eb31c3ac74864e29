import type { Installation, InstallationQuery, InstallationStore } from "@slack/bolt";
import type { InstallationVault } from "../../src/contracts/installations.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { TokenSeal } from "./token-seal.js";

/** Decrypted installations are kept this long per process, so a busy stream does not decrypt on every call. */
const CACHE_MS = 30_000;

/** Vault id of an org-wide install's pointer from one of its workspaces (team id → enterprise id). */
const orgPointerId = (teamId: string) => `org-of:${teamId}`;

/**
 * Bolt's InstallationStore on the core's vault. One record per installation: the team id for a workspace
 * install, the enterprise id for an Enterprise Grid org-wide install. Each record (tokens included) is sealed
 * with SLACK_TOKEN_KEY before it leaves the process; Redis only ever holds ciphertext.
 *
 * Workspaces of an org-wide install are learned as events arrive from them (`rememberOrgWorkspace`), so outbound
 * calls, which know only the workspace, find the org's token, in any process.
 */
export class VaultInstallationStore implements InstallationStore {
  private readonly cache = new Map<string, { installation: Installation; until: number }>();

  constructor(
    private readonly vault: InstallationVault,
    private readonly seal: TokenSeal,
    private readonly logger: Logger,
  ) {}

  async storeInstallation(installation: Installation): Promise<void> {
    const id = installationId(installation.isEnterpriseInstall === true, installation.enterprise?.id, installation.team?.id);
    if (id === undefined) throw new Error("an installation without a team or enterprise id cannot be stored");
    await this.vault.put("slack", id, this.seal.seal(JSON.stringify(installation), id));
    this.cache.delete(id);
    this.logger.info(
      {
        platform: "slack",
        workspace: installation.team?.id,
        enterprise: installation.enterprise?.id,
        isEnterpriseInstall: installation.isEnterpriseInstall ?? false,
      },
      "Slack installation stored",
    );
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation> {
    const id = installationId(query.isEnterpriseInstall, query.enterpriseId, query.teamId);
    const found = id === undefined ? undefined : await this.read(id);
    if (found === undefined)
      throw new Error(`no Slack installation for ${query.isEnterpriseInstall ? `org ${query.enterpriseId}` : `workspace ${query.teamId}`}`);
    return found;
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    const id = installationId(query.isEnterpriseInstall, query.enterpriseId, query.teamId);
    if (id === undefined) return;
    this.cache.delete(id);
    await this.vault.delete("slack", id);
    if (query.teamId !== undefined) await this.vault.delete("slack", orgPointerId(query.teamId));
  }

  /** The installation that answers in `teamId`: its own, or the org-wide one it belongs to. */
  async forWorkspace(teamId: string): Promise<Installation | undefined> {
    const own = await this.read(teamId);
    if (own !== undefined) return own;
    const pointer = await this.vault.get("slack", orgPointerId(teamId));
    if (pointer === undefined) return undefined;
    const enterpriseId = this.seal.open(pointer, orgPointerId(teamId)).plaintext;
    return this.read(enterpriseId);
  }

  /** Records that `teamId` is answered by the org-wide install of `enterpriseId` (idempotent). */
  async rememberOrgWorkspace(teamId: string, enterpriseId: string): Promise<void> {
    await this.vault.put("slack", orgPointerId(teamId), this.seal.seal(enterpriseId, orgPointerId(teamId)));
  }

  /** Workspace (T…) and org (E…) ids with an installation, for doctor. */
  async installedIds(): Promise<string[]> {
    return (await this.vault.list("slack")).filter((id) => !id.startsWith("org-of:"));
  }

  private async read(id: string): Promise<Installation | undefined> {
    const cached = this.cache.get(id);
    if (cached && cached.until > Date.now()) return cached.installation;
    const sealed = await this.vault.get("slack", id);
    if (sealed === undefined) return undefined;
    const opened = this.seal.open(sealed, id);
    const installation = JSON.parse(opened.plaintext) as Installation;
    // Rotation: a record sealed with an older key is sealed again with the current one the first time it is read.
    if (opened.isStale) await this.vault.put("slack", id, this.seal.seal(opened.plaintext, id));
    this.cache.set(id, { installation, until: Date.now() + CACHE_MS });
    return installation;
  }
}

function installationId(isEnterpriseInstall: boolean, enterpriseId: string | undefined, teamId: string | undefined): string | undefined {
  return isEnterpriseInstall && enterpriseId !== undefined ? enterpriseId : teamId;
}
