/** The playground's limits in one table, so capabilities, the store and the page's API cannot drift apart. */
export const WEB_LIMITS = {
  /** What the core splits answers to. */
  messageChars: 8_000,
  /** What a message may hold: room for what the core appends after splitting (a stop line, a notice). */
  hardMessageChars: 9_000,
  /** Updates (posts, edits) per chat per second the store takes; the budget the core is given is lower. */
  updatesPerSecond: 30,
  /** The budget the core paces each chat's updates with. */
  budgetPerSecond: 20,
  maxUploadBytes: 10 * 1024 * 1024,
  /** A question's JSON body (text and base64 files). */
  maxRequestBytes: 15 * 1024 * 1024,
  messagesPerThread: 500,
  threadsKept: 200,
  keptFileBytes: 100 * 1024 * 1024,
  maxButtons: 5,
} as const;
