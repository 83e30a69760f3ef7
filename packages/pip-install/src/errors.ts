import { ServeError, type ServeErrorOptions } from "@sagemaker-serve/errors";

/** Every code this package throws. Codes are API: renaming one is a breaking change. */
export type PipInstallErrorCode =
  | "PIP_INSTALL_FAILED"
  | "PIP_TIMEOUT"
  | "PIP_NOT_AVAILABLE"
  | "REQUIREMENTS_POLICY"
  | "REQUIREMENTS_UNREADABLE";

/** A line of a requirements file that would change where packages come from. */
export interface PolicyViolation {
  /** The requirements file (the top one or one it includes with `-r`/`-c`). */
  file: string;
  /**
   * 1-based number of the line where the logical line starts, as pip counts; 0 when `file` names a setting of
   * pip's configuration (a constraint file given by URL).
   */
  line: number;
  /** The option or kind of source (`--extra-index-url`, `direct URL`, ...). */
  option: string;
}

export interface PipInstallErrorOptions extends ServeErrorOptions {
  /** The interpreter that was run. */
  command?: string;
  /** pip's arguments, redacted. */
  args?: string[];
  exitCode?: number | undefined;
  signal?: string | undefined;
  /** The last lines pip printed (redacted), oldest first. */
  outputTail?: string[];
  durationMs?: number;
  violations?: PolicyViolation[];
}

/** A pip-install failure. Nothing in it holds a token: output and arguments are redacted before they get here. */
export class PipInstallError extends ServeError<PipInstallErrorCode> {
  override name = "PipInstallError";
  readonly command: string | undefined;
  readonly args: string[];
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly outputTail: string[];
  readonly durationMs: number | undefined;
  readonly violations: PolicyViolation[];

  constructor(code: PipInstallErrorCode, message: string, options: PipInstallErrorOptions = {}) {
    super(code, message, options);
    this.command = options.command;
    this.args = options.args ?? [];
    this.exitCode = options.exitCode;
    this.signal = options.signal;
    this.outputTail = options.outputTail ?? [];
    this.durationMs = options.durationMs;
    this.violations = options.violations ?? [];
  }
}
