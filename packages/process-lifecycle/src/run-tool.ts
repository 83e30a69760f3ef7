import { spawn } from "node:child_process";
import { basename } from "node:path";
import { LineRedactor, ServeError } from "@sagemaker-serve/errors";
import type { LifecycleErrorCode } from "./errors.ts";
import { isValidPid } from "./proc-fs.ts";
import { signalGroup } from "./process-group.ts";

export interface RunToolOptions {
  command: string;
  args: readonly string[];
  /** The tool's whole environment (not merged with ours); undefined values are left out. */
  env: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  /** Wall-clock budget; the group is killed when it passes. Default: none. */
  timeoutMs?: number;
  /** Aborting kills the tool's process group. */
  signal?: AbortSignal;
  /** Every line of stdout and stderr, already redacted. */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** Names the tool in errors (default: the command's base name). Arguments never appear in errors. */
  name?: string;
  /** How many of the last output lines an error keeps. Default 20. */
  tailLines?: number;
  /** Between SIGTERM and SIGKILL to the group on timeout or abort. Default 1000 ms. */
  killGraceMs?: number;
}

export interface ToolResult {
  exitCode: 0;
  durationMs: number;
  /** The last output lines, redacted. */
  tail: string[];
}

export type ToolErrorCode = Extract<LifecycleErrorCode, `TOOL_${string}`>;

/** A tool that failed: exit code, signal, duration and a redacted output tail, never its command line. */
export class ToolError extends ServeError<ToolErrorCode> {
  override name = "ToolError";
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly durationMs: number;
  readonly tail: string[];

  constructor(
    code: ToolErrorCode,
    message: string,
    details: {
      hint: string;
      exitCode: number | null;
      signal: NodeJS.Signals | null;
      durationMs: number;
      tail: string[];
    },
  ) {
    super(code, message, { hint: details.hint });
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.durationMs = details.durationMs;
    this.tail = details.tail;
  }
}

function validate(options: RunToolOptions): void {
  if (typeof options?.command !== "string" || options.command === "") {
    throw new TypeError("runTool: command must be a non-empty string");
  }
  if (!Array.isArray(options.args) || !options.args.every((a) => typeof a === "string")) {
    throw new TypeError("runTool: args must be an array of strings");
  }
  if (typeof options.env !== "object" || options.env === null)
    throw new TypeError("runTool: env must be an object");
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
    throw new TypeError(`runTool: timeoutMs must be a positive number, got ${String(options.timeoutMs)}`);
  }
}

/**
 * Runs a short tool (pip, an archiver) in its own process group with its output streamed line by line
 * through the redactor. On timeout or abort the whole group gets SIGTERM, then SIGKILL. After the tool
 * exits, anything left in its group is killed. Rejects with a `ToolError`.
 */
export function runTool(options: RunToolOptions): Promise<ToolResult> {
  validate(options);
  const { timeoutMs, signal, onLine, tailLines = 20, killGraceMs = 1000 } = options;
  const name = options.name ?? basename(options.command);
  const started = performance.now();
  const duration = (): number => Math.round(performance.now() - started);
  const tail: string[] = [];
  const fail = (
    code: ToolErrorCode,
    message: string,
    hint: string,
    exitCode: number | null = null,
    sig: NodeJS.Signals | null = null,
  ): ToolError =>
    new ToolError(code, message, { hint, exitCode, signal: sig, durationMs: duration(), tail: [...tail] });

  if (signal?.aborted) {
    return Promise.reject(
      fail(
        "TOOL_ABORTED",
        `${name} was not started: the operation was aborted`,
        "Nothing to fix if the stop was intended.",
      ),
    );
  }

  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.env)) if (value !== undefined) env[key] = value;
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const pgid = child.pid;
    let stopCause: "timeout" | "abort" | undefined;
    const timers: NodeJS.Timeout[] = [];

    const remember = (line: string, stream: "stdout" | "stderr"): void => {
      tail.push(line);
      if (tail.length > tailLines) tail.shift();
      onLine?.(line, stream);
    };
    const redactors = (["stdout", "stderr"] as const).map((stream) => {
      const redactor = new LineRedactor({ onLine: (line) => remember(line, stream) });
      child[stream].on("data", (chunk: Buffer) => redactor.write(chunk));
      return redactor;
    });

    const killGroup = (sig: NodeJS.Signals): void => {
      if (isValidPid(pgid)) signalGroup(pgid, sig);
    };
    const terminate = (cause: "timeout" | "abort"): void => {
      if (stopCause !== undefined) return;
      stopCause = cause;
      killGroup("SIGTERM");
      timers.push(setTimeout(() => killGroup("SIGKILL"), killGraceMs));
    };
    const onAbort = (): void => terminate("abort");
    signal?.addEventListener("abort", onAbort, { once: true });
    if (timeoutMs !== undefined) timers.push(setTimeout(() => terminate("timeout"), timeoutMs));

    const cleanup = (): void => {
      for (const timer of timers) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };

    child.once("error", (error: NodeJS.ErrnoException) => {
      cleanup();
      // The spawn error names argv (error.spawnargs); only its code is kept.
      reject(
        fail(
          "TOOL_SPAWN_FAILED",
          `could not start ${name}: ${error.code ?? "unknown error"}`,
          `Check that ${name} is installed and on the PATH, and that the working directory exists.`,
        ),
      );
    });

    child.once("exit", (code, sig) => {
      // Grandchildren may still hold the pipes: end the group so 'close' comes, whatever they do.
      killGroup("SIGKILL");
      child.once("close", () => {
        cleanup();
        for (const redactor of redactors) redactor.end();
        if (stopCause === "timeout") {
          reject(
            fail(
              "TOOL_TIMEOUT",
              `${name} did not finish within ${timeoutMs} ms and was killed`,
              `Raise the ${name} time budget, or check that its network (package index) is reachable.`,
              code,
              sig,
            ),
          );
        } else if (stopCause === "abort") {
          reject(
            fail(
              "TOOL_ABORTED",
              `${name} was stopped: the operation was aborted`,
              "Nothing to fix if the stop was intended.",
              code,
              sig,
            ),
          );
        } else if (code === 0) {
          resolve({ exitCode: 0, durationMs: duration(), tail: [...tail] });
        } else {
          reject(
            fail(
              "TOOL_FAILED",
              `${name} ${code !== null ? `exited with code ${code}` : `was killed by ${sig ?? "a signal"}`} after ${duration()} ms`,
              `Read ${name}'s output above (the error's tail holds its last lines).`,
              code,
              sig,
            ),
          );
        }
      });
    });
  });
}
