/**
 * How long a download may take. One policy for every adapter.
 * @defaultValue deadlineMs 120_000 (a 30 MB voice note at 256 KB/s), idleTimeoutMs 30_000
 */
export interface DownloadTimeouts {
  /** From the first request to the last byte, redirects included. */
  readonly deadlineMs: number;
  /** With no byte arriving (connecting, waiting for headers, or mid-body) for this long, give up. */
  readonly idleTimeoutMs: number;
}

export const DEFAULT_DOWNLOAD_TIMEOUTS: DownloadTimeouts = Object.freeze({ deadlineMs: 120_000, idleTimeoutMs: 30_000 });

export interface DownloadClock {
  /** A byte arrived: the idle timer starts over. */
  touch(): void;
  stop(): void;
}

/**
 * Arms both timers; when one fires, `onExpire` gets a description of which. Plain timers held here, not
 * `AbortSignal.timeout()` combined through `AbortSignal.any()`: such a composed signal can lose its timer to
 * garbage collection and never fire (nodejs/node#57736), which is exactly the stalled download it guards.
 */
export function startDownloadClock(timeouts: DownloadTimeouts, onExpire: (why: string) => void): DownloadClock {
  const deadline = setTimeout(() => onExpire(`took longer than ${timeouts.deadlineMs} ms`), timeouts.deadlineMs);
  const idle = setTimeout(() => onExpire(`received nothing for ${timeouts.idleTimeoutMs} ms`), timeouts.idleTimeoutMs);
  return {
    touch: () => void idle.refresh(),
    stop: () => {
      clearTimeout(deadline);
      clearTimeout(idle);
    },
  };
}
