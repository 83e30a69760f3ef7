import { createHash, createHmac, randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { listenOnLoopback } from "./loopback-server.ts";

/** The two CodeArtifact operations the fake speaks. */
export type CodeArtifactOperation = "GetAuthorizationToken" | "GetRepositoryEndpoint";

/** How the fake can be told to fail. */
export type CodeArtifactFailure =
  | "AccessDenied"
  | "ResourceNotFound"
  | "Throttling"
  | "InternalServerError"
  | "Validation"
  | "UnrecognizedClient"
  | "MalformedResponse"
  | "Hang"
  | "Reset";

/** The parts of a SigV4 `Authorization` header. */
export interface SigV4Authorization {
  algorithm: string;
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export interface RecordedCodeArtifactRequest {
  /** The operation matched by method and path, or undefined for an unknown route. */
  operation: CodeArtifactOperation | undefined;
  method: string;
  path: string;
  /** The decoded query parameters (`domain`, `domain-owner`, `repository`, `format`, `duration`). */
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
  /** The parsed `Authorization` header, when it is a SigV4 header. */
  authorization: SigV4Authorization | undefined;
  /** Whether the signature matches `credentials.secretAccessKey`; undefined when the fake was given no secret. */
  signatureValid: boolean | undefined;
}

export interface CodeArtifactServerOptions {
  /** The token GetAuthorizationToken returns. Default a random `CANARY-...` string. */
  token?: string;
  /** Token lifetime reported as `expiration` when the request has no duration. Default 43200 s (the service's). */
  defaultDurationSeconds?: number;
  /**
   * The `repositoryEndpoint` GetRepositoryEndpoint returns. Default the real shape,
   * `https://<domain>-<owner>.d.codeartifact.<region>.amazonaws.com/pypi/<repository>/`.
   */
  repositoryEndpoint?: string | ((request: { domain: string; owner: string; repository: string }) => string);
  /** When given, signatures are verified with this secret key and a mismatch answers 403 InvalidSignatureException. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface FailOptions {
  /** Only this operation fails. Default both. */
  operation?: CodeArtifactOperation;
  /** How many requests fail before the fake answers normally again. Default every request (Infinity). */
  times?: number;
}

export interface CodeArtifactServer {
  /** `http://127.0.0.1:<port>`: the value for `AWS_ENDPOINT_URL_CODEARTIFACT` or the client's `endpoint`. */
  url: string;
  /** The token the fake hands out. */
  token: string;
  /** Every request received, in order. */
  requests: RecordedCodeArtifactRequest[];
  /** Makes matching requests fail the given way (rules are checked in the order they were added). */
  fail: (failure: CodeArtifactFailure, options?: FailOptions) => void;
  /** Removes every failure rule. */
  reset: () => void;
  /** Stops the server and drops open connections (including hung ones). */
  close: () => Promise<void>;
}

interface FailureRule {
  failure: CodeArtifactFailure;
  operation: CodeArtifactOperation | undefined;
  remaining: number;
}

const ERROR_SHAPES: Record<
  Exclude<CodeArtifactFailure, "MalformedResponse" | "Hang" | "Reset">,
  { status: number; type: string; body: (op: CodeArtifactOperation, query: Record<string, string>) => object }
> = {
  AccessDenied: {
    status: 403,
    type: "AccessDeniedException",
    body: (op) => ({
      message: `User: arn:aws:sts::111122223333:assumed-role/SageMakerRole/session is not authorized to perform: codeartifact:${op}`,
    }),
  },
  ResourceNotFound: {
    status: 404,
    type: "ResourceNotFoundException",
    body: (op, query) =>
      op === "GetAuthorizationToken"
        ? {
            message: `Domain ${query.domain ?? ""} not found`,
            resourceId: query.domain,
            resourceType: "domain",
          }
        : {
            message: `Repository ${query.repository ?? ""} not found`,
            resourceId: query.repository,
            resourceType: "repository",
          },
  },
  Throttling: { status: 429, type: "ThrottlingException", body: () => ({ message: "Rate exceeded" }) },
  InternalServerError: {
    status: 500,
    type: "InternalServerException",
    body: () => ({ message: "An internal error occurred" }),
  },
  Validation: {
    status: 400,
    type: "ValidationException",
    body: () => ({ message: "1 validation error detected", reason: "FIELD_VALIDATION_FAILED" }),
  },
  UnrecognizedClient: {
    status: 403,
    type: "UnrecognizedClientException",
    body: () => ({ message: "The security token included in the request is invalid." }),
  },
};

const AUTH_HEADER =
  /^(\S+) Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/;

/** Parses a SigV4 `Authorization` header value; undefined when it is not one. */
export function parseSigV4Authorization(value: string | undefined): SigV4Authorization | undefined {
  const match = value === undefined ? null : AUTH_HEADER.exec(value);
  if (!match) return undefined;
  const [, algorithm, accessKeyId, date, region, service, signedHeaders, signature] =
    match as unknown as string[];
  return {
    algorithm: algorithm!,
    accessKeyId: accessKeyId!,
    date: date!,
    region: region!,
    service: service!,
    signedHeaders: signedHeaders!.split(";"),
    signature: signature!,
  };
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

function verifySignature(
  method: string,
  path: string,
  params: URLSearchParams,
  headers: IncomingHttpHeaders,
  body: string,
  auth: SigV4Authorization,
  secretAccessKey: string,
): boolean {
  const canonicalQuery = [...params.entries()]
    .map(([key, value]) => [rfc3986(key), rfc3986(value)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join("&");
  const canonicalHeaders = auth.signedHeaders
    .map((name) => {
      const value = headers[name];
      const text = Array.isArray(value) ? value.join(",") : (value ?? "");
      return `${name}:${text.trim().replace(/\s+/g, " ")}\n`;
    })
    .join("");
  const payloadHash = createHash("sha256").update(body).digest("hex");
  const canonicalPath = path
    .split("/")
    .map((segment) => rfc3986(rfc3986(decodeURIComponent(segment))))
    .join("/");
  const canonicalRequest = [
    method,
    canonicalPath,
    canonicalQuery,
    canonicalHeaders,
    auth.signedHeaders.join(";"),
    payloadHash,
  ].join("\n");
  const amzDate = String(headers["x-amz-date"] ?? "");
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [
    auth.algorithm,
    amzDate,
    scope,
    createHash("sha256").update(canonicalRequest).digest("hex"),
  ].join("\n");
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${secretAccessKey}`, auth.date), auth.region), auth.service),
    "aws4_request",
  );
  return hmac(signingKey, stringToSign).toString("hex") === auth.signature;
}

function operationFor(method: string, path: string): CodeArtifactOperation | undefined {
  if (method === "POST" && path === "/v1/authorization-token") return "GetAuthorizationToken";
  if (method === "GET" && path === "/v1/repository/endpoint") return "GetRepositoryEndpoint";
  return undefined;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": randomBytes(16).toString("hex"),
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, type: string, body: object): void {
  sendJson(res, status, body, {
    "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazonaws.codeartifact/`,
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Starts a local stand-in for the CodeArtifact API on 127.0.0.1 that speaks the restJson1 wire protocol of
 * GetAuthorizationToken (`POST /v1/authorization-token`) and GetRepositoryEndpoint (`GET /v1/repository/endpoint`),
 * records every request, and can be told to fail the ways the real service does.
 */
export async function startCodeArtifactServer(
  options: CodeArtifactServerOptions = {},
): Promise<CodeArtifactServer> {
  const {
    token = `CANARY-${randomBytes(24).toString("base64url")}`,
    defaultDurationSeconds = 43_200,
    repositoryEndpoint,
    credentials,
  } = options;
  const requests: RecordedCodeArtifactRequest[] = [];
  let rules: FailureRule[] = [];

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const method = req.method ?? "GET";
      const operation = operationFor(method, url.pathname);
      const query = Object.fromEntries(url.searchParams.entries());
      const authorization = parseSigV4Authorization(req.headers.authorization);
      const signatureValid =
        credentials && authorization
          ? authorization.accessKeyId === credentials.accessKeyId &&
            verifySignature(
              method,
              url.pathname,
              url.searchParams,
              req.headers,
              body,
              authorization,
              credentials.secretAccessKey,
            )
          : credentials
            ? false
            : undefined;
      requests.push({
        operation,
        method,
        path: url.pathname,
        query,
        headers: req.headers,
        body,
        authorization,
        signatureValid,
      });

      if (operation === undefined) {
        sendError(res, 404, "UnknownOperationException", {
          message: `no route for ${method} ${url.pathname}`,
        });
        return;
      }
      if (signatureValid === false) {
        sendError(res, 403, "InvalidSignatureException", {
          message: "The request signature we calculated does not match the signature you provided.",
        });
        return;
      }
      const rule = rules.find(
        (r) => r.remaining > 0 && (r.operation === undefined || r.operation === operation),
      );
      if (rule) {
        rule.remaining -= 1;
        if (rule.failure === "Hang") return;
        if (rule.failure === "Reset") {
          req.socket.destroy();
          return;
        }
        if (rule.failure === "MalformedResponse") {
          res.writeHead(200, { "content-type": "application/json" });
          res.end("<html>not json</html>");
          return;
        }
        const shape = ERROR_SHAPES[rule.failure];
        sendError(res, shape.status, shape.type, shape.body(operation, query));
        return;
      }

      const domain = query.domain;
      const owner = query["domain-owner"] ?? "111122223333";
      if (!domain || (operation === "GetRepositoryEndpoint" && (!query.repository || !query.format))) {
        sendError(res, 400, "ValidationException", {
          message: "missing required parameter",
          reason: "OTHER",
        });
        return;
      }
      if (operation === "GetAuthorizationToken") {
        const duration = query.duration === undefined ? defaultDurationSeconds : Number(query.duration);
        const expiration = Math.floor(Date.now() / 1000) + (duration === 0 ? 3600 : duration);
        sendJson(res, 200, { authorizationToken: token, expiration });
        return;
      }
      const repository = query.repository!;
      const region = authorization?.region ?? "us-east-1";
      const endpoint =
        typeof repositoryEndpoint === "function"
          ? repositoryEndpoint({ domain, owner, repository })
          : (repositoryEndpoint ??
            `https://${domain}-${owner}.d.codeartifact.${region}.amazonaws.com/${query.format}/${repository}/`);
      sendJson(res, 200, { repositoryEndpoint: endpoint });
    })().catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, "InternalServerException", { message: String(error) });
    });
  });
  const { port, close } = await listenOnLoopback(server);

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    fail: (failure, { operation, times = Number.POSITIVE_INFINITY } = {}) => {
      rules.push({ failure, operation, remaining: times });
    },
    reset: () => {
      rules = [];
    },
    close,
  };
}
