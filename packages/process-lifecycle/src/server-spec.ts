import type { ServerExit } from "./exit-code.ts";
import type { TreeSource } from "./process-tree.ts";
import type { ReadinessCheck } from "./readiness.ts";
import type { ServerState, Transition } from "./server-state.ts";

/** What to start and how to tell that it is up. */
export interface StartServerSpec {
  /** The launcher executable (`multi-model-server`, `torchserve`, `node`, ...); never run through a shell. */
  command: string;
  args: readonly string[];
  /** The launcher's whole environment (not merged with ours); undefined values are left out. */
  env: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  /**
   * The argv element that identifies the real server process (`com.amazonaws.ml.mms.ModelServer`,
   * `org.pytorch.serve.ModelServer`). Undefined: the launcher itself is the server.
   */
  mainClass?: string;
  /**
   * The launcher stays in the foreground for the server's whole life (`--foreground`). Its exit before the
   * server is found is then a failure whatever its exit code, instead of a daemonising launcher's normal
   * exit that is followed by a whole-table scan. Default false (the toolkit's `--start` behaviour).
   */
  foreground?: boolean;
  readiness: ReadinessCheck;
  /** From spawning until ready; discovery and readiness share it. */
  startupTimeoutMs: number;
  /** Between SIGTERM and SIGKILL to the group when stopping. */
  stopGraceMs: number;
  /** Aborting it stops the server (graceful, then SIGKILL after the grace period). */
  signal?: AbortSignal;
  onEvent?: (event: ServerEvent) => void;
  /** Every step of the state machine (see the README's state table), with milliseconds since the spawn. */
  onStateChange?: (step: Transition & { ms: number }) => void;
  /** Default: stdio inherited. With `onLine`, stdout and stderr are piped, split into redacted lines. */
  output?: { onLine: (line: string, stream: "stdout" | "stderr") => void };
  /** Pause between discovery scans and liveness checks. Default 25 ms. */
  pollIntervalMs?: number;
  /** Where the launcher's process tree is read from. Default `auto`. */
  treeSource?: TreeSource;
}

/** Progress reports, for one log line per phase. `ms` counts from the spawn. */
export type ServerEvent =
  | { type: "spawned"; pid: number }
  | { type: "found"; pid: number; via: "launcher" | "descendants" | "process-table"; ms: number }
  | { type: "ready"; ms: number }
  | { type: "stopping"; reason: string; ms: number }
  | { type: "escalated"; ms: number }
  | { type: "exited"; exit: ServerExit };

/** A running (or finished) server. */
export interface ServerHandle {
  /** Where the server is in its life (see the state table in the README). */
  readonly state: ServerState;
  /** The launcher's pid, which is also its process group id; undefined when the spawn failed or was aborted. */
  readonly launcherPid: number | undefined;
  /** The real server process; rejects with SERVER_NOT_FOUND, SERVER_MULTIPLE, SERVER_EXITED_BEFORE_READY, ... */
  readonly found: Promise<{ pid: number }>;
  /** Resolves when the readiness check passes; rejects with SERVER_NOT_READY, SERVER_EXITED_BEFORE_READY, ... */
  readonly ready: Promise<void>;
  /** Resolves (never rejects) once the server and every live member of its process group are gone. */
  readonly exited: Promise<ServerExit>;
  /** SIGTERM to the group, the grace period, SIGKILL to the group; idempotent, resolves like `exited`. */
  stop(options?: { reason?: string }): Promise<ServerExit>;
  /** SIGKILL to the group now (a second SIGTERM escalates); resolves like `exited`. */
  kill(options?: { reason?: string }): Promise<ServerExit>;
  /** Forwards a signal to the server process (the launcher until the server is found). False when nobody got it. */
  signal(signal: NodeJS.Signals): boolean;
  /**
   * SIGKILL to every process group of the server, synchronously and without waiting: for a supervisor that is
   * about to die (an uncaught error) and must not leave the server behind. No-op once the server is gone.
   */
  killNow(): void;
}

/** Throws TypeError for a spec that cannot be right (programmer misuse). */
export function validate(spec: StartServerSpec): void {
  if (typeof spec !== "object" || spec === null) throw new TypeError("startServer: spec must be an object");
  if (typeof spec.command !== "string" || spec.command === "") {
    throw new TypeError("startServer: spec.command must be a non-empty string");
  }
  if (!Array.isArray(spec.args) || !spec.args.every((a) => typeof a === "string")) {
    throw new TypeError("startServer: spec.args must be an array of strings");
  }
  if (typeof spec.env !== "object" || spec.env === null)
    throw new TypeError("startServer: spec.env must be an object");
  if (spec.mainClass !== undefined && (typeof spec.mainClass !== "string" || spec.mainClass === "")) {
    throw new TypeError("startServer: spec.mainClass must be a non-empty string or undefined");
  }
  if (typeof spec.readiness?.url !== "string" || typeof spec.readiness.isHealthy !== "function") {
    throw new TypeError("startServer: spec.readiness needs a url string and an isHealthy function");
  }
  for (const key of ["startupTimeoutMs", "stopGraceMs"] as const) {
    if (typeof spec[key] !== "number" || !Number.isFinite(spec[key]) || spec[key] < 0) {
      throw new TypeError(`startServer: spec.${key} must be a non-negative number, got ${String(spec[key])}`);
    }
  }
}
