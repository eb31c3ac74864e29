/**
 * The time every fake stamps what it records with: milliseconds on the Unix epoch with sub-millisecond
 * resolution, the same clock in every fake of a process (Dify, Slack, Discord), so latencies measured across
 * them (first Dify byte → first platform call) are exact.
 */
export const fakeNowMs = (): number => performance.timeOrigin + performance.now();
