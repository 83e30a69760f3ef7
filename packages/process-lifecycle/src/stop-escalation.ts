import { setTimeout as sleep } from "node:timers/promises";
import type { ServerProcesses } from "./server-processes.ts";
import type { WakeTimer } from "./wake-timer.ts";

/** After SIGKILL, how long we wait for the kernel to take the group down before reporting anyway. */
export const KILL_WAIT_CAP_MS = 5000;
/** After the server ended by itself, how long a foreground launcher and the workers get to follow on their own. */
export const SETTLE_MS = 250;

export interface WaitGoneOptions {
  limitMs: number;
  /** Aborted when the wait no longer matters (its state was left). */
  signal: AbortSignal;
  pollMs: number;
  wake: WakeTimer;
}

/** Polls until every process of the server is gone: true, or false when `limitMs` passed or `signal` aborted. */
export async function waitAllGone(
  processes: ServerProcesses,
  { limitMs, signal, pollMs, wake }: WaitGoneOptions,
): Promise<boolean> {
  let over = signal.aborted;
  const end = (): void => {
    over = true;
    wake.poke();
  };
  // The limit is a timer of its own (not AbortSignal.timeout, which Node may collect while only `any` holds it).
  const limit = new AbortController();
  sleep(limitMs, undefined, { signal: limit.signal }).then(end, () => undefined);
  signal.addEventListener("abort", end, { once: true });
  try {
    while (!over) {
      if (await processes.allGone()) return true;
      await wake.nap(pollMs);
    }
    return false;
  } finally {
    limit.abort();
    signal.removeEventListener("abort", end);
  }
}
