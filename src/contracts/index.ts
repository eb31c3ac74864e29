export type * from "./actions.js";
export type * from "./chat-platform.js";
export * from "./config-schema.js";
export type * from "./doctor.js";
export * from "./errors.js";
export type * from "./logger.js";
export type * from "./messages.js";
export type * from "./reactions.js";
