import { lifecycleError } from "./errors.ts";
import { describeEnd, type LauncherExit } from "./launcher.ts";
import { describeProbe, probeReadiness, type ProbeResult, type ReadinessCheck } from "./readiness.ts";
import type { WakeTimer } from "./wake-timer.ts";

export interface ReadinessOptions {
  readiness: ReadinessCheck;
  /** The server being probed, for messages. */
  pid: number;
  startupTimeoutMs: number;
  /** `performance.now()` value of the startup deadline. */
  deadline: number;
  /** Aborted once the server is gone: the probe in flight is cut and the wait fails at once. */
  serverGone: AbortSignal;
  /** How the server ended, when it is our child (the launcher itself). */
  serverExit: () => LauncherExit | undefined;
  /** Aborted when readiness no longer matters (a stop). */
  signal: AbortSignal;
  wake: WakeTimer;
}

/** Probes until the check passes; SERVER_EXITED_BEFORE_READY or SERVER_NOT_READY otherwise. */
export async function awaitReadiness(options: ReadinessOptions): Promise<void> {
  const { readiness, pid, deadline, serverGone, signal } = options;
  const interval = readiness.intervalMs ?? 100;
  const probeSignal = AbortSignal.any([signal, serverGone]);
  let last: ProbeResult | undefined;
  for (;;) {
    signal.throwIfAborted();
    if (serverGone.aborted) {
      const own = options.serverExit() ?? { code: null, signal: null };
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
        `the model server was not ready within ${options.startupTimeoutMs} ms: GET ${readiness.url}, ${describeProbe(last)}`,
        "Raise SAGEMAKER_STARTUP_TIMEOUT if the model is slow to load, or read the server's output above.",
      );
    }
    const probe = await probeReadiness(readiness, {
      timeoutMs: Math.min(readiness.timeoutMs ?? 2000, Math.ceil(remaining)),
      signal: probeSignal,
    });
    signal.throwIfAborted();
    if (probe.ok) return;
    // A probe cut because the server went away says nothing about the server's health.
    if (serverGone.aborted) continue;
    last = probe;
    await options.wake.nap(interval);
  }
}
