/**
 * Python's `json.dumps` output, byte for byte for the values we send: `", "` and `": "` separators and
 * `ensure_ascii` (every character outside printable ASCII as a lower-case `\uXXXX`, astral characters as a
 * surrogate pair). flask-restx writes every non-SSE JSON body this way, and Dify before 1.9 wrote SSE events
 * this way too, so clients must not depend on compact JSON or raw UTF-8.
 */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return escapeNonAscii(JSON.stringify(value));
  if (typeof value === "number") return Number.isFinite(value) ? JSON.stringify(value) : "NaN";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return `[${value.map((v) => pythonJson(v)).join(", ")}]`;
  if (typeof value === "object") {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      parts.push(`${escapeNonAscii(JSON.stringify(k))}: ${pythonJson(v)}`);
    }
    return `{${parts.join(", ")}}`;
  }
  return "null";
}

function escapeNonAscii(json: string): string {
  // JSON.stringify already escaped control characters; what is left outside 0x20-0x7e is non-ASCII (and DEL).
  return json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Python `repr()` of a JSON-like value, as pydantic quotes `input_value` in its error text. */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "string") return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`)
      .join(", ")}}`;
  }
  return String(value);
}
