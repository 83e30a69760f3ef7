import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { LineRedactor } from "@sagemaker-serve/errors";
import { isValidPid } from "./proc-fs.ts";

/** How the launcher process ended. */
export interface LauncherExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The spawned launcher: its pid (also its process group id) and, once it has exited, how. */
export interface Launcher {
  /** Undefined when the spawn failed. */
  readonly pid: number | undefined;
  /** Set once the launcher has exited. */
  readonly exit: LauncherExit | undefined;
  /** True once it exited non-zero or by a signal. */
  failed(): boolean;
  /** The spawn error of a failed spawn (reported on the next tick), else undefined. */
  spawnError(): Promise<unknown>;
}

export interface SpawnLauncherOptions {
  command: string;
  args: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  /** With it, stdout and stderr are piped and split into redacted lines; without it, inherited. */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  onExit: (exit: LauncherExit) => void;
}

function definedEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

/** Spawns the launcher detached (its own process group), never through a shell. */
export function spawnLauncher({ command, args, env, cwd, onLine, onExit }: SpawnLauncherOptions): Launcher {
  let child: ChildProcess | undefined;
  let error: unknown;
  let exit: LauncherExit | undefined;
  try {
    child = spawn(command, [...args], {
      cwd,
      env: definedEnv(env),
      detached: true,
      stdio: onLine ? ["ignore", "pipe", "pipe"] : "inherit",
    });
  } catch (thrown) {
    error = thrown;
  }
  // 'error' can come more than once (a failed spawn, a failed kill); an unheard one would crash us.
  child?.on("error", (thrown) => {
    error ??= thrown;
  });
  const pid = isValidPid(child?.pid) ? child.pid : undefined;
  if (child && pid !== undefined) {
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      onExit(exit);
    });
    if (onLine) {
      for (const stream of ["stdout", "stderr"] as const) {
        const redactor = new LineRedactor({ onLine: (line) => onLine(line, stream) });
        child[stream]?.on("data", (chunk: Buffer) => redactor.write(chunk));
        child[stream]?.once("end", () => redactor.end());
      }
    }
  }
  return {
    pid,
    get exit() {
      return exit;
    },
    failed: () => exit !== undefined && (exit.signal !== null || (exit.code ?? 0) !== 0),
    spawnError: async () => {
      if (pid === undefined && child && error === undefined)
        await once(child, "error").catch(() => undefined);
      return error;
    },
  };
}

/** ` with code N`, ` by SIGX` or nothing, for messages about how a process ended. */
export function describeEnd(code: number | null, signal: NodeJS.Signals | null): string {
  if (code !== null) return ` with code ${code}`;
  if (signal !== null) return ` by ${signal}`;
  return "";
}
