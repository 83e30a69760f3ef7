import type { clearStalePidFile, startServer } from "@sagemaker-serve/process-lifecycle";
import type { PipIndex } from "@sagemaker-serve/codeartifact-auth";

/** Installs a requirements file; the pip-install package's job, injected so tests and main.ts choose it. */
export type InstallRequirements = (options: {
  python: string;
  requirementsPath: string;
  index: PipIndex | undefined;
  cwd: string;
  timeoutMs: number;
  /** Run pip even when these requirements were already installed (`SAGEMAKER_SERVE_PIP_FORCE`). */
  force: boolean;
  /** Index-changing requirements lines only warn under a private index (`SAGEMAKER_SERVE_PIP_ALLOW_INDEX_OPTIONS`). */
  allowIndexOptions: boolean;
  signal: AbortSignal;
  onLine: (line: string) => void;
  onWarning: (message: string) => void;
}) => Promise<{ skipped: boolean; detail?: string }>;

/** The packages `serve` drives; main.ts passes the real ones. */
export interface ServeServices {
  startServer: typeof startServer;
  clearStalePidFile: typeof clearStalePidFile;
  /** Loaded with a dynamic import so the AWS SDK is only evaluated when `CA_REPOSITORY_ARN` is set. */
  resolvePipIndex: (arn: string, signal: AbortSignal, durationSeconds: number) => Promise<PipIndex>;
  installRequirements: InstallRequirements;
}

/** Facts about this process that only main.ts may read from the globals. */
export interface Runtime {
  version: string;
  pid: number;
  /** node's executable, to run the bundle again as the built-in server. */
  execPath: string;
  /**
   * The running bundle (`dist/sagemaker-serve.js`), which `execPath` runs; undefined in the single executable
   * (`dist/sagemaker-serve`), which is `execPath` itself.
   */
  bundlePath: string | undefined;
  /** The same as a file: URL. */
  bundleUrl: string;
  /** The directory of the files shipped next to the bundle (the log4j2 XMLs, `python/`); the single executable's unpacked copy. */
  assetsDir: string;
  /** The Python worker files of the built-in server, shipped next to the bundle (or unpacked, as above). */
  pythonDir: string;
  /** Milliseconds since this process started (performance.now()). */
  uptimeMs: () => number;
  /** Aborted by a second stop signal: escalate to SIGKILL at once. */
  escalation: AbortSignal;
  /** The first stop signal received, if any. */
  stopSignal: () => string | undefined;
  /** Where SIGQUIT/SIGUSR1/SIGUSR2 go: serve points it at the server once started. */
  setForwardTarget: (forward: ((signal: NodeJS.Signals) => void) | undefined) => void;
  /**
   * Registers a synchronous cleanup for an uncaught error (serve: kill the server), which returns what it did or
   * undefined; returns its removal.
   */
  onCrash: (cleanup: () => string | undefined) => () => void;
  services: ServeServices;
}
