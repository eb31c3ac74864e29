export { FakeDiscord, type FakeDiscordOptions, type InjectedFailure, type RecordedRequest } from "./fake-discord.js";
export { FAKE_IDS, FAKE_TOKEN } from "./ids.js";
export { IS_VOICE_MESSAGE, type AttachmentInput, type UserMessageInput } from "./user-events.js";
export { MESSAGE_CONTENT_INTENT, type IdentifyRecord } from "./gateway.js";
export { DEFAULT_FAKE_RATE_LIMITS, MESSAGE_BUCKET_HASH, type FakeRateLimits, type WindowLimit } from "./rate-limiter.js";
export type { FakeInteraction, InteractionCallbackRecord, InteractionFollowUpRecord } from "./rest-api.js";
export type { EditRecord, FakeAttachment, FakeChannel, StoredMessage } from "./world.js";
export type { CdnRequestRecord } from "./cdn.js";
