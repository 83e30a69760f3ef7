import { afterEach, describe, expect, it } from "vitest";
import {
  parseSigV4Authorization,
  startCodeArtifactServer,
  type CodeArtifactServer,
} from "./codeartifact-server.ts";

let server: CodeArtifactServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("startCodeArtifactServer", () => {
  it("answers GetAuthorizationToken and GetRepositoryEndpoint with the service's JSON shapes", async () => {
    server = await startCodeArtifactServer({ token: "CANARY-fixed-token" });
    const token = await fetch(
      `${server.url}/v1/authorization-token?domain=d1&domain-owner=111122223333&duration=900`,
      {
        method: "POST",
      },
    );
    expect(token.status).toBe(200);
    const body = (await token.json()) as { authorizationToken: string; expiration: number };
    expect(body.authorizationToken).toBe("CANARY-fixed-token");
    expect(body.expiration).toBeGreaterThan(Date.now() / 1000);
    const endpoint = await fetch(
      `${server.url}/v1/repository/endpoint?domain=d1&domain-owner=111122223333&repository=r1&format=pypi`,
    );
    expect(await endpoint.json()).toEqual({
      repositoryEndpoint: "https://d1-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/r1/",
    });
    expect(server.requests.map((r) => [r.operation, r.query.domain, r.authorization])).toEqual([
      ["GetAuthorizationToken", "d1", undefined],
      ["GetRepositoryEndpoint", "d1", undefined],
    ]);
  });

  it("fails the way it is told, with x-amzn-ErrorType, for the given number of requests", async () => {
    server = await startCodeArtifactServer();
    server.fail("AccessDenied", { operation: "GetRepositoryEndpoint", times: 1 });
    const url = `${server.url}/v1/repository/endpoint?domain=d1&repository=r1&format=pypi`;
    const denied = await fetch(url);
    expect(denied.status).toBe(403);
    expect(denied.headers.get("x-amzn-errortype")).toMatch(/^AccessDeniedException:/);
    expect(((await denied.json()) as { message: string }).message).toContain("not authorized");
    expect((await fetch(url)).status).toBe(200);
  });

  it("drops the connection for Reset and answers unknown routes with 404", async () => {
    server = await startCodeArtifactServer();
    server.fail("Reset");
    await expect(
      fetch(`${server.url}/v1/authorization-token?domain=d1`, { method: "POST" }),
    ).rejects.toThrow();
    server.reset();
    const unknown = await fetch(`${server.url}/v1/domains`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("x-amzn-errortype")).toMatch(/^UnknownOperationException:/);
  });

  it("refuses a request without a valid signature when it knows the secret", async () => {
    server = await startCodeArtifactServer({
      credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "s" },
    });
    const response = await fetch(`${server.url}/v1/authorization-token?domain=d1`, {
      method: "POST",
      headers: {
        authorization:
          "AWS4-HMAC-SHA256 Credential=AKIAFAKE/20261125/us-east-1/codeartifact/aws4_request, SignedHeaders=host, Signature=00",
      },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get("x-amzn-errortype")).toMatch(/^InvalidSignatureException:/);
    expect(server.requests[0]?.signatureValid).toBe(false);
  });
});

describe("parseSigV4Authorization", () => {
  it("splits a SigV4 header and rejects anything else", () => {
    expect(
      parseSigV4Authorization(
        "AWS4-HMAC-SHA256 Credential=AKIAFAKE/20261125/us-west-2/codeartifact/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc123",
      ),
    ).toEqual({
      algorithm: "AWS4-HMAC-SHA256",
      accessKeyId: "AKIAFAKE",
      date: "20261125",
      region: "us-west-2",
      service: "codeartifact",
      signedHeaders: ["host", "x-amz-date"],
      signature: "abc123",
    });
    expect(parseSigV4Authorization("Basic YXdzOnRvaw==")).toBeUndefined();
  });
});
