import { redact } from "@sagemaker-serve/errors";

const MAX_SHOWN = 80;
const AWS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/;
const CREDENTIAL_WORD =
  /pass(?:word|wd)?|secret|token|api[-_]?key|credential|private[-_]?key|authorization|bearer/i;
const LONG_TOKEN = /[A-Za-z0-9+_=-]{32,}/g;

function isHighEntropyToken(token: string): boolean {
  return /[0-9]/.test(token) && /[a-z]/.test(token) && /[A-Z]/.test(token);
}

/**
 * True when a value looks like it carries a credential: URL userinfo, a registered secret, an
 * Authorization value, an AWS access key id, a credential word (`password`, `token`, ...) or a long
 * mixed-case random-looking token.
 */
export function looksLikeCredential(value: string): boolean {
  if (redact(value) !== value) return true;
  if (AWS_KEY_ID.test(value) || CREDENTIAL_WORD.test(value)) return true;
  return (value.match(LONG_TOKEN) ?? []).some(isHighEntropyToken);
}

// JSON.stringify escapes C0 controls only; DEL, C1 and the line separators could still break a log line.
function quote(text: string): string {
  return JSON.stringify(text).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * The `(got "...")` part of a problem line: the value JSON-quoted (so control characters are visible),
 * cut after 80 characters, and never shown when it looks like a credential.
 */
export function describeReceived(value: string): string {
  if (looksLikeCredential(value)) return "(value not shown: it looks like a credential)";
  const shown =
    value.length > MAX_SHOWN
      ? `${quote(value.slice(0, MAX_SHOWN))}... (${value.length} characters)`
      : quote(value);
  return `(got ${shown})`;
}
