export { parseRepositoryArn, type RepositoryArn } from "./parse-repository-arn.ts";
export { buildIndexUrl } from "./index-url.ts";
export { resolvePipIndex, type ResolvePipIndexOptions, type PipIndex } from "./resolve-pip-index.ts";
export {
  CodeArtifactError,
  type CodeArtifactErrorCode,
  type CodeArtifactErrorOptions,
  type RepositoryArnPart,
} from "./errors.ts";
