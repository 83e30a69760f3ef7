/** Exit codes of `sagemaker-serve`, documented in the README's table. */
export const EXIT = {
  /** The command did what it was asked (for `serve`: the server was stopped on request and exited in time). */
  ok: 0,
  /** Anything not covered below, including a bug in sagemaker-serve. */
  failure: 1,
  /** Invalid environment or command line: nothing was started. */
  usage: 2,
  /** requirements.txt could not be installed (pip or CodeArtifact failed). */
  requirements: 3,
  /** The model could not be archived or the server config could not be written. */
  prepare: 4,
  /** The server could not be started or never became ready (launcher missing, exited early, port in use, timeout). */
  startup: 5,
} as const;
