import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Everything the bridge exports at /metrics. One instance per process, injected where counted. */
export class BridgeMetrics {
  readonly registry = new Registry();
  readonly messagesReceived = new Counter({
    name: "bridge_messages_received_total",
    help: "Messages accepted for an answer",
    labelNames: ["platform"],
    registers: [this.registry],
  });
  readonly eventsIgnored = new Counter({
    name: "bridge_events_ignored_total",
    help: "Inbound events dropped (duplicate, not for the bot, rate limited)",
    labelNames: ["platform", "reason"],
    registers: [this.registry],
  });
  readonly repliesCompleted = new Counter({
    name: "bridge_replies_completed_total",
    help: "Answers finished",
    labelNames: ["platform", "outcome"],
    registers: [this.registry],
  });
  readonly repliesFailed = new Counter({
    name: "bridge_replies_failed_total",
    help: "Answers that ended in an error",
    labelNames: ["platform", "code"],
    registers: [this.registry],
  });
  readonly ackSeconds = new Histogram({
    name: "bridge_ack_seconds",
    help: "Inbound event to visible acknowledgement (placeholder)",
    labelNames: ["platform"],
    buckets: [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5],
    registers: [this.registry],
  });
  readonly firstTokenSeconds = new Histogram({
    name: "bridge_first_visible_token_seconds",
    help: "Inbound event to the first answer text visible on the platform",
    labelNames: ["platform"],
    buckets: [0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 34],
    registers: [this.registry],
  });
  readonly platformCalls = new Counter({
    name: "bridge_platform_calls_total",
    help: "Message posts, edits and stream calls",
    labelNames: ["platform", "op"],
    registers: [this.registry],
  });
  readonly rateLimitHits = new Counter({
    name: "bridge_rate_limit_hits_total",
    help: "429 answers from a platform",
    labelNames: ["platform"],
    registers: [this.registry],
  });
  // Per Dify app. The label is an app id from the routes file (or "default"), never free text, so the set is
  // bounded by the configuration.
  readonly appAnswers = new Counter({
    name: "bridge_app_answers_total",
    help: "Answers finished, by the Dify app that answered",
    labelNames: ["app", "outcome"],
    registers: [this.registry],
  });
  readonly appFirstTokenSeconds = new Histogram({
    name: "bridge_app_first_visible_token_seconds",
    help: "Inbound event to the first answer text visible, by Dify app",
    labelNames: ["app"],
    buckets: [0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 34],
    registers: [this.registry],
  });
  readonly appFeedbackSent = new Counter({
    name: "bridge_app_feedback_sent_total",
    help: "Ratings sent to Dify, by the app that owns the message",
    labelNames: ["app"],
    registers: [this.registry],
  });
  readonly feedbackSent = new Counter({ name: "bridge_feedback_sent_total", help: "Ratings sent to Dify", labelNames: ["rating"], registers: [this.registry] });
  readonly eventsHeld = new Counter({
    name: "bridge_events_held_total",
    help: "Inbound events held in memory because Redis could not take them (platforms that do not redeliver)",
    labelNames: ["platform"],
    registers: [this.registry],
  });
  readonly eventsHeldNow = new Gauge({
    name: "bridge_events_held",
    help: "Inbound events held in memory right now, waiting for Redis",
    labelNames: ["platform"],
    registers: [this.registry],
  });
  readonly eventsDropped = new Counter({
    name: "bridge_events_dropped_total",
    help: "Held events given up on (buffer full, or Redis away too long); the person was told",
    labelNames: ["platform", "reason"],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({ name: "bridge_queue_depth", help: "Jobs waiting or delayed", labelNames: ["state"], registers: [this.registry] });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    // 5 ms event-loop sampling: fine enough to see a 20 ms p99 target, cheap enough to leave on.
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: "bridge_process_", eventLoopMonitoringPrecision: 5 });
  }
}
