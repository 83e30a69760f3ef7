import { ServeError, type ServeErrorOptions } from "@sagemaker-serve/errors";

/** Every code this package throws. Codes are API: renaming one is a breaking change. */
export type CodeArtifactErrorCode =
  | "CODEARTIFACT_ARN_INVALID"
  | "CODEARTIFACT_NO_CREDENTIALS"
  | "CODEARTIFACT_ACCESS_DENIED"
  | "CODEARTIFACT_NOT_FOUND"
  | "CODEARTIFACT_THROTTLED"
  | "CODEARTIFACT_UNREACHABLE"
  | "CODEARTIFACT_REQUEST_FAILED";

/** The part of a repository ARN that was found wrong. */
export type RepositoryArnPart =
  "format" | "partition" | "service" | "region" | "account" | "resource" | "domain" | "repository";

export interface CodeArtifactErrorOptions extends ServeErrorOptions {
  /** For CODEARTIFACT_ARN_INVALID: which part of the ARN is wrong. */
  part?: RepositoryArnPart;
  /** For service failures: the CodeArtifact operation that failed. */
  operation?: "GetAuthorizationToken" | "GetRepositoryEndpoint";
  /** For service failures: the HTTP status the service answered, when it answered. */
  httpStatusCode?: number;
}

/** A CodeArtifact failure. Message and hint never hold the token (the token is registered before anything can fail). */
export class CodeArtifactError extends ServeError<CodeArtifactErrorCode> {
  override name = "CodeArtifactError";
  readonly part: RepositoryArnPart | undefined;
  readonly operation: CodeArtifactErrorOptions["operation"];
  readonly httpStatusCode: number | undefined;

  constructor(code: CodeArtifactErrorCode, message: string, options: CodeArtifactErrorOptions = {}) {
    super(code, message, options);
    this.part = options.part;
    this.operation = options.operation;
    this.httpStatusCode = options.httpStatusCode;
  }
}
