import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import type { ParseResult } from "../contracts/config-schema.js";
import { crossCheck, type RoutesSpec, routesFileSchema, toRules } from "./routes-schema.js";

/**
 * Reads and validates the routes file (ROUTES_FILE). Never throws: every problem comes back as one
 * "ROUTES_FILE (path) apps.1.key_env: …" line, so a start lists them all with the other settings' problems and
 * a reload can log them and keep the routes it has. API keys come from the environment variables the file
 * names; their values never appear in a message.
 */
export function readRoutesFile(path: string, env: Record<string, string | undefined>): ParseResult<RoutesSpec> {
  const where = `ROUTES_FILE (${path})`;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    return { ok: false, issues: [`${where}: cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`] };
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { ok: false, issues: doc.errors.map((e) => `${where}: YAML ${(e.message.split("\n")[0] ?? "").replace(/:$/, "")}`) };
  }
  const raw: unknown = doc.toJS() ?? {};
  const parsed = routesFileSchema.safeParse(raw);
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => `${where} ${i.path.map(String).join(".") || "(file)"}: ${i.message}`);
  for (const p of crossCheck(raw)) issues.push(`${where} ${p.path}: ${p.message}`);
  for (const p of keyProblems(raw, env)) issues.push(`${where} ${p}`);
  if (!parsed.success || issues.length > 0) return { ok: false, issues };
  const apps = parsed.data.apps;
  return {
    ok: true,
    value: {
      apps: apps.map(({ key_env, ...rest }) => ({ ...rest, url: rest.url?.replace(/\/+$/, ""), keyEnv: key_env, apiKey: env[key_env] as string })),
      routes: toRules(parsed.data),
    },
  };
}

/** Every app's key variable must be set; checked on the raw entries so a malformed neighbour hides nothing. */
function keyProblems(raw: unknown, env: Record<string, string | undefined>): string[] {
  const apps = (raw as { apps?: unknown }).apps;
  if (!Array.isArray(apps)) return [];
  return apps.flatMap((app: { id?: unknown; key_env?: unknown } | null, i) => {
    const name = app?.key_env;
    if (typeof name !== "string" || name === "") return [];
    const value = env[name];
    if (value === undefined || value.trim() === "") return [`apps.${i}.key_env: ${name} is not set (it holds the API key of app "${String(app?.id)}")`];
    if (value !== value.trim()) return [`apps.${i}.key_env: ${name} has leading or trailing whitespace`];
    return [];
  });
}
