import { z } from "zod";
import type { PlatformId } from "../contracts/messages.js";

/** The DIFY_API_URL / DIFY_API_KEY app. Routes may name it; the file may not redefine it. */
export const DEFAULT_APP_ID = "default";

/** Dify's file kinds (`type` of a file reference), the vocabulary of `file_types`. */
const FILE_TYPES = ["image", "document", "audio", "video", "custom"] as const;
export type DifyFileKind = (typeof FILE_TYPES)[number];

const appIdPattern = /^[a-z0-9][a-z0-9_-]{0,39}$/;

const appSchema = z.strictObject({
  id: z.string().regex(appIdPattern, "must be 1-40 lowercase letters, digits, '-' or '_' (it becomes a metrics label)"),
  url: z
    .string()
    .refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), "must be an http(s) URL")
    .optional(),
  key_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the name of an environment variable"),
  inputs: z.record(z.string(), z.unknown()).optional(),
  show_progress: z.boolean().optional(),
  show_reasoning: z.boolean().optional(),
  /** Slack's native streaming for this app's answers: `edit` never streams natively. */
  streaming: z.enum(["auto", "edit", "native"]).optional(),
  /** Dify file kinds this app is sent; others are named in a note and left out. Unset = whatever the app accepts. */
  file_types: z.array(z.enum(FILE_TYPES)).optional(),
  /** Answers this app streams at once per worker process; the rest wait their turn. */
  max_concurrent: z.number().int().min(1).optional(),
  /** Workflow / Text Generator apps: the input variable that takes the question (like DIFY_QUERY_INPUT). */
  query_input: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the name of one of the app's input variables")
    .optional(),
  /** Workflow apps: the output shown as the answer (like DIFY_ANSWER_OUTPUT). */
  answer_output: z.string().min(1).optional(),
});

const id = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);

const routeSchema = z
  .strictObject({
    app: z.string().min(1),
    platform: z.enum(["slack", "discord"]).optional(),
    workspace: id.optional(),
    guild: id.optional(),
    channel: id.optional(),
    dm: z.boolean().optional(),
  })
  .superRefine((r, ctx) => {
    if (r.workspace !== undefined && r.platform === "discord") ctx.addIssue({ code: "custom", message: "a Discord route names a guild, not a workspace" });
    if (r.guild !== undefined && r.platform === "slack") ctx.addIssue({ code: "custom", message: "a Slack route names a workspace, not a guild" });
    if (r.workspace !== undefined && r.guild !== undefined) ctx.addIssue({ code: "custom", message: "use workspace (Slack) or guild (Discord), not both" });
    if (r.dm === true && r.channel !== undefined) ctx.addIssue({ code: "custom", message: "a DM route cannot name a channel" });
  });

// An empty list in YAML (`routes:` with nothing under it) reads as null: the same as no entries.
const emptyIsNone = (v: unknown) => v ?? [];

export const routesFileSchema = z.strictObject({
  apps: z.preprocess(emptyIsNone, z.array(appSchema)),
  routes: z.preprocess(emptyIsNone, z.array(routeSchema)),
});

/**
 * The checks across entries (ids unique, routes naming declared apps), on the raw document: they run even when
 * some entry is malformed, so one start lists every problem rather than the first layer of them.
 */
export function crossCheck(raw: unknown): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const doc = (raw ?? {}) as { apps?: unknown; routes?: unknown };
  const apps = Array.isArray(doc.apps) ? (doc.apps as unknown[]) : [];
  const routes = Array.isArray(doc.routes) ? (doc.routes as unknown[]) : [];
  const seen = new Set<string>();
  apps.forEach((app, i) => {
    const id = (app as { id?: unknown } | null)?.id;
    if (typeof id !== "string") return;
    if (id === DEFAULT_APP_ID) problems.push({ path: `apps.${i}.id`, message: `"${DEFAULT_APP_ID}" is the DIFY_API_KEY app; choose another id` });
    else if (seen.has(id)) problems.push({ path: `apps.${i}.id`, message: `"${id}" is declared twice` });
    seen.add(id);
  });
  routes.forEach((route, i) => {
    const app = (route as { app?: unknown } | null)?.app;
    if (typeof app === "string" && app !== DEFAULT_APP_ID && !seen.has(app)) problems.push({ path: `routes.${i}.app`, message: `no app "${app}" in apps` });
  });
  return problems;
}

export type RoutesFile = z.output<typeof routesFileSchema>;
type AppEntry = RoutesFile["apps"][number];

/** One route as the table matches it: every field set must equal the message's. */
export interface RouteRule {
  readonly app: string;
  readonly platform?: PlatformId;
  readonly workspace?: string;
  readonly channel?: string;
  readonly dm?: boolean;
}

/** A validated routes file with every key read from the environment. */
export interface RoutesSpec {
  readonly apps: readonly (Omit<AppEntry, "key_env"> & { readonly keyEnv: string; readonly apiKey: string })[];
  readonly routes: readonly RouteRule[];
}

export function toRules(file: RoutesFile): RouteRule[] {
  return file.routes.map((r) => ({
    app: r.app,
    ...(r.platform ? { platform: r.platform } : {}),
    ...((r.workspace ?? r.guild) !== undefined ? { workspace: (r.workspace ?? r.guild) as string } : {}),
    ...(r.channel !== undefined ? { channel: r.channel } : {}),
    ...(r.dm !== undefined ? { dm: r.dm } : {}),
  }));
}
