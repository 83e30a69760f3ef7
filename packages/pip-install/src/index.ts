export {
  installRequirements,
  type InstallRequirementsOptions,
  type InstallRequirementsResult,
  type PipIndex,
} from "./install-requirements.ts";
export { buildPipArgs } from "./pip-args.ts";
export {
  readRequirements,
  logicalLines,
  type ReadRequirementsResult,
  type RequirementsFile,
  type LogicalLine,
} from "./requirements-file.ts";
export {
  PipInstallError,
  type PipInstallErrorCode,
  type PipInstallErrorOptions,
  type PolicyViolation,
} from "./errors.ts";
