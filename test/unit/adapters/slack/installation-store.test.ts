import { randomBytes } from "node:crypto";
import type { Installation } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { VaultInstallationStore } from "../../../../adapters/slack/installation-store.js";
import { TokenSeal } from "../../../../adapters/slack/token-seal.js";
import type { InstallationVault } from "../../../../src/contracts/installations.js";
import type { Logger } from "../../../../src/contracts/logger.js";

/** The vault contract over a Map: what the store hands the core is all that is kept. */
function memoryVault(): InstallationVault & { readonly records: Map<string, string> } {
  const records = new Map<string, string>();
  return {
    records,
    put: async (_p, id, sealed) => void records.set(id, sealed),
    get: async (_p, id) => records.get(id),
    delete: async (_p, id) => void records.delete(id),
    list: async () => [...records.keys()],
  };
}

const quiet: Logger = {
  child: () => quiet,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  fatal: () => undefined,
};

const install = (teamId: string, token: string): Installation =>
  ({
    team: { id: teamId, name: teamId },
    enterprise: undefined,
    user: { id: "U1", token: undefined, scopes: undefined },
    bot: { token, scopes: [], id: "B1", userId: "UB" },
    isEnterpriseInstall: false,
  }) as Installation;

describe("VaultInstallationStore", () => {
  it("hands the vault only sealed records and reads them back", async () => {
    const vault = memoryVault();
    const store = new VaultInstallationStore(vault, new TokenSeal([randomBytes(32)]), quiet);
    await store.storeInstallation(install("T1", "xoxb-t1-secret"));
    expect(vault.records.get("T1")).not.toContain("xoxb");
    expect((await store.forWorkspace("T1"))?.bot?.token).toBe("xoxb-t1-secret");
  });

  it("rotation: a record sealed with the old key is sealed again with the new key when first read", async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const vault = memoryVault();
    await new VaultInstallationStore(vault, new TokenSeal([oldKey]), quiet).storeInstallation(install("T1", "xoxb-t1-secret"));
    const before = vault.records.get("T1");
    const rotating = new VaultInstallationStore(vault, new TokenSeal([newKey, oldKey]), quiet);
    expect((await rotating.forWorkspace("T1"))?.bot?.token).toBe("xoxb-t1-secret");
    expect(vault.records.get("T1")).not.toBe(before);
    // The old key can go now: the record opens with the new key alone.
    const afterRotation = new VaultInstallationStore(vault, new TokenSeal([newKey]), quiet);
    expect((await afterRotation.forWorkspace("T1"))?.bot?.token).toBe("xoxb-t1-secret");
  });

  it("a workspace of an org-wide install finds the org's installation through its pointer; deleting the org install removes it", async () => {
    const vault = memoryVault();
    const store = new VaultInstallationStore(vault, new TokenSeal([randomBytes(32)]), quiet);
    const org = { ...install("T0", "xoxb-org"), team: undefined, enterprise: { id: "E1", name: "Org" }, isEnterpriseInstall: true } as unknown as Installation;
    await store.storeInstallation(org);
    expect(await store.forWorkspace("T9")).toBeUndefined();
    await store.rememberOrgWorkspace("T9", "E1");
    expect((await store.forWorkspace("T9"))?.bot?.token).toBe("xoxb-org");
    expect(await store.installedIds()).toEqual(["E1"]);
    await store.deleteInstallation({ isEnterpriseInstall: true, enterpriseId: "E1", teamId: "T9" });
    expect(await store.forWorkspace("T9")).toBeUndefined();
  });
});
