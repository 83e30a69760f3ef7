import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { PolicyViolation } from "./errors.ts";

/** One logical line of a requirements file (continuations joined, comment stripped). */
export interface LogicalLine {
  /** Where the logical line starts, 1-based, as pip numbers it. */
  line: number;
  text: string;
}

/** A requirements file as read for the policy check and the install fingerprint. */
export interface RequirementsFile {
  path: string;
  content: string;
  lines: LogicalLine[];
}

// pip's COMMENT_RE: a '#' at the start or after white space starts a comment.
const COMMENT = /(^|\s+)#.*$/;

/** Splits requirements text into logical lines the way pip's preprocessor does (join `\` continuations, drop comments). */
export function logicalLines(content: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  const physical = content.split(/\r?\n/);
  let start = 0;
  let buffer = "";
  for (let index = 0; index < physical.length; index += 1) {
    const raw = physical[index]!;
    if (buffer === "") start = index + 1;
    // A comment line ends a continuation, as in pip's join_lines.
    if (buffer !== "" && /^\s*#/.test(raw)) {
      out.push({ line: start, text: buffer });
      buffer = "";
      continue;
    }
    if (raw.endsWith("\\") && !COMMENT.test(raw)) {
      buffer += raw.slice(0, -1);
      continue;
    }
    const text = (buffer + raw).replace(COMMENT, "").trim();
    buffer = "";
    if (text !== "") out.push({ line: start, text });
  }
  const rest = buffer.replace(COMMENT, "").trim();
  if (rest !== "") out.push({ line: start, text: rest });
  return out;
}

const SOURCE_OPTIONS = ["--index-url", "--extra-index-url", "--trusted-host", "--find-links", "--no-index"];
const URL = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;
const DIRECT_REFERENCE = /@\s*[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

/** The long option a token names, allowing the unambiguous abbreviations pip's option parser accepts. */
function longOption(token: string, candidates: string[]): string | undefined {
  const name = token.split("=")[0]!;
  if (!name.startsWith("--") || name.length < 4) return undefined;
  return candidates.find((candidate) => candidate.startsWith(name));
}

/** The value of `--opt=v`, `--opt v`, `-ov` or `-o v`. */
function optionValue(tokens: string[], index: number): string | undefined {
  const token = tokens[index]!;
  if (token.startsWith("--")) {
    return token.includes("=") ? token.slice(token.indexOf("=") + 1) : tokens[index + 1];
  }
  return token.length > 2 ? token.slice(2) : tokens[index + 1];
}

export interface LineFinding {
  /** A source-changing option or direct URL on this line. */
  violation?: string;
  /** A nested file this line includes (`-r x.txt`, `-c y.txt`), resolved against the including file. */
  include?: string;
}

/** Looks at one logical line: does it change where packages come from, and does it include another file? */
export function inspectLine(text: string, fileDir: string): LineFinding {
  const tokens = text.split(/\s+/);
  const first = tokens[0]!;
  // pip expands ${VAR} before it parses a line, so what such a line does cannot be known here.
  if (first.includes("${")) return { violation: "environment variable at the start of a line" };
  if (!first.startsWith("-")) {
    const requirement = text.split(/\s+-/)[0]!;
    return URL.test(requirement) || DIRECT_REFERENCE.test(requirement)
      ? { violation: "direct URL requirement" }
      : {};
  }
  const token = first;
  const long = token.startsWith("--");
  const source = long
    ? longOption(token, SOURCE_OPTIONS)
    : token.startsWith("-i")
      ? "--index-url"
      : token.startsWith("-f")
        ? "--find-links"
        : undefined;
  if (source) return { violation: source };
  const include = long
    ? longOption(token, ["--requirement", "--constraint"])
    : token.startsWith("-r")
      ? "-r"
      : token.startsWith("-c")
        ? "-c"
        : undefined;
  const value = optionValue(tokens, 0);
  if (include) {
    if (value === undefined) return {};
    if (URL.test(value)) return { violation: `${include} from a URL` };
    if (value.includes("${")) return { violation: `${include} with an environment variable` };
    return { include: resolve(fileDir, value) };
  }
  const editable = long ? longOption(token, ["--editable"]) : token.startsWith("-e") ? "-e" : undefined;
  if (editable && value !== undefined && (URL.test(value) || /^[a-z]+\+/.test(value))) {
    return { violation: `${editable} from a URL` };
  }
  return {};
}

export interface ReadRequirementsResult {
  /** The top file and every file it includes, in the order read; empty when the top file is absent. */
  files: RequirementsFile[];
  /** Lines that change where packages come from, across all files. */
  violations: PolicyViolation[];
}

/**
 * Reads a requirements file and the files it includes (`-r`, `-c`, relative to the including file), and finds the
 * lines that would change where packages come from. An absent top file gives no files (ENOENT is not an error);
 * other read errors are thrown as they are.
 */
export async function readRequirements(path: string): Promise<ReadRequirementsResult> {
  const files: RequirementsFile[] = [];
  const violations: PolicyViolation[] = [];
  const seen = new Set<string>();
  async function visit(file: string, depth: number): Promise<void> {
    const absolute = resolve(file);
    if (seen.has(absolute) || depth > 10) return;
    seen.add(absolute);
    let content: string;
    try {
      content = await readFile(absolute, "utf8");
    } catch (error) {
      // A missing top file means "nothing to install"; a missing include is left for pip to report.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    const lines = logicalLines(content);
    files.push({ path: absolute, content, lines });
    for (const { line, text } of lines) {
      const finding = inspectLine(text, dirname(absolute));
      if (finding.violation) violations.push({ file: absolute, line, option: finding.violation });
      if (finding.include) await visit(finding.include, depth + 1);
    }
  }
  await visit(path, 0);
  return { files, violations };
}
