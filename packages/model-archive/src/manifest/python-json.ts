/**
 * `json.dumps(value, indent=2)` as CPython writes it: `","` item separator at line ends, `": "` between key and
 * value, non-ASCII escaped as lowercase `\uXXXX` (astral characters as surrogate pairs), no trailing newline.
 */
export function pythonJsonDumps(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u0080-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
