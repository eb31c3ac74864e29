import { z } from "zod";

// Lives in contracts/ because the adapters parse their own settings (adapters/*/config.ts) with the same rules.

/**
 * Small zod helpers shared by every config schema. Values from the environment are strings; these turn them
 * into typed values with messages that never echo the value (it may be a secret).
 */

export const envBoolean = (defaultValue: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no", "on", "off", ""])
    .optional()
    .transform((v) => (v === undefined || v === "" ? defaultValue : ["true", "1", "yes", "on"].includes(v)));

export const envInt = (defaultValue: number, min = 0) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return defaultValue;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) {
        ctx.addIssue({ code: "custom", message: `must be an integer >= ${min}` });
        return z.NEVER;
      }
      return n;
    });

export const envUrl = (defaultValue?: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const raw = v === undefined || v.trim() === "" ? defaultValue : v.trim();
      if (raw === undefined) return undefined;
      try {
        const url = new URL(raw);
        if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("protocol");
        return raw.replace(/\/+$/, "");
      } catch {
        ctx.addIssue({ code: "custom", message: "must be an http(s) URL" });
        return z.NEVER;
      }
    });

export const envList = () =>
  z
    .string()
    .optional()
    .transform((v) =>
      (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    );

/** A secret: required, non-empty, no surrounding whitespace (Dify rejects keys with trailing spaces). */
export const envSecret = () =>
  z
    .string({ error: "is required" })
    .transform((v, ctx) => {
      if (v.trim() === "") {
        ctx.addIssue({ code: "custom", message: "is required" });
        return z.NEVER;
      }
      if (v !== v.trim()) {
        ctx.addIssue({ code: "custom", message: "has leading or trailing whitespace" });
        return z.NEVER;
      }
      return v;
    });

export const optionalSecret = () =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return undefined;
      if (v !== v.trim()) {
        ctx.addIssue({ code: "custom", message: "has leading or trailing whitespace" });
        return z.NEVER;
      }
      return v;
    });

/** Turns zod issues into "VAR_NAME: problem" lines. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join(".") || "(config)";
    return `${path}: ${issue.message}`;
  });
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: string[] };

export function parseWith<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): ParseResult<z.output<S>> {
  const result = schema.safeParse(env);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: formatIssues(result.error) };
}
