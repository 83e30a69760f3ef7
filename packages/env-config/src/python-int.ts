// Characters Python's int() strips around its argument (str.isspace()).
const PY_SPACE =
  "\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const PY_INT = new RegExp(`^[${PY_SPACE}]*([+-]?)([0-9](?:_?[0-9])*)[${PY_SPACE}]*$`);

/**
 * Parses text the way Python's `int(text)` does for base 10: surrounding white space, one optional sign,
 * ASCII digits with single `_` between digits. Returns undefined where Python raises ValueError.
 * Stricter than Python in one way: non-ASCII decimal digits (for example Arabic-Indic) are refused.
 */
export function parsePythonInt(text: string): bigint | undefined {
  const match = PY_INT.exec(text);
  if (match === null) return undefined;
  const magnitude = BigInt((match[2] ?? "").replaceAll("_", ""));
  return match[1] === "-" ? -magnitude : magnitude;
}
