import type { PlatformId } from "./messages.js";

/**
 * Where an adapter that is installed into many workspaces (Slack's OAuth installs) keeps each installation.
 * The core owns the storage (Redis, the store the bridge already has and persists); the adapter owns the
 * record's meaning and seals it before it gets here, so the core never holds a readable token.
 *
 * `id` is the adapter's own key for an installation (Slack: the team id, or the Enterprise org id of an
 * org-wide install). Records never expire: an installation lasts until the platform says it was removed.
 */
export interface InstallationVault {
  put(platform: PlatformId, id: string, sealed: string): Promise<void>;
  /** undefined when nothing is stored under `id`. */
  get(platform: PlatformId, id: string): Promise<string | undefined>;
  delete(platform: PlatformId, id: string): Promise<void>;
  /** Every stored id of the platform (doctor, operations). */
  list(platform: PlatformId): Promise<string[]>;
}
