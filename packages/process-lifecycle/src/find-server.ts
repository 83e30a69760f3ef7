import { lifecycleError, type LifecycleError } from "./errors.ts";
import { isGoneState, listPids, readCmdline, readProcessState } from "./proc-fs.ts";
import { listDescendants, type TreeSource } from "./process-tree.ts";

/** The main class of the MMS frontend JVM. */
export const MMS_MAIN_CLASS = "com.amazonaws.ml.mms.ModelServer";
/** The main class of the TorchServe frontend JVM. */
export const TORCHSERVE_MAIN_CLASS = "org.pytorch.serve.ModelServer";

/** Where to look for the server process. */
export type SearchScope =
  { kind: "descendants"; of: number; source?: TreeSource } | { kind: "process-table" };

/** What one search attempt found. */
export interface ServerSearchResult {
  /** Live, non-zombie processes with an argv element exactly equal to the main class. */
  pids: number[];
  scope: SearchScope["kind"];
}

/**
 * One search attempt: processes whose argv has an element exactly equal to `mainClass`, zombies
 * skipped (a zombie's argv is empty and its state is `Z`). Processes that vanish mid-scan are skipped.
 */
export async function searchServerProcesses(
  mainClass: string,
  scope: SearchScope,
): Promise<ServerSearchResult> {
  if (typeof mainClass !== "string" || mainClass === "") {
    throw new TypeError("searchServerProcesses: mainClass must be a non-empty string");
  }
  const candidates =
    scope.kind === "descendants" ? await listDescendants(scope.of, scope.source) : await listPids();
  const own = process.pid;
  const matches = await Promise.all(
    candidates.map(async (pid) => {
      if (pid === own) return undefined;
      const argv = await readCmdline(pid);
      if (argv === undefined || !argv.includes(mainClass)) return undefined;
      const state = await readProcessState(pid);
      return state === undefined || isGoneState(state.state) ? undefined : pid;
    }),
  );
  let pids = matches.filter((pid): pid is number => pid !== undefined);
  if (scope.kind === "descendants" && pids.length > 0) {
    // The tree was read before the argvs: a process that left it since (orphaned, then exec'd into the server)
    // matched on its new argv under its old parent. Only those still descendants now count.
    const still = new Set(await listDescendants(scope.of, scope.source));
    pids = pids.filter((pid) => still.has(pid));
  }
  return { pids, scope: scope.kind };
}

/** The toolkit's own words for each main class (sagemaker-inference-toolkit, sagemaker-pytorch-inference-toolkit). */
function toolkitWords(mainClass: string): { none: string; multiple: string } {
  if (mainClass === TORCHSERVE_MAIN_CLASS) {
    return {
      none: "Torchserve model server was unsuccessfully started",
      multiple: "multiple ts model servers are not supported",
    };
  }
  return {
    none: "mms model server was unsuccessfully started",
    multiple: "multiple mms model servers are not supported",
  };
}

/**
 * Turns a search result into the toolkit's errors: none → `SERVER_NOT_FOUND`, more than one →
 * `SERVER_MULTIPLE`. Undefined when exactly one process matched.
 */
export function searchError(
  mainClass: string,
  result: ServerSearchResult,
  waitedMs: number,
): LifecycleError | undefined {
  const words = toolkitWords(mainClass);
  const where = result.scope === "descendants" ? "among the launcher's descendants" : "in the process table";
  if (result.pids.length === 0) {
    return lifecycleError(
      "SERVER_NOT_FOUND",
      `${words.none}: no live process with the argv element "${mainClass}" ${where} after ${waitedMs} ms`,
      "Check the launcher's output above; raise SAGEMAKER_STARTUP_TIMEOUT if the server is just slow to start.",
    );
  }
  if (result.pids.length > 1) {
    return lifecycleError(
      "SERVER_MULTIPLE",
      `${words.multiple}: ${result.pids.length} processes (${result.pids.join(", ")}) have the argv element "${mainClass}" ${where}`,
      "Stop the other model server (or start this container fresh); only one server per container is supported.",
    );
  }
  return undefined;
}
