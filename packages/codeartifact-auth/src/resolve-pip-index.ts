import {
  CodeartifactClient,
  GetAuthorizationTokenCommand,
  GetRepositoryEndpointCommand,
  type CodeartifactClientConfig,
} from "@aws-sdk/client-codeartifact";
import { registerSecret } from "@sagemaker-serve/errors";
import { CodeArtifactError, type CodeArtifactErrorOptions } from "./errors.ts";

type Operation = NonNullable<CodeArtifactErrorOptions["operation"]>;
import { buildIndexUrl } from "./index-url.ts";
import { parseRepositoryArn, type RepositoryArn } from "./parse-repository-arn.ts";
import { mapSdkError } from "./sdk-error.ts";

export interface ResolvePipIndexOptions {
  /** The repository ARN (`CA_REPOSITORY_ARN`). */
  arn: string;
  /**
   * Token lifetime: 0 (the role session's) or 900-43200 s. Default 900 (15 min); pass at least the pip timeout.
   * The Python toolkit passes none, which gives the service default of 12 h.
   */
  durationSeconds?: number;
  /** Cancels the whole resolution; the promise then rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** How long the SDK's default credential chain may take to find credentials. Default 10 000 ms. */
  credentialsTimeoutMs?: number;
  /** Deadline for the whole resolution, SDK retries included. Default 30 000 ms. */
  timeoutMs?: number;
  /**
   * Extra client configuration, merged over ours (for tests: `endpoint`, static `credentials`). Production
   * leaves it out: the SDK then uses its default credential chain and honours `AWS_ENDPOINT_URL_CODEARTIFACT`.
   */
  clientConfig?: Partial<CodeartifactClientConfig>;
}

/** A pip index with its credentials kept apart from the URL. */
export interface PipIndex {
  /** The index URL, ending in `/simple/` as the toolkit builds it, with no credentials in it. */
  indexUrl: string;
  /** Always `aws`. */
  username: string;
  /** The CodeArtifact token; already registered with the redactor. */
  password: string;
  /** When the token stops working, if the service said. */
  expiresAt: Date | undefined;
  /** The parsed ARN the index came from. */
  repository: RepositoryArn;
}

function assertNumber(name: string, value: number, ok: (n: number) => boolean, expected: string): void {
  if (typeof value !== "number" || !Number.isFinite(value) || !ok(value)) {
    throw new TypeError(`resolvePipIndex: ${name} must be ${expected}, got ${String(value)}`);
  }
}

/**
 * A signal that aborts after `ms`. Not `AbortSignal.timeout()`: on Node 20 a timeout signal passed only to
 * `AbortSignal.any()` can be garbage-collected before it fires, and the deadline is then silently lost.
 */
function deadlineAfter(ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`deadline of ${ms} ms passed`)), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

async function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw signal.reason;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort!);
  }
}

/**
 * Turns a CodeArtifact repository ARN into a pip index: `GetAuthorizationToken` then
 * `GetRepositoryEndpoint(format: pypi)` in the ARN's region, with the SDK's default credential chain.
 * The token is registered with the redactor the moment it arrives.
 *
 * @throws CodeArtifactError with code CODEARTIFACT_ARN_INVALID (before any network call),
 *   CODEARTIFACT_NO_CREDENTIALS, CODEARTIFACT_ACCESS_DENIED, CODEARTIFACT_NOT_FOUND, CODEARTIFACT_THROTTLED
 *   (after the SDK's retries), CODEARTIFACT_UNREACHABLE or CODEARTIFACT_REQUEST_FAILED. Service failures carry the
 *   toolkit's text `failed to configure pip to use codeartifact`.
 * @throws `signal.reason` when `signal` aborts.
 */
export async function resolvePipIndex(options: ResolvePipIndexOptions): Promise<PipIndex> {
  const {
    arn,
    durationSeconds = 900,
    signal,
    credentialsTimeoutMs = 10_000,
    timeoutMs = 30_000,
    clientConfig = {},
  } = options;
  assertNumber(
    "durationSeconds",
    durationSeconds,
    (n) => Number.isInteger(n) && (n === 0 || (n >= 900 && n <= 43_200)),
    "0 or an integer from 900 to 43200",
  );
  assertNumber("credentialsTimeoutMs", credentialsTimeoutMs, (n) => n > 0, "a positive number");
  assertNumber("timeoutMs", timeoutMs, (n) => n > 0, "a positive number");
  const parsed = parseRepositoryArn(arn);
  const { region, account, domain, repository } = parsed;

  const deadline = deadlineAfter(timeoutMs);
  const credentialsDeadline = deadlineAfter(credentialsTimeoutMs);
  const stop = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
  const client = new CodeartifactClient({
    region,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
    ...clientConfig,
  });
  const context = { domain, account, repository, region, timeoutMs };
  try {
    const credentialsStop = AbortSignal.any([stop, credentialsDeadline.signal]);
    try {
      await untilAborted(client.config.credentials(), credentialsStop);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new CodeArtifactError(
        "CODEARTIFACT_NO_CREDENTIALS",
        `failed to configure pip to use codeartifact: no AWS credentials ${
          credentialsStop.aborted ? `found within ${credentialsTimeoutMs} ms` : "available"
        } to call CodeArtifact in ${region}`,
        {
          hint: "give the container an IAM role (the SageMaker execution role) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; a network-isolated container has no credentials: install the packages into the image and unset CA_REPOSITORY_ARN",
          cause: credentialsStop.aborted ? undefined : error,
        },
      );
    }

    const call = async <T>(operation: Operation, send: () => Promise<T>): Promise<T> => {
      try {
        return await send();
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        throw mapSdkError(error, { ...context, operation, timedOut: deadline.signal.aborted });
      }
    };

    const tokenOutput = await call("GetAuthorizationToken", () =>
      client.send(new GetAuthorizationTokenCommand({ domain, domainOwner: account, durationSeconds }), {
        abortSignal: stop,
      }),
    );
    const token = tokenOutput.authorizationToken ?? "";
    if (token.length >= 6) registerSecret(token);
    if (token.length < 6) {
      throw new CodeArtifactError(
        "CODEARTIFACT_REQUEST_FAILED",
        `failed to configure pip to use codeartifact: GetAuthorizationToken returned ${token ? "an unusably short" : "no"} token`,
        {
          hint: "retry the start; if it persists, check the CodeArtifact service health",
          operation: "GetAuthorizationToken",
        },
      );
    }
    const endpointOutput = await call("GetRepositoryEndpoint", () =>
      client.send(
        new GetRepositoryEndpointCommand({ domain, domainOwner: account, repository, format: "pypi" }),
        { abortSignal: stop },
      ),
    );
    const endpoint = endpointOutput.repositoryEndpoint ?? "";
    return {
      indexUrl: checkedIndexUrl(endpoint, repository),
      username: "aws",
      password: token,
      expiresAt: tokenOutput.expiration,
      repository: parsed,
    };
  } finally {
    deadline.clear();
    credentialsDeadline.clear();
    client.destroy();
  }
}

function checkedIndexUrl(endpoint: string, repository: string): string {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password) {
    throw new CodeArtifactError(
      "CODEARTIFACT_REQUEST_FAILED",
      `failed to configure pip to use codeartifact: GetRepositoryEndpoint returned an unusable endpoint "${endpoint.slice(0, 200)}"`,
      {
        hint: "expected https://<domain>-<account>.d.codeartifact.<region>.amazonaws.com/pypi/<repository>/",
        operation: "GetRepositoryEndpoint",
      },
    );
  }
  return buildIndexUrl(endpoint, repository);
}
