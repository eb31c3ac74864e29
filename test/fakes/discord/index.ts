export type { CdnRequestRecord } from "./cdn.js";
export { FakeDiscord, type FakeDiscordOptions, type InjectedFailure, type RecordedRequest } from "./fake-discord.js";
export { type IdentifyRecord, MESSAGE_CONTENT_INTENT } from "./gateway.js";
export { FAKE_IDS, FAKE_TOKEN } from "./ids.js";
export { DEFAULT_FAKE_RATE_LIMITS, type FakeRateLimits, MESSAGE_BUCKET_HASH, type WindowLimit } from "./rate-limiter.js";
export type { FakeInteraction, InteractionCallbackRecord, InteractionFollowUpRecord } from "./rest-api.js";
export { guildIdOnShard, type ShardKey, shardOf } from "./sharding.js";
export { type AttachmentInput, IS_VOICE_MESSAGE, type UserMessageInput } from "./user-events.js";
export type { EditRecord, FakeAttachment, FakeChannel, StoredMessage } from "./world.js";
