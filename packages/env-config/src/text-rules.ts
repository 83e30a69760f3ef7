const NAMED_CONTROLS: Record<string, string> = {
  "\n": "a line feed (LF)",
  "\r": "a carriage return (CR)",
  "\u0000": "a NUL character",
  "\t": "a tab",
};

// C0 controls, DEL, C1 controls, and the Unicode line/paragraph separators that some parsers treat as newlines.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** The problem text for the first control character in `value`, or undefined when there is none. */
export function controlCharacterProblem(value: string): string | undefined {
  const match = CONTROL.exec(value);
  if (match === null) return undefined;
  const char = match[0];
  return `contains ${NAMED_CONTROLS[char] ?? `a control character (${codePoint(char)})`}`;
}

/**
 * The problem with writing `value` as a line of a Java properties file that MMS or TorchServe reads, or
 * undefined when it is safe: no control characters, no trailing or inner backslash (continuation and
 * escapes), no `$` (MMS and TorchServe substitute `$$NAME$$` from the environment), printable ASCII only
 * (`Properties.load(InputStream)` reads ISO-8859-1), and no white space at either end (Java drops the
 * leading white space of a value).
 */
export function propertiesValueProblem(value: string): string | undefined {
  const control = controlCharacterProblem(value);
  if (control !== undefined) return control;
  if (value.endsWith("\\")) {
    return "ends with a backslash, which would join the next line of the properties file into this value";
  }
  if (value.includes("\\")) return "contains a backslash, which Java properties would read as an escape";
  if (value.includes("$"))
    return 'contains "$", which MMS and TorchServe would treat as a $$VAR$$ substitution';
  if (/[^\x20-\x7e]/.test(value))
    return "contains a non-ASCII character, which Java would read as ISO-8859-1";
  if (value !== value.trim()) return "starts or ends with white space, which Java properties would drop";
  return undefined;
}
