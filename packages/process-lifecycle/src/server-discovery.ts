import { lifecycleError, type LifecycleError } from "./errors.ts";
import { searchError, searchServerProcesses, type SearchScope } from "./find-server.ts";
import { describeEnd, type Launcher } from "./launcher.ts";
import type { TreeSource } from "./process-tree.ts";
import type { WakeTimer } from "./wake-timer.ts";

export interface DiscoveryOptions {
  /** The argv element of the real server; undefined: the launcher is the server. */
  mainClass: string | undefined;
  /** A spawned launcher (its pid is defined). */
  launcher: Launcher;
  foreground: boolean;
  treeSource: TreeSource | undefined;
  /** `performance.now()` value after which the last search error is final. */
  deadline: number;
  pollMs: number;
  wake: WakeTimer;
  /** Aborted when discovery no longer matters (a stop). */
  signal: AbortSignal;
  elapsed: () => number;
}

export interface Discovered {
  pid: number;
  via: "launcher" | "descendants" | "process-table";
}

/** While the launcher runs its descendants are searched; after it exited (daemonised), the whole table. */
function scopeFor(launcher: Launcher, treeSource: TreeSource | undefined): SearchScope {
  return launcher.exit === undefined && launcher.pid !== undefined
    ? { kind: "descendants", of: launcher.pid, ...(treeSource ? { source: treeSource } : {}) }
    : { kind: "process-table" };
}

async function searchOnce(
  mainClass: string,
  scope: SearchScope,
  elapsedMs: number,
): Promise<{ pids: number[]; error: LifecycleError | undefined }> {
  try {
    const result = await searchServerProcesses(mainClass, scope);
    return { pids: result.pids, error: searchError(mainClass, result, elapsedMs) };
  } catch (cause) {
    // The toolkit retries every error of a scan; so do we, keeping the cause for the last report.
    const message = cause instanceof Error ? cause.message : String(cause);
    return {
      pids: [],
      error: lifecycleError(
        "SERVER_NOT_FOUND",
        `could not scan for the server process: ${message}`,
        "Check that /proc is mounted (or a `ps` binary exists).",
        cause,
      ),
    };
  }
}

/** Finds the one real server process, polling until the deadline; throws the toolkit's errors. */
export async function discoverServer(options: DiscoveryOptions): Promise<Discovered> {
  const { mainClass, launcher, signal } = options;
  const launcherPid = launcher.pid;
  if (launcherPid === undefined) throw new TypeError("discoverServer: the launcher was not spawned");
  if (mainClass === undefined) return { pid: launcherPid, via: "launcher" };
  for (;;) {
    signal.throwIfAborted();
    const scope = scopeFor(launcher, options.treeSource);
    const { pids, error } = await searchOnce(mainClass, scope, options.elapsed());
    signal.throwIfAborted();
    const only = pids[0];
    if (error === undefined && only !== undefined) {
      return { pid: only, via: scope.kind === "descendants" ? "descendants" : "process-table" };
    }
    const exit = launcher.exit;
    if (scope.kind === "process-table" && pids.length === 0 && (launcher.failed() || options.foreground)) {
      throw lifecycleError(
        "SERVER_EXITED_BEFORE_READY",
        `the launcher (pid ${launcherPid}) exited${describeEnd(exit?.code ?? null, exit?.signal ?? null)} before a process with the argv element "${mainClass}" appeared`,
        "Read the launcher's output above (for example a stale pid file, a missing java, a bad config).",
      );
    }
    if (performance.now() >= options.deadline && error) throw error;
    await options.wake.nap(options.pollMs);
  }
}

/**
 * One more scan when the readiness check first passes: a second server that appeared after discovery (a race
 * the toolkit has too) would otherwise be supervised half-blind.
 */
export async function confirmSingleServer(
  pid: number,
  { mainClass, launcher, treeSource, signal, elapsed }: DiscoveryOptions,
): Promise<void> {
  if (mainClass === undefined || pid === launcher.pid) return;
  const result = await searchServerProcesses(mainClass, scopeFor(launcher, treeSource));
  signal.throwIfAborted();
  if (result.pids.length > 1) {
    const error = searchError(mainClass, result, elapsed());
    if (error) throw error;
  }
}
