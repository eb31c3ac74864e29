/**
 * A small multipart/form-data reader that keeps what the client really sent: a part without a Content-Type
 * stays without one (Node's `Request.formData()` would invent `text/plain`, hiding the case Dify answers with
 * 415 `unsupported_file_type`), and file names are decoded as UTF-8 like werkzeug does.
 */
export interface MultipartPart {
  readonly name: string;
  /** undefined for a plain field; "" when the part declared an empty filename. */
  readonly filename: string | undefined;
  readonly contentType: string | undefined;
  readonly bytes: Uint8Array;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /^multipart\/form-data\b.*?;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? "");
  return m ? (m[1] ?? m[2]) : undefined;
}

export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    let start = pos + delimiter.length;
    // "--" after a delimiter closes the body.
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break;
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    // The part ends with CRLF before the next delimiter.
    const end = body[next - 2] === 0x0d && body[next - 1] === 0x0a ? next - 2 : next;
    const headerEnd = body.indexOf("\r\n\r\n", start);
    if (headerEnd >= 0 && headerEnd < end) {
      const headers = parseHeaders(body.subarray(start, headerEnd).toString("latin1"));
      const disposition = headers.get("content-disposition") ?? "";
      const name = param(disposition, "name");
      if (name !== undefined) {
        parts.push({
          name: utf8(name),
          filename: filenameOf(disposition),
          contentType: headers.get("content-type"),
          bytes: new Uint8Array(body.subarray(headerEnd + 4, end)),
        });
      }
    }
    pos = next;
  }
  return parts;
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function param(header: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|;)\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, "i").exec(header);
  return m ? (m[1] ?? m[2] ?? "").replace(/\\(.)/g, "$1") : undefined;
}

function filenameOf(disposition: string): string | undefined {
  const extended = /(?:^|;)\s*filename\*=(?:UTF-8|utf-8)''([^;]*)/.exec(disposition);
  if (extended) return decodeURIComponent(extended[1] ?? "");
  const plain = param(disposition, "filename");
  return plain === undefined ? undefined : utf8(plain);
}

/** Header bytes were read as latin1; names are UTF-8 on the wire. */
function utf8(latin1: string): string {
  return Buffer.from(latin1, "latin1").toString("utf8");
}
