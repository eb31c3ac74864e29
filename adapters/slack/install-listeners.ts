import type { App, Context } from "@slack/bolt";
import type { InboundSink } from "../../src/contracts/chat-platform.js";
import type { Logger } from "../../src/contracts/logger.js";
import type { VaultInstallationStore } from "./installation-store.js";

interface TokensRevokedEvent {
  readonly tokens?: { readonly oauth?: readonly string[]; readonly bot?: readonly string[] };
}

/**
 * The end of an installation: `app_uninstalled`, or `tokens_revoked` naming bot tokens (Slack sends both on an
 * uninstall; either alone is enough). Bolt delivers both without authorizing them (the tokens are gone). The
 * installation is deleted first, then the core is told to forget the workspace's state; a failure propagates
 * so Slack redelivers the event.
 */
export function registerInstallListeners(
  app: App,
  deps: { readonly store: VaultInstallationStore; readonly sink: InboundSink; readonly logger: Logger },
): void {
  const remove = async (bolt: Context, reason: string) => {
    const { teamId, enterpriseId, isEnterpriseInstall } = bolt;
    await deps.store.deleteInstallation({ teamId, enterpriseId, isEnterpriseInstall });
    deps.logger.info({ platform: "slack", workspace: teamId, enterprise: enterpriseId, reason }, "Slack installation removed");
    if (teamId !== undefined) await deps.sink({ kind: "workspace_removed", platform: "slack", workspaceId: teamId });
  };
  app.event("app_uninstalled", async ({ context }) => remove(context, "app_uninstalled"));
  app.event("tokens_revoked", async ({ event, context }) => {
    if (((event as TokensRevokedEvent).tokens?.bot ?? []).length > 0) await remove(context, "tokens_revoked");
  });
}
