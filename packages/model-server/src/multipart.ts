import { MultipartParseError, parseMultipart as parseParts } from "@remix-run/multipart-parser";
import { HttpError } from "./http-response.ts";
/** One form field or file part, as the worker receives it. */
export interface FormParameter {
  name: string;
  contentType: string;
  value: Buffer;
}

/**
 * Splits a multipart/form-data body (already read and bounded by maxRequestBytes) into parameters named by their
 * Content-Disposition, as MMS does: a file part (one with a filename) keeps its content type without parameters,
 * default `application/octet-stream`; a plain field has none; every value is the part's bytes. A part ends only at
 * CRLF--boundary. Parts without a name are skipped. A malformed body is HttpError 400.
 */
export function parseMultipart(body: Buffer, boundary: string): FormParameter[] {
  const parameters: FormParameter[] = [];
  try {
    // The body as a whole is the bound: no limit of the parser's own may refuse a part that fits in it.
    const limits = { maxHeaderSize: Math.max(body.length, 1), maxFileSize: Infinity, maxTotalSize: Infinity };
    for (const part of parseParts(body, { boundary, maxParts: Infinity, ...limits })) {
      const name = part.name;
      if (name === undefined) continue;
      const type = part.headers["content-type"]?.split(";")[0]!.trim();
      parameters.push({
        name,
        contentType: part.filename === undefined ? "" : type || "application/octet-stream",
        value: Buffer.concat(part.content),
      });
    }
  } catch (error) {
    if (!(error instanceof MultipartParseError)) throw error;
    throw new HttpError(400, "BadRequestException", `Invalid multipart/form-data body: ${error.message}`);
  }
  return parameters;
}
