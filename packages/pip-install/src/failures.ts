import { resolve } from "node:path";
import { PipInstallError, type PipInstallErrorOptions, type PolicyViolation } from "./errors.ts";

const INSTALL_PYTHON = "install python3 in the image or point the python setting at an interpreter";

/** `<file> line <n>`, with the requirements path as the caller gave it for the top file; no line for line 0. */
export function lineName(violation: PolicyViolation, requirementsPath: string): string {
  const file = violation.file === resolve(requirementsPath) ? requirementsPath : violation.file;
  return violation.line === 0 ? file : `${file} line ${violation.line}`;
}

export function policyError(
  violations: PolicyViolation[],
  requirementsPath: string,
  details: PipInstallErrorOptions,
): PipInstallError {
  const [first] = violations as [PolicyViolation, ...PolicyViolation[]];
  const more = violations.length - 1;
  return new PipInstallError(
    "REQUIREMENTS_POLICY",
    `${lineName(first, requirementsPath)}: ${first.option} would change where packages come from while the private index is in force${
      more > 0 ? ` (and ${more} more line${more > 1 ? "s" : ""})` : ""
    }`,
    {
      ...details,
      violations,
      hint: "remove index, trusted-host, find-links and URL lines from the requirements file, or allow them explicitly",
    },
  );
}

export function notStartable(
  python: string,
  detail: string,
  details: PipInstallErrorOptions,
): PipInstallError {
  return new PipInstallError(
    "PIP_NOT_AVAILABLE",
    `python interpreter ${python} could not be started (${detail})`,
    {
      ...details,
      hint: INSTALL_PYTHON,
    },
  );
}

export function brokenPython(
  python: string,
  detail: string,
  details: PipInstallErrorOptions,
): PipInstallError {
  return new PipInstallError("PIP_NOT_AVAILABLE", `python interpreter ${python} failed to start: ${detail}`, {
    ...details,
    hint: INSTALL_PYTHON,
  });
}

export function noPip(python: string, details: PipInstallErrorOptions): PipInstallError {
  return new PipInstallError("PIP_NOT_AVAILABLE", `python interpreter ${python} has no pip module`, {
    ...details,
    hint: `install pip for that interpreter (${python} -m ensurepip) or use one that has it`,
  });
}

export function timedOut(
  requirementsPath: string,
  timeoutMs: number,
  details: PipInstallErrorOptions,
): PipInstallError {
  return new PipInstallError(
    "PIP_TIMEOUT",
    `failed to install required packages from ${requirementsPath}: pip did not finish within ${timeoutMs} ms and was killed`,
    {
      ...details,
      hint: "raise the pip timeout (SAGEMAKER_SERVE_PIP_TIMEOUT_SECONDS), check that the index is reachable, or install the packages into the image",
    },
  );
}

/** PIP_INSTALL_FAILED with pip's last `ERROR:` line in the message and a hint that fits the output. */
export function installFailed(
  requirementsPath: string,
  tail: string[],
  withCredentials: boolean,
  details: PipInstallErrorOptions,
): PipInstallError {
  const lastError = [...tail].reverse().find((line) => line.startsWith("ERROR:"));
  const how = details.signal
    ? `pip was killed by ${details.signal}`
    : `pip exited with code ${details.exitCode}`;
  const refused = tail.some((line) => /\b40[13]\b/.test(line));
  const hint = refused
    ? "the index refused the credentials: check the CodeArtifact token (expired?) and the role's codeartifact:ReadFromRepository permission"
    : withCredentials && tail.some((line) => line.includes("from versions: none"))
      ? "the private index offered no versions: the package may be missing there, or the index refused the credentials (check the token and codeartifact:ReadFromRepository)"
      : "read pip's output above; fix the requirements file or make the packages available on the index";
  return new PipInstallError(
    "PIP_INSTALL_FAILED",
    `failed to install required packages from ${requirementsPath}: ${how}${lastError ? ` (${lastError})` : ""}`,
    { ...details, hint },
  );
}
