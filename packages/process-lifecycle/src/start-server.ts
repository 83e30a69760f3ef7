import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { LineRedactor, isServeError } from "@sagemaker-serve/errors";
import { lifecycleError, type LifecycleError } from "./errors.ts";
import type { ServerExit } from "./exit-code.ts";
import { searchError, searchServerProcesses } from "./find-server.ts";
import { isAlive, isValidPid, liveGroupMembers, readProcessState } from "./proc-fs.ts";
import { signalGroup, signalProcess } from "./process-group.ts";
import type { TreeSource } from "./process-tree.ts";
import { describeProbe, probeReadiness, type ProbeResult, type ReadinessCheck } from "./readiness.ts";
import { WakeTimer } from "./wake-timer.ts";

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

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
  settled: boolean;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const d: Deferred<T> = {
    promise,
    settled: false,
    resolve: (value) => {
      d.settled = true;
      resolve(value);
    },
    reject: (reason) => {
      d.settled = true;
      reject(reason);
    },
  };
  // Callers may await only some of the handle's promises; the others must not crash the process.
  promise.catch(() => undefined);
  return d;
}

const KILL_WAIT_CAP_MS = 5000;
const SETTLE_MS = 250;

/** A timer as a promise that can be cancelled, so a finished stop keeps no timer alive. */
function delay(ms: number): { promise: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

function validate(spec: StartServerSpec): void {
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

function definedEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

function describeEnd(code: number | null, signal: NodeJS.Signals | null): string {
  if (code !== null) return ` with code ${code}`;
  if (signal !== null) return ` by ${signal}`;
  return "";
}

function aborted(reason: string): LifecycleError {
  return lifecycleError(
    "STARTUP_ABORTED",
    `server startup aborted: stop requested (${reason}) before the server was ready`,
    "Nothing to fix if the stop was intended (for example the platform stopping the container).",
  );
}

/**
 * Spawns a model server launcher detached (its own process group, stdio inherited), finds the real
 * server process, waits until its readiness check passes and watches it until it is gone. See the
 * README for the discovery rules and the exit-code table.
 */
export function startServer(spec: StartServerSpec): ServerHandle {
  validate(spec);
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const pollMs = spec.pollIntervalMs ?? 25;
  const wake = new WakeTimer();
  const internal = new AbortController();
  const emit = (event: ServerEvent): void => {
    try {
      spec.onEvent?.(event);
    } catch {
      // An observer's bug must not break supervision.
    }
  };

  const found = deferred<{ pid: number }>();
  const ready = deferred<void>();
  const exited = deferred<ServerExit>();
  const serverGone = deferred<void>();
  const escalate = deferred<void>();

  let launcherExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let serverPid: number | undefined;
  let serverGroup: number | undefined;
  let startupError: LifecycleError | undefined;
  let stopReason: string | undefined;
  let killed = false;
  let ending: Promise<ServerExit> | undefined;

  let child: ChildProcess | undefined;
  let spawnError: unknown;
  if (spec.signal?.aborted) {
    const stopSignal = (spec.signal.reason as { stopSignal?: unknown } | undefined)?.stopSignal;
    stopReason = typeof stopSignal === "string" ? stopSignal : "abort";
  } else {
    try {
      child = spawn(spec.command, [...spec.args], {
        cwd: spec.cwd,
        env: definedEnv(spec.env),
        detached: true,
        stdio: spec.output ? ["ignore", "pipe", "pipe"] : "inherit",
      });
    } catch (error) {
      spawnError = error;
    }
  }
  const launcherPid = isValidPid(child?.pid) ? child.pid : undefined;

  if (child && launcherPid !== undefined) {
    emit({ type: "spawned", pid: launcherPid });
    child.once("exit", (code, signal) => {
      launcherExit = { code, signal };
      if (serverPid === launcherPid) serverGone.resolve();
      wake.poke();
    });
    if (spec.output) {
      const { onLine } = spec.output;
      for (const stream of ["stdout", "stderr"] as const) {
        const redactor = new LineRedactor({ onLine: (line) => onLine(line, stream) });
        child[stream]?.on("data", (chunk: Buffer) => redactor.write(chunk));
        child[stream]?.once("end", () => redactor.end());
      }
    }
  }
  // 'error' can come more than once (a failed spawn, a failed kill); an unheard one would crash us.
  child?.on("error", (error) => {
    spawnError ??= error;
  });

  const launcherFailed = (): boolean =>
    launcherExit !== undefined && (launcherExit.signal !== null || (launcherExit.code ?? 0) !== 0);

  async function discover(pid: number): Promise<number> {
    const mainClass = spec.mainClass;
    if (mainClass === undefined) {
      emit({ type: "found", pid, via: "launcher", ms: elapsed() });
      return pid;
    }
    const deadline = started + spec.startupTimeoutMs;
    for (;;) {
      internal.signal.throwIfAborted();
      const launcherRunning = launcherExit === undefined;
      let error: LifecycleError | undefined;
      let pids: number[] = [];
      try {
        const result = await searchServerProcesses(
          mainClass,
          launcherRunning
            ? { kind: "descendants", of: pid, ...(spec.treeSource ? { source: spec.treeSource } : {}) }
            : { kind: "process-table" },
        );
        pids = result.pids;
        error = searchError(mainClass, result, elapsed());
      } catch (cause) {
        // The toolkit retries every error of a scan; so do we, keeping the cause for the last report.
        error = lifecycleError(
          "SERVER_NOT_FOUND",
          `could not scan for the server process: ${cause instanceof Error ? cause.message : String(cause)}`,
          "Check that /proc is mounted (or a `ps` binary exists).",
          cause,
        );
      }
      internal.signal.throwIfAborted();
      const only = pids[0];
      if (error === undefined && only !== undefined) {
        emit({
          type: "found",
          pid: only,
          via: launcherRunning ? "descendants" : "process-table",
          ms: elapsed(),
        });
        return only;
      }
      if (!launcherRunning && pids.length === 0 && (launcherFailed() || spec.foreground === true)) {
        throw lifecycleError(
          "SERVER_EXITED_BEFORE_READY",
          `the launcher (pid ${pid}) exited${describeEnd(launcherExit?.code ?? null, launcherExit?.signal ?? null)} before a process with the argv element "${mainClass}" appeared`,
          "Read the launcher's output above (for example a stale pid file, a missing java, a bad config).",
        );
      }
      if (performance.now() >= deadline && error) throw error;
      await wake.nap(pollMs);
    }
  }

  async function watchServer(pid: number): Promise<void> {
    if (pid === launcherPid) return;
    while (!serverGone.settled) {
      if (!(await isAlive(pid))) {
        serverGone.resolve();
        wake.poke();
        return;
      }
      await wake.nap(pollMs);
    }
  }

  // A second server that appeared after discovery (a race the toolkit has too) would otherwise be supervised
  // half-blind; one more scan when /ping first passes catches it before we report ready.
  async function confirmSingleServer(pid: number): Promise<void> {
    const mainClass = spec.mainClass;
    if (mainClass === undefined || pid === launcherPid) return;
    const launcherRunning = launcherExit === undefined && launcherPid !== undefined;
    const result = await searchServerProcesses(
      mainClass,
      launcherRunning
        ? { kind: "descendants", of: launcherPid, ...(spec.treeSource ? { source: spec.treeSource } : {}) }
        : { kind: "process-table" },
    );
    internal.signal.throwIfAborted();
    if (result.pids.length > 1) {
      const error = searchError(mainClass, result, elapsed());
      if (error) throw error;
    }
  }

  async function waitReady(pid: number): Promise<void> {
    const deadline = started + spec.startupTimeoutMs;
    const interval = spec.readiness.intervalMs ?? 100;
    let last: ProbeResult | undefined;
    for (;;) {
      internal.signal.throwIfAborted();
      if (serverGone.settled) {
        const own = pid === launcherPid && launcherExit ? launcherExit : { code: null, signal: null };
        throw lifecycleError(
          "SERVER_EXITED_BEFORE_READY",
          `the model server (pid ${pid}) exited${describeEnd(own.code, own.signal)} before it was ready (${describeProbe(last)})`,
          "Read the server's output above: a failed model load, a bad config or a port already in use.",
        );
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        throw lifecycleError(
          "SERVER_NOT_READY",
          `the model server was not ready within ${spec.startupTimeoutMs} ms: GET ${spec.readiness.url}, ${describeProbe(last)}`,
          "Raise SAGEMAKER_STARTUP_TIMEOUT if the model is slow to load, or read the server's output above.",
        );
      }
      const probe = await Promise.race([
        probeReadiness(spec.readiness, {
          timeoutMs: Math.min(spec.readiness.timeoutMs ?? 2000, Math.ceil(remaining)),
          signal: internal.signal,
        }),
        serverGone.promise.then(() => undefined),
      ]);
      internal.signal.throwIfAborted();
      if (probe?.ok) return;
      last = probe ?? last;
      if (probe !== undefined) await wake.nap(interval);
    }
  }

  function groups(): { groups: number[]; loners: number[] } {
    const result = { groups: [] as number[], loners: [] as number[] };
    if (launcherPid !== undefined) result.groups.push(launcherPid);
    if (serverPid !== undefined && serverGroup !== launcherPid) {
      if (serverGroup === serverPid) result.groups.push(serverPid);
      else result.loners.push(serverPid);
    }
    return result;
  }

  function sendToAll(signal: NodeJS.Signals): void {
    const { groups: pgids, loners } = groups();
    for (const pid of loners) signalProcess(pid, signal);
    for (const pgid of pgids) signalGroup(pgid, signal);
  }

  async function everythingGone(): Promise<boolean> {
    if (launcherPid !== undefined && launcherExit === undefined) return false;
    if (serverPid !== undefined && serverPid !== launcherPid && (await isAlive(serverPid))) return false;
    for (const pgid of groups().groups) if ((await liveGroupMembers(pgid)).length > 0) return false;
    return true;
  }

  async function waitAllGone(limitMs: number, cut?: Promise<unknown>): Promise<boolean> {
    const timer = delay(limitMs);
    let limited = false;
    void Promise.race([timer.promise, ...(cut ? [cut] : [])]).then(() => {
      limited = true;
      wake.poke();
    });
    try {
      while (!limited) {
        if (await everythingGone()) return true;
        await wake.nap(pollMs);
      }
      return false;
    } finally {
      timer.cancel();
    }
  }

  function finish(): ServerExit {
    const serverIsLauncher =
      serverPid === undefined ? spec.mainClass === undefined : serverPid === launcherPid;
    const own = serverIsLauncher && launcherExit ? launcherExit : { code: null, signal: null };
    const exit: ServerExit = {
      kind: startupError ? "failed" : stopReason !== undefined ? (killed ? "killed" : "stopped") : "exited",
      code: own.code,
      signal: own.signal,
      stoppedBy: stopReason ?? null,
      ranMs: elapsed(),
      launcher: launcherExit ?? null,
      ...(startupError ? { error: startupError } : {}),
    };
    spec.signal?.removeEventListener("abort", onAbort);
    exited.resolve(exit);
    emit({ type: "exited", exit });
    return exit;
  }

  async function stopSequence(reason: string): Promise<ServerExit> {
    stopReason = reason;
    internal.abort();
    wake.poke();
    if (launcherPid === undefined) return finish();
    emit({ type: "stopping", reason, ms: elapsed() });
    sendToAll("SIGTERM");
    if (!(await waitAllGone(spec.stopGraceMs, escalate.promise))) {
      killed = true;
      emit({ type: "escalated", ms: elapsed() });
      sendToAll("SIGKILL");
      await waitAllGone(KILL_WAIT_CAP_MS);
    }
    return finish();
  }

  async function naturalEnd(): Promise<ServerExit> {
    // The server is gone by itself: a foreground launcher and the workers get a moment to follow on their
    // own, then nothing of the group may outlive it.
    if (!(await waitAllGone(SETTLE_MS))) {
      sendToAll("SIGKILL");
      await waitAllGone(KILL_WAIT_CAP_MS);
    }
    return finish();
  }

  function onAbort(): void {
    // A signal router's abort names the signal, so the exit says who stopped the server.
    const reason: unknown = spec.signal?.reason;
    const stopSignal = (reason as { stopSignal?: unknown } | undefined)?.stopSignal;
    void beginStop(typeof stopSignal === "string" ? stopSignal : "abort");
  }

  function beginStop(reason: string): Promise<ServerExit> {
    ending ??= stopSequence(reason);
    return exited.promise;
  }

  async function run(): Promise<void> {
    if (launcherPid === undefined) {
      // A failed spawn reports its error on the next tick (the 'error' listener above records it).
      if (child && spawnError === undefined) await once(child, "error");
      if (stopReason === undefined) {
        const code = (spawnError as NodeJS.ErrnoException | undefined)?.code ?? "unknown error";
        startupError = lifecycleError(
          "SERVER_SPAWN_FAILED",
          `could not start the model server launcher "${spec.command}": ${code}`,
          "Check that the launcher is installed and on the PATH, and that the working directory exists.",
        );
      }
      const error = startupError ?? aborted(stopReason ?? "abort");
      found.reject(error);
      ready.reject(error);
      ending = Promise.resolve(finish());
      return;
    }
    try {
      const pid = await discover(launcherPid);
      serverPid = pid;
      serverGroup = pid === launcherPid ? launcherPid : (await readProcessState(pid))?.pgid;
      found.resolve({ pid });
      if (pid !== launcherPid) void watchServer(pid);
      else if (launcherExit) serverGone.resolve();
      await waitReady(pid);
      await confirmSingleServer(pid);
      ready.resolve();
      emit({ type: "ready", ms: elapsed() });
    } catch (error) {
      const failure =
        stopReason !== undefined
          ? aborted(stopReason)
          : isServeError(error)
            ? (error as LifecycleError)
            : lifecycleError(
                "SERVER_NOT_FOUND",
                "server startup failed unexpectedly",
                "This is a bug.",
                error,
              );
      if (stopReason === undefined) startupError = failure;
      if (!found.settled) found.reject(failure);
      ready.reject(failure);
      if (stopReason === undefined) void beginStop("startup-failed");
      return;
    }
    await serverGone.promise;
    ending ??= naturalEnd();
  }

  spec.signal?.addEventListener("abort", onAbort, { once: true });
  void run();

  return {
    launcherPid,
    found: found.promise,
    ready: ready.promise,
    exited: exited.promise,
    stop: ({ reason = "request" } = {}) => beginStop(reason),
    kill: ({ reason = "request" } = {}) => {
      escalate.resolve();
      return beginStop(reason);
    },
    signal: (signal) => {
      const target = serverPid ?? launcherPid;
      if (target === undefined || exited.settled) return false;
      return signalProcess(target, signal);
    },
    killNow: () => {
      if (!exited.settled) sendToAll("SIGKILL");
    },
  };
}
