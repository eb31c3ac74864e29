import type { ChatPlatform, PlatformPresence } from "../contracts/chat-platform.js";
import type { DoctorCheck } from "../contracts/doctor.js";
import type { Logger } from "../contracts/logger.js";
import type { DifyClient } from "../dify/dify-client.js";
import type { ActivitySnapshot } from "./activity-reader.js";

export interface DifyStatus {
  readonly reachable: boolean;
  readonly url: string;
  readonly version?: string;
  readonly app?: { readonly name: string; readonly mode: string; readonly description?: string };
  /** Why the app could not be read (the error's code). */
  readonly problem?: string;
  readonly checkedAt: number;
}

interface DoctorStatus {
  readonly checks: readonly DoctorCheck[];
  readonly ranAt: number | null;
  readonly running: boolean;
}

/** Everything the status page shows, as one JSON document (the page and the event stream send the same). */
export interface ConsoleStatus {
  readonly now: number;
  readonly role: string;
  readonly platforms: readonly ({ readonly id: string } & PlatformPresence)[];
  readonly dify: DifyStatus;
  readonly queue: Readonly<Record<string, number>>;
  readonly activity: ActivitySnapshot;
  readonly doctor: DoctorStatus;
}

export interface StatusSourceDeps {
  readonly role: string;
  readonly platforms: readonly ChatPlatform[];
  readonly dify: DifyClient;
  readonly difyUrl: string;
  readonly activity: () => Promise<ActivitySnapshot>;
  readonly queueCounts: () => Promise<Record<string, number>>;
  /** What `npm run doctor` reports, run in this process. */
  readonly doctor: () => Promise<DoctorCheck[]>;
  readonly logger: Logger;
}

/** Dify is asked about the app at most this often, however many pages are open. */
const DIFY_CHECK_MS = 30_000;

/**
 * Gathers the status page's data. Dify and the doctor are slow or remote, so their answers are cached: Dify for
 * half a minute, the doctor until someone asks for a new run (it calls every platform's API).
 */
export class StatusSource {
  private difyStatus: DifyStatus | undefined;
  private difyCheck: Promise<DifyStatus> | undefined;
  private doctorChecks: readonly DoctorCheck[] = [];
  private doctorRanAt: number | null = null;
  private doctorRun: Promise<void> | undefined;

  constructor(private readonly d: StatusSourceDeps) {}

  async snapshot(): Promise<ConsoleStatus> {
    if (this.doctorRanAt === null) void this.runDoctor();
    const [platforms, dify, queue, activity] = await Promise.all([this.platforms(), this.dify(), this.d.queueCounts().catch(() => ({})), this.d.activity()]);
    return {
      now: Date.now(),
      role: this.d.role,
      platforms,
      dify,
      queue,
      activity,
      doctor: { checks: this.doctorChecks, ranAt: this.doctorRanAt, running: this.doctorRun !== undefined },
    };
  }

  /** Runs the doctor again (one run at a time); resolves when it is done. */
  runDoctor(): Promise<void> {
    this.doctorRun ??= this.d
      .doctor()
      .then(
        (checks) => {
          this.doctorChecks = checks;
        },
        (err: unknown) => {
          this.d.logger.warn({ err }, "the console's doctor run failed");
          this.doctorChecks = [{ area: "Doctor", name: "run", status: "fail", detail: "the checks could not run; see the log" }];
        },
      )
      .finally(() => {
        this.doctorRanAt = Date.now();
        this.doctorRun = undefined;
      });
    return this.doctorRun;
  }

  private platforms(): Promise<ConsoleStatus["platforms"]> {
    return Promise.all(
      this.d.platforms.map(async (p) => {
        const presence = (await p.describe?.().catch(() => undefined)) ?? { connected: p.isReady(), workspaces: [] };
        return { id: p.id, ...presence };
      }),
    );
  }

  private async dify(): Promise<DifyStatus> {
    const cached = this.difyStatus;
    if (cached && Date.now() - cached.checkedAt < DIFY_CHECK_MS) return cached;
    this.difyCheck ??= this.checkDify().finally(() => {
      this.difyCheck = undefined;
    });
    this.difyStatus = await this.difyCheck;
    return this.difyStatus;
  }

  private async checkDify(): Promise<DifyStatus> {
    const url = this.d.difyUrl;
    const checkedAt = Date.now();
    let version: string | undefined;
    try {
      version = (await this.d.dify.getRoot()).serverVersion;
    } catch (err) {
      return { reachable: false, url, problem: codeOf(err), checkedAt };
    }
    try {
      const app = await this.d.dify.getInfo();
      return { reachable: true, url, ...(version ? { version } : {}), app, checkedAt };
    } catch (err) {
      return { reachable: true, url, ...(version ? { version } : {}), problem: codeOf(err), checkedAt };
    }
  }
}

const codeOf = (err: unknown): string => (typeof (err as { code?: unknown })?.code === "string" ? (err as { code: string }).code : "UNKNOWN");
