import { formatError } from "@sagemaker-serve/errors";

/** The part of `process` the guard listens on; inject `process`, or an EventEmitter in tests. */
export interface CrashTarget {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

export interface CrashGuardOptions {
  target: CrashTarget;
  /** Where the error goes (stderr); a failing write is ignored, the cleanups have already run. */
  write: (text: string) => void;
  exit: (code: number) => void;
  exitCode: number;
}

export type CrashCleanup = () => string | undefined;

export interface CrashGuard {
  /**
   * Registers what must happen, synchronously, before the process dies of a bug; it returns what it did
   * ("killed pip's process group"), or undefined when there was nothing to do. Returns the registration's removal.
   */
  onCrash(cleanup: CrashCleanup): () => void;
  /** Removes the listeners (idempotent); an uncaught error crashes the process the default way again. */
  dispose(): void;
}

/**
 * Turns an uncaught exception or unhandled rejection into: every registered cleanup (for `serve`, SIGKILL to the
 * model server's process groups, so the server never outlives its supervisor), the error with its stack and the
 * line saying it is a bug, and `exit(exitCode)`.
 */
export function installCrashGuard({ target, write, exit, exitCode }: CrashGuardOptions): CrashGuard {
  const cleanups = new Set<CrashCleanup>();
  let crashed = false;
  const crash = (error: unknown): void => {
    if (crashed) return;
    crashed = true;
    const done: string[] = [];
    for (const cleanup of cleanups) {
      try {
        const what = cleanup();
        if (what !== undefined) done.push(`sagemaker-serve: ${what} before exiting\n`);
      } catch {
        // The next cleanup still runs: the point is to leave nothing behind.
      }
    }
    try {
      write(`${formatError(error)}\n${done.join("")}`);
    } catch {
      // stderr itself may be what broke.
    }
    exit(exitCode);
  };
  const events = ["uncaughtException", "unhandledRejection"] as const;
  for (const event of events) target.on(event, crash);
  return {
    onCrash: (cleanup) => {
      cleanups.add(cleanup);
      return () => void cleanups.delete(cleanup);
    },
    dispose: () => {
      for (const event of events) target.off(event, crash);
    },
  };
}
