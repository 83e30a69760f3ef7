import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clearSecrets, formatError, redact } from "@sagemaker-serve/errors";
import { makeTempDir, waitFor, type TempDir } from "@sagemaker-serve/test-utils";
import {
  startCodeArtifactServer,
  type CodeArtifactServer,
} from "@sagemaker-serve/test-utils/codeartifact-server";
import { CodeArtifactError, resolvePipIndex, type ResolvePipIndexOptions } from "../src/index.ts";

const ARN = "arn:aws:codeartifact:us-west-2:111122223333:repository/my-domain/my-repo";
const CREDENTIALS = { accessKeyId: "AKIAFAKEFAKEFAKE0000", secretAccessKey: "fake-secret-key-for-tests" };

let server: CodeArtifactServer;
let home: TempDir;

beforeEach(async () => {
  // The machine's own AWS settings (a profile, container or web-identity credentials, retry mode, ~/.aws files)
  // must not reach the SDK: on a CI host that has them, they change which credentials and retries a test gets.
  for (const name of Object.keys(process.env)) if (name.startsWith("AWS_")) vi.stubEnv(name, undefined);
  home = await makeTempDir();
  vi.stubEnv("HOME", home.path);
  vi.stubEnv("AWS_CONFIG_FILE", `${home.path}/none`);
  vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", `${home.path}/none`);
  vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
  vi.stubEnv("AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED", "true");
  server = await startCodeArtifactServer({ credentials: CREDENTIALS });
});

afterEach(async () => {
  vi.unstubAllEnvs();
  clearSecrets();
  await server.close();
  await home.cleanup();
});

function resolve(options: Partial<ResolvePipIndexOptions> = {}) {
  return resolvePipIndex({
    arn: ARN,
    clientConfig: { endpoint: server.url, credentials: CREDENTIALS },
    ...options,
  });
}

async function rejection(promise: Promise<unknown>): Promise<CodeArtifactError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof CodeArtifactError))
    throw new Error(`expected a CodeArtifactError, got ${String(error)}`);
  return error;
}

/** Everything a person or a log could see of an error, causes included. */
function everything(error: CodeArtifactError): string {
  return [formatError(error, { causes: true }), JSON.stringify(error), String(error.cause), error.stack].join(
    "\n",
  );
}

describe("resolvePipIndex against the CodeArtifact wire protocol", () => {
  it("returns a credential-free index URL, the token as password, and signs both requests", async () => {
    const index = await resolve({ durationSeconds: 1200 });
    expect(index.indexUrl).toBe(
      "https://my-domain-111122223333.d.codeartifact.us-west-2.amazonaws.com/pypi/my-repo/simple/",
    );
    expect(index.username).toBe("aws");
    expect(index.password).toBe(server.token);
    expect(index.expiresAt).toBeInstanceOf(Date);
    expect(index.repository).toMatchObject({
      domain: "my-domain",
      repository: "my-repo",
      region: "us-west-2",
    });

    expect(server.requests.map((r) => [r.operation, r.method, r.path, r.query])).toEqual([
      [
        "GetAuthorizationToken",
        "POST",
        "/v1/authorization-token",
        { domain: "my-domain", "domain-owner": "111122223333", duration: "1200" },
      ],
      [
        "GetRepositoryEndpoint",
        "GET",
        "/v1/repository/endpoint",
        { domain: "my-domain", "domain-owner": "111122223333", repository: "my-repo", format: "pypi" },
      ],
    ]);
    for (const request of server.requests) {
      expect(request.authorization).toMatchObject({
        algorithm: "AWS4-HMAC-SHA256",
        accessKeyId: CREDENTIALS.accessKeyId,
        region: "us-west-2",
        service: "codeartifact",
      });
      expect(request.signatureValid).toBe(true);
    }
  });

  it("registers the token with the redactor", async () => {
    const { password } = await resolve();
    expect(redact(`pip said ${password}`)).toBe("pip said ***");
  });

  it("asks for a 15-minute token by default", async () => {
    await resolve();
    expect(server.requests[0]?.query.duration).toBe("900");
  });

  it("uses AWS_ENDPOINT_URL_CODEARTIFACT and credentials from the environment, as production does", async () => {
    vi.stubEnv("AWS_ENDPOINT_URL_CODEARTIFACT", server.url);
    vi.stubEnv("AWS_ACCESS_KEY_ID", CREDENTIALS.accessKeyId);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", CREDENTIALS.secretAccessKey);
    const index = await resolvePipIndex({ arn: ARN });
    expect(index.password).toBe(server.token);
    expect(server.requests).toHaveLength(2);
    expect(server.requests.every((r) => r.signatureValid)).toBe(true);
  });

  it("maps AccessDenied to CODEARTIFACT_ACCESS_DENIED without retrying", async () => {
    server.fail("AccessDenied", { operation: "GetAuthorizationToken" });
    const error = await rejection(resolve());
    expect(error.code).toBe("CODEARTIFACT_ACCESS_DENIED");
    expect(error.message).toContain("failed to configure pip to use codeartifact");
    expect(error.message).toContain("AccessDeniedException");
    expect(error.hint).toContain("sts:GetServiceBearerToken");
    expect(error.httpStatusCode).toBe(403);
    expect(server.requests).toHaveLength(1);
  });

  it("maps a refused signature to CODEARTIFACT_ACCESS_DENIED", async () => {
    const error = await rejection(
      resolve({
        clientConfig: { endpoint: server.url, credentials: { ...CREDENTIALS, secretAccessKey: "wrong" } },
      }),
    );
    expect(error.code).toBe("CODEARTIFACT_ACCESS_DENIED");
    expect(error.message).toContain("InvalidSignatureException");
  });

  it("maps ResourceNotFound on the repository to CODEARTIFACT_NOT_FOUND, and never leaks the token it already has", async () => {
    server.fail("ResourceNotFound", { operation: "GetRepositoryEndpoint" });
    const error = await rejection(resolve());
    expect(error.code).toBe("CODEARTIFACT_NOT_FOUND");
    expect(error.operation).toBe("GetRepositoryEndpoint");
    expect(error.message).toContain("repository my-repo in domain my-domain (owner 111122223333)");
    expect(everything(error)).not.toContain(server.token);
    expect(server.requests.map((r) => r.operation)).toEqual([
      "GetAuthorizationToken",
      "GetRepositoryEndpoint",
    ]);
  });

  it("keeps the token out of every failure that can follow its arrival", async () => {
    const expected = {
      AccessDenied: "CODEARTIFACT_ACCESS_DENIED",
      ResourceNotFound: "CODEARTIFACT_NOT_FOUND",
      Throttling: "CODEARTIFACT_THROTTLED",
      InternalServerError: "CODEARTIFACT_REQUEST_FAILED",
      Validation: "CODEARTIFACT_REQUEST_FAILED",
      MalformedResponse: "CODEARTIFACT_REQUEST_FAILED",
      Reset: "CODEARTIFACT_UNREACHABLE",
    } as const;
    for (const [failure, code] of Object.entries(expected)) {
      server.reset();
      server.fail(failure as keyof typeof expected, { operation: "GetRepositoryEndpoint" });
      const error = await rejection(resolve());
      expect(error.code, failure).toBe(code);
      expect(error.message, failure).toContain(
        "failed to configure pip to use codeartifact: GetRepositoryEndpoint",
      );
      expect(everything(error), failure).not.toContain(server.token);
    }
  });

  it("lets the SDK retry a throttled call and then succeeds", async () => {
    server.fail("Throttling", { operation: "GetAuthorizationToken", times: 1 });
    const index = await resolve();
    expect(index.password).toBe(server.token);
    expect(server.requests.map((r) => r.operation)).toEqual([
      "GetAuthorizationToken",
      "GetAuthorizationToken",
      "GetRepositoryEndpoint",
    ]);
  });

  it("gives CODEARTIFACT_THROTTLED after the SDK's bounded retries", async () => {
    server.fail("Throttling");
    const error = await rejection(resolve());
    expect(error.code).toBe("CODEARTIFACT_THROTTLED");
    expect(error.message).toContain("after 3 attempts");
    expect(server.requests).toHaveLength(3);
  });

  it("gives CODEARTIFACT_UNREACHABLE when the connection is refused", async () => {
    await server.close();
    const error = await rejection(resolve());
    expect(error.code).toBe("CODEARTIFACT_UNREACHABLE");
    expect(error.message).toContain("ECONNREFUSED");
  });

  it("gives CODEARTIFACT_UNREACHABLE when the service never answers, at the deadline", async () => {
    server.fail("Hang");
    const error = await rejection(resolve({ timeoutMs: 1500 }));
    expect(error.code).toBe("CODEARTIFACT_UNREACHABLE");
    expect(error.message).toContain("within 1500 ms");
  });

  it("gives CODEARTIFACT_REQUEST_FAILED for an unreadable answer, quoting none of the body", async () => {
    server.fail("MalformedResponse", { operation: "GetAuthorizationToken" });
    const error = await rejection(resolve());
    expect(error.code).toBe("CODEARTIFACT_REQUEST_FAILED");
    expect(everything(error)).not.toContain("not json");
  });

  it("refuses a credentialed or non-HTTP repository endpoint", async () => {
    await server.close();
    server = await startCodeArtifactServer({ repositoryEndpoint: "ftp://host/pypi/my-repo/" });
    const error = await rejection(resolve());
    expect(error.code).toBe("CODEARTIFACT_REQUEST_FAILED");
    expect(error.operation).toBe("GetRepositoryEndpoint");
  });

  it("rejects with the signal's reason when aborted mid-call", async () => {
    server.fail("Hang");
    const controller = new AbortController();
    const pending = resolve({ signal: controller.signal });
    await waitFor(() => server.requests.length === 1, { description: "the request reached the service" });
    const reason = new Error("stop now");
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it("makes no network call for an invalid ARN", async () => {
    const error = await rejection(resolve({ arn: "invalid_arn" }));
    expect(error.code).toBe("CODEARTIFACT_ARN_INVALID");
    expect(server.requests).toHaveLength(0);
  });

  it("refuses a duration the service would refuse", async () => {
    await expect(resolve({ durationSeconds: 60 })).rejects.toThrow(TypeError);
  });
});

describe("resolvePipIndex without credentials", () => {
  // beforeEach already removed every ambient credential source; only the endpoint is set.
  function isolatedEnv(): void {
    vi.stubEnv("AWS_ENDPOINT_URL_CODEARTIFACT", server.url);
  }

  it("fails with CODEARTIFACT_NO_CREDENTIALS and a hint, with no request sent", async () => {
    isolatedEnv();
    const error = await rejection(resolvePipIndex({ arn: ARN }));
    expect(error.code).toBe("CODEARTIFACT_NO_CREDENTIALS");
    expect(error.message).toContain("failed to configure pip to use codeartifact: no AWS credentials");
    expect(error.hint).toContain("network-isolated");
    expect(server.requests).toHaveLength(0);
  });

  it("gives up on a credential source that never answers (container credentials endpoint)", async () => {
    isolatedEnv();
    const silent: Server = createServer(() => {});
    await new Promise<void>((done) => silent.listen(0, "127.0.0.1", done));
    try {
      const { port } = silent.address() as AddressInfo;
      vi.stubEnv("AWS_CONTAINER_CREDENTIALS_FULL_URI", `http://127.0.0.1:${port}/credentials`);
      const error = await rejection(resolvePipIndex({ arn: ARN, credentialsTimeoutMs: 2000 }));
      expect(error.code).toBe("CODEARTIFACT_NO_CREDENTIALS");
      expect(error.message).toContain("within 2000 ms");
      expect(server.requests).toHaveLength(0);
    } finally {
      silent.closeAllConnections();
      await new Promise((done) => silent.close(done));
    }
  });

  it("stops waiting for the credential chain at credentialsTimeoutMs", async () => {
    const error = await rejection(
      resolve({
        credentialsTimeoutMs: 300,
        clientConfig: { endpoint: server.url, credentials: () => new Promise(() => {}) },
      }),
    );
    expect(error.code).toBe("CODEARTIFACT_NO_CREDENTIALS");
    expect(error.message).toContain("within 300 ms");
  });
});
