import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { Queue, UnrecoverableError, Worker } from "bullmq";
import { ConfigError, type CoreConfig } from "../config/config.js";
import { readActivity } from "../console/activity-reader.js";
import { RedisAnswerActivity } from "../console/activity-store.js";
import { ConsoleAuth } from "../console/console-auth.js";
import { createConsoleHandler, isConsolePath } from "../console/console-http.js";
import { createQueueBoard } from "../console/queue-board.js";
import { StatusSource } from "../console/status-source.js";
import type { ChatPlatform, HttpRoute } from "../contracts/chat-platform.js";
import type { DoctorCheck } from "../contracts/doctor.js";
import type { Logger } from "../contracts/logger.js";
import type { MessageRef, PlatformId } from "../contracts/messages.js";
import type { DifyClient } from "../dify/dify-client.js";
import { FeedbackService } from "../feedback/feedback-service.js";
import { PendingFormStore } from "../forms/pending-forms.js";
import { PlatformGateway } from "../gateway/platform-gateway.js";
import { AppHomeSource } from "../home/app-home-source.js";
import { HomeService } from "../home/home-service.js";
import { createHttpServer } from "../http/http-server.js";
import { Ingress } from "../ingress/ingress.js";
import type { RedisInstallationVault } from "../installations/redis-installation-vault.js";
import { forgetWorkspace } from "../installations/workspace-state.js";
import { createShutdown } from "../lifecycle/shutdown.js";
import { type AnswerActivity, failureReason, NO_ACTIVITY } from "../observability/answer-activity.js";
import { BridgeMetrics } from "../observability/metrics.js";
import type { BridgeJobData } from "../queue/job-types.js";
import { gateJobDataVersion } from "../queue/job-version.js";
import { ReplyQueue } from "../queue/reply-queue.js";
import { workerLockSettings } from "../queue/worker-locks.js";
import { BudgetLearning } from "../rate/budget-learning.js";
import { LoopLateness } from "../rate/loop-lateness.js";
import { RateBudgetStore } from "../rate/rate-budget-store.js";
import { RedisDurationStats } from "../rate/redis-duration-stats.js";
import { UserRateLimiter } from "../rate/user-rate-limiter.js";
import { INTERRUPTED_TEXT } from "../reply/user-text.js";
import { AppDirectory } from "../routing/app-directory.js";
import { placeOf } from "../routing/route-table.js";
import { RoutesReloader } from "../routing/routes-reloader.js";
import { ConversationLock } from "../state/conversation-lock.js";
import { ConversationStore } from "../state/conversation-store.js";
import { DedupeStore } from "../state/dedupe-store.js";
import { createRedisKeys, queuePrefix } from "../state/redis-keys.js";
import { RedisThreadLog } from "../state/redis-thread-log.js";
import { ReplyIndex } from "../state/reply-index.js";
import { ThreadFifo } from "../state/thread-fifo.js";
import { TurnStore } from "../state/turn-store.js";
import { ActionHandler } from "../turn/action-handler.js";
import { AssistantPane } from "../turn/assistant-pane.js";
import { PermanentTurnError } from "../turn/permanent-failure.js";
import { ReplyPipeline } from "../turn/reply-pipeline.js";
import { StopCoordinator } from "../turn/stop-coordinator.js";
import { createBridgeProcessor } from "../turn/turn-runner.js";
import { createProducedFileFetch } from "./produced-files.js";
import { needsHashTags } from "./redis-client.js";
import { openRedisConnections, type RedisConnections } from "./redis-connections.js";

const THREAD_LOG_TTL_MS = 7 * 86_400_000;

export interface BridgeOptions {
  readonly config: CoreConfig;
  readonly platforms: readonly ChatPlatform[];
  readonly logger: Logger & { flush?: () => void };
  /** Overrides `config.redisPrefix` (tests). */
  readonly redisPrefix?: string;
  /** @defaultValue "dify-bridge" */
  readonly queueName?: string;
  readonly metrics?: BridgeMetrics;
  /** Listen for HTTP at all (tests of the worker role may not need it). @defaultValue true */
  readonly http?: boolean;
  /** The vault handed to the adapters (Slack OAuth installs); bound to Redis at start, before the platforms start. */
  readonly installations?: RedisInstallationVault;
  /** What `npm run doctor` reports, for the console's status page. @defaultValue no checks */
  readonly doctor?: () => Promise<DoctorCheck[]>;
  /** Where the routes file's `key_env` names are looked up (main.ts: the environment it read). @defaultValue {} */
  readonly env?: Record<string, string | undefined>;
}

/**
 * The composition root as a reusable object: main.ts builds one from the environment, tests build one with
 * fake platforms. `start` opens everything the role needs; `shutdown` is the ordered graceful stop.
 */
export class Bridge {
  readonly metrics: BridgeMetrics;
  /** Every Dify app and the routes in force. */
  readonly apps: AppDirectory;
  private readonly routes: RoutesReloader | undefined;
  private redis: RedisConnections | undefined;
  private queue: Queue<BridgeJobData> | undefined;
  private ingress: Ingress | undefined;
  private worker: Worker<BridgeJobData> | undefined;
  private server: Server | undefined;
  /** With METRICS_PORT: /healthz, /readyz and /metrics, away from the public port. */
  private opsServer: Server | undefined;
  private stops: StopCoordinator | undefined;
  private gateway: PlatformGateway | undefined;
  private activity: AnswerActivity = NO_ACTIVITY;
  private consoleHandler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  private lateness: LoopLateness | undefined;
  private draining = false;
  private started = false;
  private readonly platforms: ReadonlyMap<PlatformId, ChatPlatform>;
  readonly shutdown: () => Promise<void>;

  constructor(private readonly o: BridgeOptions) {
    this.metrics = o.metrics ?? new BridgeMetrics();
    this.platforms = new Map(o.platforms.map((p) => [p.id, p]));
    this.apps = new AppDirectory(
      {
        apiUrl: o.config.dify.apiUrl,
        apiKey: o.config.dify.apiKey,
        inputs: o.config.dify.inputs,
        showProgress: o.config.showProgress,
        showReasoning: o.config.showReasoning,
        idleTimeoutMs: o.config.dify.idleTimeoutMs,
        queryInput: o.config.dify.queryInput,
        answerOutput: o.config.dify.answerOutput,
        // Each app's produced files come from its own Dify (its URL's origin) or DIFY_FILES_URL, nowhere else.
        fileFetchFor: (apiUrl) => createProducedFileFetch({ apiUrl, filesUrl: o.config.dify.filesUrl }),
      },
      o.logger,
    );
    this.routes = o.config.routesFile ? new RoutesReloader(o.config.routesFile, o.env ?? {}, this.apps, o.logger) : undefined;
    this.shutdown = createShutdown(
      [
        {
          name: "stop accepting",
          run: () => {
            this.draining = true;
          },
        },
        { name: "stop watching routes", run: () => this.routes?.close() },
        { name: "stop platform intake", run: async () => void (await Promise.allSettled(o.platforms.map((p) => p.stop()))) },
        { name: "give up on held events", run: () => this.ingress?.close() },
        { name: "finish answers in flight", run: () => this.drainWorker() },
        { name: "close queue", run: async () => void (await Promise.allSettled([this.queue?.close(), this.stops?.close()])) },
        { name: "close Redis", run: () => this.redis?.close() },
        { name: "stop measuring loop lateness", run: () => this.lateness?.stop() },
        { name: "close HTTP", run: () => this.closeHttp() },
        { name: "flush logs", run: () => o.logger.flush?.() },
      ],
      o.logger,
    );
  }

  /** The DIFY_* app's client. */
  get dify(): DifyClient {
    return this.apps.defaultApp.dify;
  }

  /**
   * Reads the routes file again (SIGHUP). Answers in flight keep the app they started with; a bad file keeps the
   * routes in force and logs why. False when nothing changed (no routes file, or a bad one).
   */
  reloadRoutes(reason = "SIGHUP"): boolean {
    return this.routes?.reload(reason) ?? false;
  }

  get role(): CoreConfig["role"] {
    return this.o.config.role;
  }

  /** The port the HTTP server listens on (useful when PORT is 0). */
  get httpPort(): number | undefined {
    return portOf(this.server);
  }

  /** The port health and metrics are served on: METRICS_PORT's server when set, else the one above. */
  get opsPort(): number | undefined {
    return this.opsServer ? portOf(this.opsServer) : this.httpPort;
  }

  async start(): Promise<void> {
    const { config, logger } = this.o;
    const runsWorker = config.role !== "ingress";
    const runsIngress = config.role !== "worker";
    if (this.routes) {
      const problems = this.routes.load();
      if (problems.length > 0) throw new ConfigError(problems);
      this.routes.watch();
    }
    // Chat app, Workflow or Text Generator: each app's type decides its endpoint and whether a thread keeps a conversation.
    if (runsWorker) this.apps.detectTypes();
    const redis = await openRedisConnections(config.redis, { worker: runsWorker });
    this.redis = redis;
    const keyOptions = { hashTags: needsHashTags(config.redis) };
    const prefix = this.o.redisPrefix ?? config.redisPrefix;
    const key = createRedisKeys(prefix, keyOptions);
    const bullPrefix = queuePrefix(prefix, keyOptions);
    this.o.installations?.bind(redis.commands, key);
    const ttl = config.conversationTtlMs;
    const queueName = this.o.queueName ?? "dify-bridge";
    const queue = new Queue<BridgeJobData>(queueName, { connection: redis.commands, prefix: bullPrefix });
    this.queue = queue;
    const fifo = new ThreadFifo(redis.commands, key, ttl);
    const replyQueue = new ReplyQueue(queue, fifo);
    const conversations = new ConversationStore(redis.commands, key, ttl);
    const turns = new TurnStore(redis.commands, key, ttl);
    const replies = new ReplyIndex(redis.commands, key, ttl);
    const forms = new PendingFormStore(redis.commands, key);
    // The budgets' safety margin follows how late this process's event loop runs.
    const lateness = new LoopLateness();
    this.lateness = lateness;
    const budgets = new RateBudgetStore(redis.commands, key, () => lateness.p99Ms);
    const gateway = new PlatformGateway({ budgets, metrics: this.metrics, logger });
    // What the platforms' answers say about their limits feeds the same budgets (every process, every call).
    const learning = new BudgetLearning(budgets, logger);
    for (const platform of this.platforms.values()) platform.onBudgetSignal?.((signal) => void learning.apply(signal));
    this.gateway = gateway;
    const stops = new StopCoordinator(redis.commands, runsWorker ? redis.subscriber : null, key, logger);
    this.stops = stops;
    await stops.start();
    // Every process records for the console when it is on: workers have the answers, ingress has the events.
    const activity = config.console.token ? new RedisAnswerActivity(redis.commands, key, logger) : undefined;
    this.activity = activity ?? NO_ACTIVITY;
    const feedback = new FeedbackService({
      redis: redis.commands,
      key,
      replies,
      apps: this.apps,
      queue: replyQueue,
      metrics: this.metrics,
      logger,
      ttlMs: ttl,
    });

    const pane = new AssistantPane({ redis: redis.commands, key, apps: this.apps, logger, ttlMs: ttl });
    // Thread messages the adapters see, for reading a thread's context cheaply later (a week covers the
    // threads people come back to; older ones are read from the platform).
    const threadLog = new RedisThreadLog(redis.commands, key, THREAD_LOG_TTL_MS);
    for (const p of this.o.platforms) p.useThreadLog?.(threadLog);

    if (runsWorker) {
      const locks = workerLockSettings(config.jobLockMs);
      const durations = new RedisDurationStats(redis.commands, key, logger);
      await durations.load();
      const pipeline = new ReplyPipeline({
        conversations,
        turns,
        replies,
        gateway,
        stops,
        durations,
        metrics: this.metrics,
        activity: this.activity,
        viewing: { input: config.dify.contextInput, of: (k) => pane.contextOf(k) },
        forms,
      });
      const processor = createBridgeProcessor({
        platforms: this.platforms,
        pipeline,
        apps: this.apps,
        feedback,
        fifo,
        lock: new ConversationLock(redis.commands, key),
        turns,
        gateway,
        metrics: this.metrics,
        queue,
        logger,
        lockTtlMs: locks.threadLockTtlMs,
        lockRenewMs: locks.threadLockRenewMs,
      });
      this.worker = new Worker<BridgeJobData>(queueName, gateJobDataVersion(processor, { logger }), {
        connection: redis.worker,
        prefix: bullPrefix,
        concurrency: config.workerConcurrency,
        // A worker that dies mid-answer loses its lock after this; another worker then recovers the job (see worker-locks.ts).
        lockDuration: locks.lockDuration,
        lockRenewTime: locks.lockRenewTime,
        stalledInterval: locks.stalledInterval,
        maxStalledCount: 3,
        autorun: false,
      });
      this.worker.on("failed", (job, err) => {
        const permanent = err instanceof PermanentTurnError ? { code: err.code, permanent: true, userNotified: err.userNotified } : {};
        logger.error({ err, jobId: job?.id, ...permanent }, "job failed");
        const final = job !== undefined && (err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1));
        if (final && job.data.kind === "reply" && job.data.placeholder?.ref) void this.markAbandoned(job.data.placeholder.ref, job.data.message.platform);
        if (final && job.data.kind === "reply") {
          const msg = job.data.message;
          const userText = job.data.placeholder ? INTERRUPTED_TEXT : "nothing: no reply could be posted";
          this.activity.failed({ platform: msg.platform, channelId: msg.replyTarget.channelId, userText, ...failureReason(err) });
        }
      });
      this.worker.on("error", (err) => logger.error({ err }, "worker error"));
    }

    const dedupe = new DedupeStore(redis.commands, key);
    const rateLimiter = new UserRateLimiter(redis.commands, key, config.userRateLimit);
    const actions = new ActionHandler({ turns, fifo, stops, queue: replyQueue, apps: this.apps, gateway, rateLimiter, dedupe, logger, forms });
    const ingress = new Ingress({
      dedupe,
      conversations,
      rateLimiter,
      queue: replyQueue,
      feedback,
      gateway,
      actions,
      pane,
      home: new HomeService({
        conversations,
        source: new AppHomeSource(logger),
        appFor: (prefix) => this.apps.resolve(placeOf(prefix, true)),
        logger,
      }),
      metrics: this.metrics,
      activity: this.activity,
      logger,
      appFor: (msg) => this.apps.resolve(placeOf(msg.conversationKey, msg.isDirectMessage)).id,
      outage: config.outageBuffer,
      forgetWorkspace: async (platform, workspaceId) => void (await forgetWorkspace(redis.commands, prefix, platform, workspaceId, logger)),
    });
    this.ingress = ingress;
    await Promise.all(this.o.platforms.map((p) => (runsIngress ? p.start(ingress.sinkFor(p), (actionId) => actions.dialogFor(actionId)) : p.start())));
    if (activity && config.console.token && runsIngress) this.consoleHandler = this.createConsole(config.console.token, queue, activity, redis.commands);
    if (this.worker) void this.worker.run().catch((err: unknown) => logger.error({ err }, "worker stopped"));
    if (this.o.http ?? true) await this.listen();
    this.started = true;
    logger.info({ role: config.role, platforms: [...this.platforms.keys()], port: this.httpPort, opsPort: this.opsPort }, "dify-bridge started");
  }

  private createConsole(token: string, queue: Queue<BridgeJobData>, activity: RedisAnswerActivity, redis: RedisConnections["commands"]) {
    const { config, logger } = this.o;
    const status = new StatusSource({
      role: config.role,
      platforms: this.o.platforms,
      dify: this.dify,
      difyUrl: config.dify.apiUrl,
      activity: () => readActivity(redis, activity.keys),
      queueCounts: () => queue.getJobCounts("waiting", "delayed", "active", "completed", "failed"),
      doctor: this.o.doctor ?? (async () => []),
      logger,
    });
    return createConsoleHandler({
      auth: new ConsoleAuth(token),
      status,
      queues: createQueueBoard(queue, { allowActions: config.console.queueActions }),
      routes: () => this.platformRoutes().filter((r) => isConsolePath(r.path)),
      logger: logger.child({ component: "console" }),
    });
  }

  private platformRoutes(): HttpRoute[] {
    return this.role === "worker" ? [] : this.o.platforms.flatMap((p) => p.httpRoutes ?? []);
  }

  private async listen(): Promise<void> {
    const { config, logger } = this.o;
    // The console has its own handler (authenticated); a platform route under /console is served through it.
    const routes = (): HttpRoute[] => this.platformRoutes().filter((r) => !isConsolePath(r.path));
    const ops = {
      isAlive: () => true,
      readiness: () => this.readiness(),
      metrics: async () => {
        await this.updateQueueDepth();
        return { contentType: this.metrics.registry.contentType, body: await this.metrics.registry.metrics() };
      },
      logger,
    };
    this.server = createHttpServer({ ...ops, routes, console: this.consoleHandler, ops: config.ops === undefined });
    await listenOn(this.server, config.port, undefined);
    if (config.ops !== undefined) {
      this.opsServer = createHttpServer({ ...ops, routes: () => [] });
      await listenOn(this.opsServer, config.ops.port, config.ops.host);
    }
  }

  async readiness(): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const redisOk =
      (await this.redis?.commands.ping().then(
        (p) => p === "PONG",
        () => false,
      )) ?? false;
    const checks: Record<string, boolean> = { redis: redisOk, draining: this.draining, started: this.started };
    for (const [id, p] of this.platforms) checks[id] = p.isReady();
    const ready = redisOk && this.started && !this.draining && [...this.platforms.values()].every((p) => p.isReady());
    return { ready, checks };
  }

  private async updateQueueDepth(): Promise<void> {
    if (!this.queue) return;
    const counts = await this.queue.getJobCounts("waiting", "delayed", "active").catch(() => undefined);
    if (counts) for (const [state, n] of Object.entries(counts)) this.metrics.queueDepth.labels(state).set(n);
  }

  /** Lets answers in flight finish for the grace period, then interrupts them (each reply is marked) and waits. */
  private async drainWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const closing = worker.close();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<"grace">((resolve) => {
      timer = setTimeout(() => resolve("grace"), this.o.config.shutdownGraceMs);
    });
    const first = await Promise.race([closing.then(() => "closed" as const), graceOver]);
    clearTimeout(timer);
    if (first === "grace") {
      this.o.logger.warn({ graceMs: this.o.config.shutdownGraceMs }, "grace period over: interrupting answers in flight");
      worker.cancelAllJobs("shutdown");
      await closing;
    }
  }

  /** A job BullMQ gave up on (its workers kept dying): its reply must not keep saying "Thinking…". */
  private async markAbandoned(ref: MessageRef, platformId: PlatformId): Promise<void> {
    const platform = this.platforms.get(platformId);
    if (!platform || !this.gateway) return;
    try {
      await this.gateway.to(platform, ref).mustLand("edit", () => platform.editMessage(ref, { markdown: INTERRUPTED_TEXT, buttons: [] }));
    } catch (err) {
      this.o.logger.warn({ err }, "could not mark an abandoned reply");
    }
  }

  private async closeHttp(): Promise<void> {
    await Promise.all([this.server, this.opsServer].map((server) => (server ? closeServer(server) : undefined)));
  }
}

function portOf(server: Server | undefined): number | undefined {
  const addr = server?.address();
  return addr && typeof addr === "object" ? addr.port : undefined;
}

function listenOn(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if (host === undefined) server.listen(port, () => resolve());
    else server.listen(port, host, () => resolve());
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
