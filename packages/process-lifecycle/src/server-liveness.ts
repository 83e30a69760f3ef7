import { isAlive } from "./proc-fs.ts";
import type { WakeTimer } from "./wake-timer.ts";

/**
 * Watches a server that is not our child until it is gone (zombie-proof, see `isAlive`), then aborts `gone`.
 * Ends without a word once `gone` or `signal` is aborted by someone else.
 */
export async function watchLiveness(
  pid: number,
  {
    gone,
    signal,
    pollMs,
    wake,
  }: { gone: AbortController; signal: AbortSignal; pollMs: number; wake: WakeTimer },
): Promise<void> {
  while (!gone.signal.aborted && !signal.aborted) {
    if (!(await isAlive(pid))) {
      gone.abort();
      return;
    }
    await wake.nap(pollMs);
  }
}
