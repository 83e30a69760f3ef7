import { constants } from "node:os";
import type { LifecycleError } from "./errors.ts";

/**
 * How a server's run ended.
 * - `exited`: the server ended by itself (nobody asked it to stop).
 * - `stopped`: a stop was requested and the server was gone within the grace period.
 * - `killed`: a stop was requested and the group had to be SIGKILLed after the grace period (or at once on escalation).
 * - `failed`: it never started: spawn error, server not found, exited or not ready before the startup deadline.
 */
export type ServerExitKind = "exited" | "stopped" | "killed" | "failed";

/** What `exited` resolves with. */
export interface ServerExit {
  kind: ServerExitKind;
  /** The server's exit code, when it is known (only when the server is our direct child). */
  code: number | null;
  /** The signal that ended the server, when it is known (only when the server is our direct child). */
  signal: NodeJS.Signals | null;
  /** Who asked for the stop (`"SIGTERM"`, `"request"`, `"abort"`, `"startup-failed"`, ...); null when nobody did. */
  stoppedBy: string | null;
  /** Milliseconds from spawning the launcher until the whole group was gone. */
  ranMs: number;
  /** The launcher's own exit, when it was spawned (its code says little: launchers exit 0 whatever the JVM did). */
  launcher: { code: number | null; signal: NodeJS.Signals | null } | null;
  /** Why the start failed, for `kind: "failed"`. */
  error?: LifecycleError;
}

/** The code a process that ended unknowably (not our child) is reported with. */
export const UNKNOWN_EXIT_CODE = 1;
/** The exit code for a start that failed. */
export const FAILED_EXIT_CODE = 1;

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}

/**
 * The entrypoint's exit code for a server exit (documented in the README):
 * exited by itself with code c → c; died by signal s → 128+s; exited with an unknown status → 1;
 * stopped on request within the grace period → 0; SIGKILLed after the grace period → 137 (128+9);
 * failed before it started → 1.
 */
export function exitCodeFor(exit: Pick<ServerExit, "kind" | "code" | "signal">): number {
  switch (exit.kind) {
    case "stopped":
      return 0;
    case "killed":
      return 128 + signalNumber("SIGKILL");
    case "failed":
      return FAILED_EXIT_CODE;
    case "exited":
      if (exit.code !== null) return exit.code & 0xff;
      if (exit.signal !== null) return (128 + signalNumber(exit.signal)) & 0xff;
      return UNKNOWN_EXIT_CODE;
    default:
      throw new TypeError(
        `exitCodeFor: unknown exit kind ${JSON.stringify((exit as { kind: unknown }).kind)}`,
      );
  }
}
