import { redact } from "@sagemaker-serve/errors";
import { CodeArtifactError, type CodeArtifactErrorCode, type CodeArtifactErrorOptions } from "./errors.ts";

type Operation = NonNullable<CodeArtifactErrorOptions["operation"]>;

interface SdkErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

function isUnreadable(name: string, message: string): boolean {
  return name === "SyntaxError" || /Deserialization error/i.test(message);
}

const PREFIX = "failed to configure pip to use codeartifact";

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

/**
 * A copy of an SDK error that keeps its name, code, status and (redacted) message but none of its hidden
 * fields: `$response` can hold a raw body, which must not travel with our error into a crash report.
 */
function sanitize(error: unknown): Error {
  const source = (typeof error === "object" && error !== null ? error : {}) as SdkErrorLike;
  const name = typeof source.name === "string" ? source.name : "Error";
  const text = typeof source.message === "string" ? source.message : String(error);
  // A deserialization error quotes the start of the raw body; keep none of it.
  const copy = new Error(isUnreadable(name, text) ? "the response body could not be read" : redact(text));
  copy.name = name;
  if (typeof source.code === "string") Object.assign(copy, { code: source.code });
  if (source.$metadata) {
    Object.assign(copy, {
      httpStatusCode: source.$metadata.httpStatusCode,
      attempts: source.$metadata.attempts,
    });
  }
  return copy;
}

function make(
  code: CodeArtifactErrorCode,
  detail: string,
  hint: string,
  error: unknown,
  operation: Operation,
  httpStatusCode: number | undefined,
): CodeArtifactError {
  return new CodeArtifactError(code, `${PREFIX}: ${operation} ${detail}`, {
    hint,
    cause: sanitize(error),
    operation,
    httpStatusCode,
  });
}

export interface MapContext {
  operation: Operation;
  domain: string;
  account: string;
  repository: string;
  region: string;
  timeoutMs: number;
  /** True when our own deadline (not the caller's signal) ended the call. */
  timedOut: boolean;
}

/** Maps a failure of one SDK call to a coded CodeArtifactError. Nothing of the SDK's raw response is kept. */
export function mapSdkError(error: unknown, context: MapContext): CodeArtifactError {
  const { operation, domain, account, repository, region, timeoutMs, timedOut } = context;
  const source = (typeof error === "object" && error !== null ? error : {}) as SdkErrorLike;
  const name = typeof source.name === "string" ? source.name : "";
  const errno = typeof source.code === "string" ? source.code : "";
  const status = source.$metadata?.httpStatusCode;
  const attempts = source.$metadata?.attempts;
  const message =
    redact(typeof source.message === "string" ? source.message : String(error)).split("\n")[0] ?? "";
  const target =
    operation === "GetAuthorizationToken"
      ? `domain ${domain} (owner ${account})`
      : `repository ${repository} in domain ${domain} (owner ${account})`;

  if (timedOut) {
    return make(
      "CODEARTIFACT_UNREACHABLE",
      `got no answer from CodeArtifact in ${region} within ${timeoutMs} ms`,
      "check that the container can reach codeartifact." +
        `${region}.amazonaws.com (VPC endpoints for codeartifact.api and codeartifact.repositories, NAT)`,
      error,
      operation,
      status,
    );
  }
  if (
    name === "AccessDeniedException" ||
    name === "UnrecognizedClientException" ||
    name === "InvalidSignatureException" ||
    name === "ExpiredTokenException"
  ) {
    return make(
      "CODEARTIFACT_ACCESS_DENIED",
      `was refused for ${target}: ${name}: ${message}`,
      operation === "GetAuthorizationToken"
        ? "grant the role codeartifact:GetAuthorizationToken on the domain and sts:GetServiceBearerToken (condition sts:AWSServiceName = codeartifact.amazonaws.com)"
        : "grant the role codeartifact:GetRepositoryEndpoint and codeartifact:ReadFromRepository on the repository",
      error,
      operation,
      status,
    );
  }
  if (name === "ResourceNotFoundException") {
    return make(
      "CODEARTIFACT_NOT_FOUND",
      `found no ${target} in ${region}: ${message}`,
      "check the domain, repository, account and region in CA_REPOSITORY_ARN",
      error,
      operation,
      status,
    );
  }
  if (name === "ThrottlingException" || status === 429) {
    return make(
      "CODEARTIFACT_THROTTLED",
      `was throttled for ${target} after ${attempts ?? 1} attempts: ${message}`,
      "too many calls to CodeArtifact in this account and region; retry later or stagger container starts",
      error,
      operation,
      status,
    );
  }
  if (NETWORK_CODES.has(errno) || name === "TimeoutError") {
    return make(
      "CODEARTIFACT_UNREACHABLE",
      `could not reach CodeArtifact in ${region} after ${attempts ?? 1} attempts: ${errno || name}: ${message}`,
      `check that the container can reach codeartifact.${region}.amazonaws.com (VPC endpoints for codeartifact.api and codeartifact.repositories, NAT)`,
      error,
      operation,
      status,
    );
  }
  const unreadable = isUnreadable(name, message);
  return make(
    "CODEARTIFACT_REQUEST_FAILED",
    unreadable
      ? `got a response it could not read (HTTP ${status ?? "?"})`
      : `failed for ${target}: ${name || "Error"}${status === undefined ? "" : ` (HTTP ${status})`}: ${message}`,
    "retry the start; if it persists, check the CodeArtifact service health and the values in CA_REPOSITORY_ARN",
    error,
    operation,
    status,
  );
}
