import { once } from "node:events";
import { isServeError } from "@sagemaker-serve/errors";
import { deferred } from "./deferred.ts";
import { lifecycleError, type LifecycleError } from "./errors.ts";
import type { ServerExit } from "./exit-code.ts";
import { validate, type ServerEvent, type ServerHandle, type StartServerSpec } from "./server-spec.ts";
import { spawnLauncher, type Launcher } from "./launcher.ts";
import { readProcessState } from "./proc-fs.ts";
import { confirmSingleServer, discoverServer, type DiscoveryOptions } from "./server-discovery.ts";
import { watchLiveness } from "./server-liveness.ts";
import { ServerProcesses } from "./server-processes.ts";
import { awaitReadiness } from "./server-readiness.ts";
import {
  nextState,
  ServerStateMachine,
  type ServerState,
  type ServerStateEvent,
  type Transition,
} from "./server-state.ts";
import { KILL_WAIT_CAP_MS, SETTLE_MS, waitAllGone } from "./stop-escalation.ts";
import { WakeTimer } from "./wake-timer.ts";

function aborted(reason: string): LifecycleError {
  return lifecycleError(
    "STARTUP_ABORTED",
    `server startup aborted: stop requested (${reason}) before the server was ready`,
    "Nothing to fix if the stop was intended (for example the platform stopping the container).",
  );
}

/** The launcher of a start that was aborted before it began. */
const NOT_SPAWNED: Launcher = {
  pid: undefined,
  exit: undefined,
  failed: () => false,
  spawnError: async () => undefined,
};

function stopReasonOf(signal: AbortSignal | undefined): string {
  // A signal router's abort names the signal, so the exit says who stopped the server.
  const stopSignal = (signal?.reason as { stopSignal?: unknown } | undefined)?.stopSignal;
  return typeof stopSignal === "string" ? stopSignal : "abort";
}

/**
 * Spawns a model server launcher detached (its own process group, stdio inherited), finds the real
 * server process, waits until its readiness check passes and watches it until it is gone. Each state of the
 * machine in `server-state.ts` runs one phase on entry and reports its outcome as the next event; see the
 * README for the state table, the discovery rules and the exit-code table.
 */
export function startServer(spec: StartServerSpec): ServerHandle {
  validate(spec);
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const deadline = started + spec.startupTimeoutMs;
  const pollMs = spec.pollIntervalMs ?? 25;
  const wake = new WakeTimer();
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
  // Aborted once the server process is gone (by itself or not); cuts the readiness probe and ends `ready`.
  const serverGone = new AbortController();
  serverGone.signal.addEventListener("abort", () => wake.poke(), { once: true });
  // What the events carried: why a stop was asked for, why the start failed, whether SIGKILL was needed.
  const outcome: { stopReason?: string; startupError?: LifecycleError; killed: boolean } = { killed: false };

  const machine = new ServerStateMachine((transition, leave) => {
    try {
      spec.onStateChange?.({ ...transition, ms: elapsed() });
    } catch {
      // An observer's bug must not break supervision.
    }
    void enter(transition, leave);
  });
  const stop = (event: "stop" | "kill", reason: string): Promise<ServerExit> => {
    if (nextState(machine.state, event) !== undefined) outcome.stopReason ??= reason;
    machine.send(event);
    return exited.promise;
  };
  const onAbort = (): void => void stop("stop", stopReasonOf(spec.signal));

  const launcher = spec.signal?.aborted
    ? NOT_SPAWNED
    : spawnLauncher({
        command: spec.command,
        args: spec.args,
        env: spec.env,
        ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
        ...(spec.output ? { onLine: spec.output.onLine } : {}),
        onExit: () => {
          if (processes.serverPid !== undefined && processes.serverPid === launcher.pid) serverGone.abort();
          wake.poke();
        },
      });
  const processes = new ServerProcesses(launcher);
  // Aborted when the machine reaches `exited`: ends the liveness watch.
  const finished = new AbortController();
  const discovery = (signal: AbortSignal): DiscoveryOptions => ({
    mainClass: spec.mainClass,
    launcher,
    foreground: spec.foreground === true,
    treeSource: spec.treeSource,
    deadline,
    pollMs,
    wake,
    signal,
    elapsed,
  });

  /** A phase failed before the server was ready: the start failed, unless a stop had already cut it short. */
  function startupFailed(error: unknown, from: ServerState, leave: AbortSignal): void {
    if (leave.aborted) return;
    outcome.startupError = isServeError(error)
      ? (error as LifecycleError)
      : lifecycleError("SERVER_NOT_FOUND", "server startup failed unexpectedly", "This is a bug.", error);
    outcome.stopReason ??= "startup-failed";
    machine.send("startup-failed", from);
  }

  /** Found and ready reject with the start's error, or STARTUP_ABORTED when a stop came first. */
  function rejectPending(): void {
    if (found.settled && ready.settled) return;
    const error = outcome.startupError ?? aborted(outcome.stopReason ?? "abort");
    if (!found.settled) found.reject(error);
    if (!ready.settled) ready.reject(error);
  }

  async function enter({ from, to }: Transition, leave: AbortSignal): Promise<void> {
    if (to === "stopping" || to === "killing" || to === "exited") rejectPending();
    switch (to) {
      case "discovering":
        try {
          const server = await discoverServer(discovery(leave));
          emit({ type: "found", ...server, ms: elapsed() });
          const pgid = server.pid === launcher.pid ? server.pid : (await readProcessState(server.pid))?.pgid;
          processes.setServer(server.pid, pgid);
          machine.send("found", "discovering");
        } catch (error) {
          startupFailed(error, "discovering", leave);
        }
        return;
      case "probing": {
        const pid = processes.serverPid!;
        found.resolve({ pid });
        if (pid !== launcher.pid) {
          void watchLiveness(pid, { gone: serverGone, signal: finished.signal, pollMs, wake });
        } else if (launcher.exit) serverGone.abort();
        try {
          await awaitReadiness({
            readiness: spec.readiness,
            pid,
            startupTimeoutMs: spec.startupTimeoutMs,
            deadline,
            serverGone: serverGone.signal,
            serverExit: () => (pid === launcher.pid ? launcher.exit : undefined),
            signal: leave,
            wake,
          });
          await confirmSingleServer(pid, discovery(leave));
          machine.send("healthy", "probing");
        } catch (error) {
          startupFailed(error, "probing", leave);
        }
        return;
      }
      case "ready":
        ready.resolve();
        emit({ type: "ready", ms: elapsed() });
        if (!serverGone.signal.aborted)
          await once(serverGone.signal, "abort", { signal: leave }).catch(() => undefined);
        if (serverGone.signal.aborted) machine.send("server-gone", "ready");
        return;
      case "settling":
        // The server is gone by itself: the rest of its group gets a moment to follow on its own.
        await settle("settling", SETTLE_MS, "settle-expired", leave);
        return;
      case "stopping":
        emit({ type: "stopping", reason: outcome.stopReason ?? "request", ms: elapsed() });
        processes.sendToAll("SIGTERM");
        await settle("stopping", spec.stopGraceMs, "grace-expired", leave);
        return;
      case "killing":
        if (outcome.stopReason !== undefined) {
          if (from !== "stopping") emit({ type: "stopping", reason: outcome.stopReason, ms: elapsed() });
          outcome.killed = true;
          emit({ type: "escalated", ms: elapsed() });
        }
        processes.sendToAll("SIGKILL");
        await settle("killing", KILL_WAIT_CAP_MS, "kill-wait-expired", leave);
        return;
      case "exited":
        finish();
        return;
      case "spawning":
        return;
    }
  }

  async function settle(
    state: ServerState,
    limitMs: number,
    expired: ServerStateEvent,
    leave: AbortSignal,
  ): Promise<void> {
    const gone = await waitAllGone(processes, { limitMs, signal: leave, pollMs, wake });
    machine.send(gone ? "all-gone" : expired, state);
  }

  function finish(): void {
    finished.abort();
    const serverIsLauncher =
      processes.serverPid === undefined ? spec.mainClass === undefined : processes.serverPid === launcher.pid;
    const own = serverIsLauncher && launcher.exit ? launcher.exit : { code: null, signal: null };
    const { stopReason, startupError, killed } = outcome;
    const exit: ServerExit = {
      kind: startupError ? "failed" : stopReason !== undefined ? (killed ? "killed" : "stopped") : "exited",
      code: own.code,
      signal: own.signal,
      stoppedBy: stopReason ?? null,
      ranMs: elapsed(),
      launcher: launcher.exit ?? null,
      ...(startupError ? { error: startupError } : {}),
    };
    spec.signal?.removeEventListener("abort", onAbort);
    exited.resolve(exit);
    emit({ type: "exited", exit });
  }

  async function begin(): Promise<void> {
    if (launcher === NOT_SPAWNED) {
      void stop("stop", stopReasonOf(spec.signal));
      return;
    }
    if (launcher.pid !== undefined) {
      emit({ type: "spawned", pid: launcher.pid });
      machine.send("spawned", "spawning");
      return;
    }
    const code =
      ((await launcher.spawnError()) as NodeJS.ErrnoException | undefined)?.code ?? "unknown error";
    if (machine.state !== "spawning") return;
    outcome.startupError = lifecycleError(
      "SERVER_SPAWN_FAILED",
      `could not start the model server launcher "${spec.command}": ${code}`,
      "Check that the launcher is installed and on the PATH, and that the working directory exists.",
    );
    machine.send("spawn-failed", "spawning");
  }

  spec.signal?.addEventListener("abort", onAbort, { once: true });
  void begin();

  return {
    get state() {
      return machine.state;
    },
    launcherPid: launcher.pid,
    found: found.promise,
    ready: ready.promise,
    exited: exited.promise,
    stop: ({ reason = "request" } = {}) => stop("stop", reason),
    kill: ({ reason = "request" } = {}) => stop("kill", reason),
    signal: (signal) => (exited.settled ? false : processes.forward(signal)),
    killNow: () => {
      if (!exited.settled) processes.sendToAll("SIGKILL");
    },
  };
}
