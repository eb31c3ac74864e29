import type { BudgetPlace, ChatPlatform } from "../contracts/chat-platform.js";
import type { Logger } from "../contracts/logger.js";
import type { BridgeMetrics } from "../observability/metrics.js";
import type { RateBudgetStore } from "../rate/rate-budget-store.js";
import { PlatformRoute } from "./platform-route.js";

export interface PlatformGatewayDeps {
  /** The budgets shared by every process (Redis). */
  readonly budgets: RateBudgetStore;
  readonly metrics: BridgeMetrics;
  readonly logger: Logger;
}

/**
 * The one way out to the platforms. One per process; hands out a `PlatformRoute` per answer or notice, through
 * which every outbound call spends its budget, honours 429s and is counted (see `PlatformRoute`).
 */
export class PlatformGateway {
  constructor(private readonly deps: PlatformGatewayDeps) {}

  /** Calls to `place` on `platform`; `logger` carries the caller's bindings (job, conversation). */
  to(platform: ChatPlatform, place: BudgetPlace, logger: Logger = this.deps.logger): PlatformRoute {
    return new PlatformRoute(platform, place, this.deps.budgets, this.deps.metrics, logger);
  }
}
