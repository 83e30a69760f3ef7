import { parsePythonInt } from "./python-int.ts";
import { controlCharacterProblem, propertiesValueProblem } from "./text-rules.ts";

/** The result of checking one raw value. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; problem: string };

/** A value that passed. */
export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

/** A value that failed, with the problem text shown after the variable's name. */
export function fail<T = never>(problem: string): Outcome<T> {
  return { ok: false, problem };
}

/** Largest value a Java `int` holds: MMS and TorchServe parse these keys with `Integer.parseInt`. */
export const JAVA_INT_MAX = 2_147_483_647;
/** Largest number of seconds whose milliseconds still fit a Node timer (2^31-1 ms, about 24.8 days). */
export const TIMER_SECONDS_MAX = 2_147_483;

export interface IntegerRule {
  min: number;
  max: number;
  /** Appended to the "must be at most" problem to say why. */
  maxReason?: string;
}

/** Python `int()` parsing plus a range. */
export function parseInteger(raw: string, { min, max, maxReason }: IntegerRule): Outcome<number> {
  const parsed = parsePythonInt(raw);
  if (parsed === undefined) return fail("not an integer");
  if (parsed < BigInt(min)) return fail(`must be at least ${min}`);
  if (parsed > BigInt(max)) return fail(`must be at most ${max}${maxReason ? ` (${maxReason})` : ""}`);
  return ok(Number(parsed));
}

/** A TCP port written as plain digits, 1-65535. */
export function parsePort(raw: string): Outcome<number> {
  if (!/^[0-9]{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65_535) {
    return fail("not a port number 1-65535");
  }
  return ok(Number(raw));
}

/** `LOW-HIGH`, both ports, LOW <= HIGH. */
export function parsePortRange(raw: string): Outcome<{ low: number; high: number }> {
  const match = /^([0-9]{1,5})-([0-9]{1,5})$/.exec(raw);
  const low = Number(match?.[1]);
  const high = Number(match?.[2]);
  if (match === null || low < 1 || high > 65_535 || low > high) {
    return fail("must be LOW-HIGH with 1 <= LOW <= HIGH <= 65535");
  }
  return ok({ low, high });
}

/** Free text with no control characters. */
export function parseText(raw: string): Outcome<string> {
  const control = controlCharacterProblem(raw);
  return control === undefined ? ok(raw) : fail(control);
}

/** An absolute path with no control characters and none of the extra characters given. */
export function parseAbsolutePath(raw: string, forbidden: Record<string, string> = {}): Outcome<string> {
  const control = controlCharacterProblem(raw);
  if (control !== undefined) return fail(control);
  if (!raw.startsWith("/")) return fail("must be an absolute path");
  for (const [char, why] of Object.entries(forbidden)) {
    if (raw.includes(char)) return fail(`contains "${char}", ${why}`);
  }
  return ok(raw);
}

const HANDLER = /^[A-Za-z0-9_./:@+-]+$/;

/**
 * A handler service: a dotted module name or a file path, optionally `:function`. Written into the server
 * config and substituted by MMS for `$$SAGEMAKER_HANDLER$$`, so only a conservative character set passes.
 */
export function parseHandler(raw: string): Outcome<string> {
  const unsafe = propertiesValueProblem(raw);
  if (unsafe !== undefined) return fail(unsafe);
  if (raw === "") return fail("is empty");
  if (!HANDLER.test(raw)) {
    return fail("must be a module name or file path made of letters, digits and _ . / : @ + -");
  }
  return ok(raw);
}

const TOKEN = "[A-Za-z0-9!#&^_.+-]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?: *; *${TOKEN}=(?:${TOKEN}|"[^"\\\\]*"))*$`);

/** A media type such as `application/json` or `text/csv; charset=utf-8`. */
export function parseMediaType(raw: string): Outcome<string> {
  const control = controlCharacterProblem(raw);
  if (control !== undefined) return fail(control);
  return MEDIA_TYPE.test(raw) ? ok(raw) : fail("must be a media type such as application/json");
}

const CLASSPATH_OPTIONS = new Set(["-cp", "-classpath", "--class-path", "-jar", "-m", "--module"]);

/**
 * JVM options for the `vmargs` key. Surrounding white space is dropped (both parsers split on it); every
 * option must start with `-`, because the MMS launcher splits vmargs on white space and puts the pieces
 * before `-cp`, so a bare word would become the Java main class.
 */
export function parseVmargs(raw: string): Outcome<string> {
  const value = raw.trim();
  const unsafe = propertiesValueProblem(value);
  if (unsafe !== undefined) return fail(unsafe);
  for (const option of value.split(/ +/).filter((part) => part !== "")) {
    if (!option.startsWith("-")) {
      return fail(
        `has "${option}", which is not a JVM option starting with "-" (it would become the Java main class)`,
      );
    }
    if (CLASSPATH_OPTIONS.has(option)) {
      return fail(`has "${option}", which would replace the model server's own class path or main class`);
    }
  }
  return ok(value);
}

/** The workers string: empty (no line, as in the toolkit) or plain digits 0-1024 (0 = the server's default). */
export function parseWorkers(raw: string): Outcome<string | undefined> {
  if (raw === "") return ok(undefined);
  if (!/^[0-9]+$/.test(raw) || Number(raw) > 1024) return fail("must be a whole number 0-1024");
  return ok(raw);
}

const CODEARTIFACT_ARN = /^arn:[^:]+:codeartifact:[^:]+:[^:]+:repository\/[^/]+\/.+/;

/** The toolkit's CodeArtifact repository ARN pattern (anchored at the start only, as there). */
export function parseCodeArtifactArn(raw: string): Outcome<string> {
  const control = controlCharacterProblem(raw);
  if (control !== undefined) return fail(control);
  if (/\s/.test(raw) || !CODEARTIFACT_ARN.test(raw)) {
    // The toolkit's text names the value right after "arn" (toolkit-behaviour.md checklist 19); the full value
    // follows in "(got ...)", escaped.
    const shown = /\s/.test(raw) || raw.length > 200 ? "(see below)" : raw;
    return fail(
      `invalid CodeArtifact repository arn ${shown}: expected arn:<partition>:codeartifact:<region>:<account>:repository/<domain>/<repository>`,
    );
  }
  return ok(raw);
}

/** One of a fixed list of words, exactly. */
export function parseChoice<const T extends string>(raw: string, choices: readonly T[]): Outcome<T> {
  return (choices as readonly string[]).includes(raw)
    ? ok(raw as T)
    : fail(`must be one of ${choices.join(", ")}`);
}
