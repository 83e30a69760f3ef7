import { registeredSecrets } from "./secret-registry.ts";

export const REDACTED = "***";

// scheme://userinfo@ : userinfo never holds '/', '?', '#', '@' or whitespace unencoded.
const URL_USERINFO = /\b([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^\s/?#@]+@/g;
// "Authorization": "value" and 'X-Amz-Security-Token': 'value' (JSON, dict reprs).
const QUOTED_HEADER =
  /(["'])(authorization|x-amz-security-token)\1(\s*[:=]\s*)(["'])(?:\\.|(?!\4)[^\\])*\4/gi;
// Authorization: value to the end of the line (header dumps, curl -v, SDK debug logs).
const HEADER_LINE = /\b(authorization|x-amz-security-token)([ \t]*:[ \t]*)[^\r\n]*/gi;
// X-Amz-Security-Token=value in a query string or key=value log line.
const KEY_VALUE = /\b(authorization|x-amz-security-token)(=)[^\s&"',;]*/gi;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Removes secrets from text meant for a person or a log: registered secret strings, URL userinfo
 * (`https://user:pass@host` → `https://***@host`) and `Authorization` / `X-Amz-Security-Token` values.
 */
export function redact(text: string): string {
  let out = String(text);
  const secrets = registeredSecrets();
  if (secrets.length > 0) {
    out = out.replace(new RegExp(secrets.map(escapeRegExp).join("|"), "g"), REDACTED);
  }
  return out
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(QUOTED_HEADER, `$1$2$1$3$4${REDACTED}$4`)
    .replace(HEADER_LINE, `$1$2${REDACTED}`)
    .replace(KEY_VALUE, `$1$2${REDACTED}`);
}

/** Redacts every string in an argv list (for logging a command that was run). */
export function redactArgs(args: readonly string[]): string[] {
  return args.map((arg) => redact(arg));
}
