import { z } from "zod";

// Lives in contracts/ because the adapters parse their own settings (adapters/*/config.ts) with the same rules.

/**
 * Small zod helpers shared by every config schema. Values from the environment are strings; these turn them
 * into typed values with messages that never echo the value (it may be a secret).
 */

const TRUE_WORDS = ["true", "1", "yes", "on"];
const FALSE_WORDS = ["false", "0", "no", "off"];

// Case and surrounding whitespace are ignored ("TRUE", " yes "), and empty means unset, like every other
// helper here; before, "TRUE" was refused with zod's raw enum text.
export const envBoolean = (defaultValue: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const word = (v ?? "").trim().toLowerCase();
      if (word === "") return defaultValue;
      if (TRUE_WORDS.includes(word)) return true;
      if (FALSE_WORDS.includes(word)) return false;
      ctx.addIssue({ code: "custom", message: "must be true or false (or 1/0, yes/no, on/off)" });
      return z.NEVER;
    });

/**
 * One of a fixed set of words, case-insensitive; empty or unset gives the default (undefined when none).
 * The message lists the allowed words and never the value.
 */
export function envEnum<const T extends readonly [string, ...string[]]>(values: T, defaultValue: T[number]): z.ZodType<T[number], string | undefined>;
export function envEnum<const T extends readonly [string, ...string[]]>(values: T): z.ZodType<T[number] | undefined, string | undefined>;
export function envEnum<const T extends readonly [string, ...string[]]>(values: T, defaultValue?: T[number]) {
  const message = `must be one of ${values.join(", ")}`;
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      const word = (v ?? "").trim().toLowerCase();
      if (word === "") return defaultValue;
      const match = values.find((allowed) => allowed.toLowerCase() === word);
      if (match === undefined) {
        ctx.addIssue({ code: "custom", message });
        return z.NEVER;
      }
      return match;
    });
}

/**
 * A whole number written as digits only, within `min`..`max`. Number() alone would take "1e3", "0x10",
 * " 12.0" and "1_000"-like spellings nobody meant, and any size.
 */
export const envInt = <D extends number | undefined>(defaultValue: D, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return defaultValue;
      const digits = v.trim();
      const n = /^\d{1,16}$/.test(digits) ? Number(digits) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n as number | D;
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
  z.string({ error: "is required" }).transform((v, ctx) => {
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
function formatIssues(error: z.ZodError): string[] {
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
