import { setTimeout as sleep } from "node:timers/promises";

export interface WaitForOptions {
  /** Give up after this long. Default 15 s: generous, because CI shares two cores among every package. */
  timeoutMs?: number;
  /** Pause between tries. Default 20 ms. */
  intervalMs?: number;
  /** Names the condition in the timeout error. */
  description?: string;
}

/**
 * Calls `check` until it returns a value other than `undefined`, `null` or `false`, and returns that value.
 * Throws when the deadline passes, naming the condition and the last error `check` threw.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 15_000, intervalMs = 20, description = "condition" }: WaitForOptions = {},
): Promise<Exclude<T, false | null | undefined>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) {
        return value as Exclude<T, false | null | undefined>;
      }
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? `; last error: ${lastError.message}` : "";
      throw new Error(`waitFor: ${description} not met within ${timeoutMs} ms${detail}`, {
        cause: lastError,
      });
    }
    await sleep(intervalMs);
  }
}
