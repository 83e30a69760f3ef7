import type { IncomingMessage } from "node:http";
import type { RequestInput } from "./worker-process.ts";

type Parameter = RequestInput["parameters"][number];

function mimeType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim();
}

const PARAMETER_PATTERNS = new Map<string, RegExp>();

function headerParameter(header: string, name: string): string | undefined {
  let pattern = PARAMETER_PATTERNS.get(name);
  if (pattern === undefined) {
    pattern = new RegExp(`(?:^|;)\\s*${name}="?([^";]*)"?`, "i");
    PARAMETER_PATTERNS.set(name, pattern);
  }
  return pattern.exec(header)?.[1];
}

/** Splits a multipart/form-data body into parameters named by their Content-Disposition, as MMS does. */
export function parseMultipart(body: Buffer, boundary: string): Parameter[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parameters: Parameter[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    const part = body.subarray(partStart + 2, next - 2);
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString("utf8").split("\r\n");
      const disposition = headers.find((h) => /^content-disposition:/i.test(h)) ?? "";
      const type = headers.find((h) => /^content-type:/i.test(h));
      const name = headerParameter(disposition, "name");
      // Netty (MMS) keeps a content type only for file parts (those with a filename), defaulting it to
      // application/octet-stream; plain fields reach the handler without one.
      const isFile = headerParameter(disposition, "filename") !== undefined;
      const fileType =
        type === undefined ? "application/octet-stream" : mimeType(type.slice(type.indexOf(":") + 1));
      if (name !== undefined) {
        parameters.push({
          name,
          contentType: isFile ? fileType : "",
          value: part.subarray(headerEnd + 4),
        });
      }
    }
    start = next;
  }
  return parameters;
}

/**
 * Lays an HTTP request out the way MMS hands it to a worker: query parameters (only when `url` is given: MMS passes
 * them on `/invocations`, `/models/{name}/invoke` and `/{name}/predict`, not on `/predictions/{name}`), then form
 * fields or `body`.
 */
export function buildRequestInput(
  req: IncomingMessage,
  url: URL | undefined,
  body: Buffer,
  requestId: string,
): RequestInput {
  const parameters: Parameter[] = [];
  if (url !== undefined && url.search !== "")
    for (const [name, value] of url.searchParams)
      parameters.push({ name, contentType: "", value: Buffer.from(value) });
  const contentType = req.headers["content-type"];
  const mime = mimeType(contentType).toLowerCase();
  const boundary = mime === "multipart/form-data" ? headerParameter(contentType!, "boundary") : undefined;
  if (boundary !== undefined) {
    parameters.push(...parseMultipart(body, boundary));
  } else if (mime === "application/x-www-form-urlencoded") {
    for (const [name, value] of new URLSearchParams(body.toString("utf8"))) {
      parameters.push({ name, contentType: "", value: Buffer.from(value) });
    }
  } else {
    parameters.push({ name: "body", contentType: mimeType(contentType), value: body });
  }
  return { requestId, rawHeaders: req.rawHeaders, parameters };
}
