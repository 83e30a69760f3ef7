import type { IncomingMessage } from "node:http";
import { parseMultipart } from "./multipart.ts";
import { joinChunks } from "./request-body.ts";
import type { RequestInput } from "./worker-process.ts";

type Parameter = RequestInput["parameters"][number];

function mimeType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim();
}

const BOUNDARY = /(?:^|;)\s*boundary="?([^";]*)"?/i;

/**
 * Lays an HTTP request out the way MMS hands it to a worker: query parameters (only when `url` is given: MMS passes
 * them on `/invocations`, `/models/{name}/invoke` and `/{name}/predict`, not on `/predictions/{name}`), then form
 * fields or `body`. Rejects a malformed multipart body with HttpError 400.
 */
export function buildRequestInput(
  req: IncomingMessage,
  url: URL | undefined,
  body: readonly Buffer[],
  requestId: string,
): RequestInput {
  const parameters: Parameter[] = [];
  if (url !== undefined && url.search !== "")
    for (const [name, value] of url.searchParams)
      parameters.push({ name, contentType: "", value: Buffer.from(value) });
  const contentType = req.headers["content-type"];
  const mime = mimeType(contentType).toLowerCase();
  const boundary = mime === "multipart/form-data" ? BOUNDARY.exec(contentType!)?.[1] : undefined;
  if (boundary !== undefined) {
    parameters.push(...parseMultipart(joinChunks(body), boundary));
  } else if (mime === "application/x-www-form-urlencoded") {
    for (const [name, value] of new URLSearchParams(joinChunks(body).toString("utf8"))) {
      parameters.push({ name, contentType: "", value: Buffer.from(value) });
    }
  } else {
    parameters.push({ name: "body", contentType: mimeType(contentType), value: body });
  }
  return { requestId, rawHeaders: req.rawHeaders, parameters };
}
