import { ServeError } from "@sagemaker-serve/errors";

/** Signals that start a graceful stop (a second one escalates). */
export const STOP_SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;
/** Signals passed on to the server without stopping (SIGQUIT: JVM thread dump). */
export const FORWARD_SIGNALS = ["SIGQUIT", "SIGUSR1", "SIGUSR2"] as const;

export type StopSignal = (typeof STOP_SIGNALS)[number];
export type ForwardSignal = (typeof FORWARD_SIGNALS)[number];

/** The part of `process` the router needs; inject `process`, or an EventEmitter in tests. */
export interface SignalTarget {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** The abort reason of the router's signal: which stop signal arrived. */
export class StopRequestedError extends ServeError<"STOP_REQUESTED"> {
  override name = "StopRequestedError";
  readonly stopSignal: StopSignal;

  constructor(stopSignal: StopSignal) {
    super("STOP_REQUESTED", `stop requested by ${stopSignal}`, {
      hint: "Nothing to fix: the container was asked to stop.",
    });
    this.stopSignal = stopSignal;
  }
}

export interface SignalRouterOptions {
  target: SignalTarget;
  /** First SIGTERM/SIGINT/SIGHUP: start a graceful stop. The router's `signal` is aborted just before. */
  onStop: (signal: StopSignal) => void;
  /** Any stop signal after the first: escalate to SIGKILL at once. */
  onEscalate: (signal: StopSignal) => void;
  /** SIGQUIT/SIGUSR1/SIGUSR2: pass to the server; never stops anything. */
  onForward: (signal: ForwardSignal) => void;
}

export interface SignalRouter {
  /** Aborted at the first stop signal (reason: a `StopRequestedError`); thread it through every startup step. */
  readonly signal: AbortSignal;
  /** The first stop signal received, if any. */
  readonly stopSignal: StopSignal | undefined;
  /** Removes every listener (idempotent); signals get their default behaviour back. */
  dispose(): void;
}

/**
 * Installs the CLI's signal handling, first thing: stop signals start one graceful stop and abort the
 * startup through `signal`, a second stop signal escalates, diagnostic signals are forwarded. Listening
 * also keeps Node as PID 1 from ignoring SIGTERM and SIGINT.
 */
export function installSignalRouter({
  target,
  onStop,
  onEscalate,
  onForward,
}: SignalRouterOptions): SignalRouter {
  if (typeof target?.on !== "function" || typeof target.off !== "function") {
    throw new TypeError("installSignalRouter: target must have on() and off() (pass process)");
  }
  const controller = new AbortController();
  let stopSignal: StopSignal | undefined;
  const listeners: [string, () => void][] = [];

  for (const name of STOP_SIGNALS) {
    listeners.push([
      name,
      () => {
        if (stopSignal !== undefined) {
          onEscalate(name);
          return;
        }
        stopSignal = name;
        controller.abort(new StopRequestedError(name));
        onStop(name);
      },
    ]);
  }
  for (const name of FORWARD_SIGNALS) listeners.push([name, () => onForward(name)]);
  for (const [name, listener] of listeners) target.on(name, listener);

  let disposed = false;
  return {
    signal: controller.signal,
    get stopSignal() {
      return stopSignal;
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      for (const [name, listener] of listeners) target.off(name, listener);
    },
  };
}
