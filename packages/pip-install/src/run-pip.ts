import { LineRedactor } from "@sagemaker-serve/errors";
import { execa } from "execa";

export interface RunPipOptions {
  python: string;
  args: string[];
  env: Record<string, string | undefined>;
  cwd?: string;
  /** Wall-clock budget for the run. */
  timeoutMs: number;
  signal: AbortSignal;
  onLine: (line: string, stream: "stdout" | "stderr") => void;
  /** How many of the last lines to keep. */
  tailLines: number;
}

export interface RunPipOutcome {
  exitCode: number | undefined;
  signal: string | undefined;
  timedOut: boolean;
  aborted: boolean;
  /** Set when the interpreter could not be started at all (ENOENT, EACCES, ...). */
  spawnError: string | undefined;
  /** The last lines printed, redacted, oldest first. */
  tail: string[];
}

const PIPE_GRACE_MS = 2000;

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch (error) {
    // ESRCH: the group is already gone.
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/**
 * Runs `<python> <args>` in its own process group with output streamed line by line through the redactor. On
 * timeout or abort the whole group gets SIGKILL: pip has nothing to save, and a build backend it started must not
 * outlive it. The group is killed again the moment pip exits, so no straggler survives.
 */
export async function runPip(options: RunPipOptions): Promise<RunPipOutcome> {
  const { python, args, env, cwd, timeoutMs, signal, onLine, tailLines } = options;
  const tail: string[] = [];
  const redactorFor = (stream: "stdout" | "stderr") =>
    new LineRedactor({
      onLine: (line) => {
        tail.push(line);
        if (tail.length > tailLines) tail.shift();
        onLine(line, stream);
      },
    });
  const out = redactorFor("stdout");
  const err = redactorFor("stderr");

  const child = execa(python, args, {
    env,
    extendEnv: true,
    cwd,
    detached: true,
    stdin: "ignore",
    buffer: false,
    reject: false,
  });
  child.stdout?.on("data", (chunk: Buffer) => out.write(chunk));
  child.stderr?.on("data", (chunk: Buffer) => err.write(chunk));

  // pip's pid is its group's id only until Node reaps it: the group is signalled while pip is known alive, and once
  // more in the same tick as the reap (for stragglers it left), never later, when the number may be reused.
  let leaderReaped = false;
  child.once("exit", () => {
    leaderReaped = true;
    try {
      killGroup(child.pid);
    } catch {
      // EPERM: a straggler changed its credentials; nothing more this side may do
    }
  });
  let timedOut = false;
  let aborted = false;
  let release: NodeJS.Timeout | undefined;
  const stop = () => {
    if (!leaderReaped) killGroup(child.pid);
    // A process that left pip's group (setsid) but holds its output pipes would keep `await child` pending
    // forever: stop listening to the pipes after a grace period so the timeout stays a timeout.
    release = setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, PIPE_GRACE_MS);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, timeoutMs);
  const onAbort = () => {
    aborted = true;
    stop();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  try {
    const result = await child;
    out.end();
    err.end();
    const spawnError =
      result.failed && result.exitCode === undefined && result.signal === undefined && !timedOut && !aborted
        ? ((result.cause as NodeJS.ErrnoException | undefined)?.code ??
          result.shortMessage ??
          "could not start")
        : undefined;
    return { exitCode: result.exitCode, signal: result.signal, timedOut, aborted, spawnError, tail };
  } finally {
    clearTimeout(timer);
    clearTimeout(release);
    signal.removeEventListener("abort", onAbort);
  }
}
