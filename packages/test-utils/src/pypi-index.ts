import { readFile } from "node:fs/promises";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import type { Wheel } from "./wheel.ts";
import { listenOnLoopback } from "./loopback-server.ts";

export interface PypiIndexOptions {
  /** Wheels to serve (from `writeWheel`). */
  wheels?: Wheel[];
  /** Path of the simple index. Default `/simple/`; CodeArtifact's shape is `/pypi/<repository>/simple/`. */
  basePath?: string;
  /** Demand HTTP Basic auth with exactly these credentials; anything else gets 401. */
  auth?: { username: string; password: string };
  /** Serve HTTPS with this key and certificate (see `makeSelfSignedCertificate`). */
  tls?: { key: string; cert: string };
  /** Wait this long before answering each request (to watch pip while it runs). Default 0. */
  delayMs?: number;
  /** Accept connections and never answer (an index that has gone quiet). */
  hang?: boolean;
}

export interface RecordedIndexRequest {
  method: string;
  path: string;
  /** The raw `Authorization` header, if any. */
  authorization: string | undefined;
  /** The Basic-auth user and password sent, decoded. */
  credentials: { username: string; password: string } | undefined;
  /** The status answered (0 while hung). */
  status: number;
}

export interface PypiIndex {
  /** The index URL, with no credentials: `http(s)://127.0.0.1:<port><basePath>`. */
  url: string;
  /** `http(s)://127.0.0.1:<port>`. */
  origin: string;
  /** Every request received, in order. */
  requests: RecordedIndexRequest[];
  close: () => Promise<void>;
}

/** PEP 503 name normalisation. */
export function normalizeProjectName(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}

function decodeBasic(header: string | undefined): RecordedIndexRequest["credentials"] {
  const match = header === undefined ? null : /^Basic\s+(\S+)$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon === -1
    ? { username: decoded, password: "" }
    : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function html(title: string, links: string[]): string {
  return `<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0"><title>${title}</title></head><body>\n${links.join("<br>\n")}\n</body></html>\n`;
}

/**
 * Serves a PEP 503 simple index on 127.0.0.1 from the given wheels: `<basePath>` lists projects,
 * `<basePath><project>/` links each file with `#sha256=`, files are under `/files/`. Records every request with
 * the credentials it carried, can demand Basic auth, serve HTTPS, answer slowly or not at all.
 */
export async function startPypiIndex(options: PypiIndexOptions = {}): Promise<PypiIndex> {
  const { wheels = [], basePath = "/simple/", auth, tls, delayMs = 0, hang = false } = options;
  if (!basePath.startsWith("/") || !basePath.endsWith("/")) {
    throw new TypeError(`startPypiIndex: basePath must start and end with "/", got ${basePath}`);
  }
  const requests: RecordedIndexRequest[] = [];
  const projects = new Map<string, Wheel[]>();
  for (const wheel of wheels) {
    const key = normalizeProjectName(wheel.name);
    projects.set(key, [...(projects.get(key) ?? []), wheel]);
  }
  const files = new Map(wheels.map((w) => [w.filename, w]));

  async function answer(
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedIndexRequest,
  ): Promise<void> {
    const send = (
      status: number,
      body: string | Buffer,
      type: string,
      headers: Record<string, string> = {},
    ) => {
      record.status = status;
      res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body), ...headers });
      res.end(body);
    };
    if (hang) return;
    if (delayMs > 0) await sleep(delayMs);
    if (
      auth &&
      (record.credentials?.username !== auth.username || record.credentials.password !== auth.password)
    ) {
      send(401, "Unauthorized\n", "text/plain", { "www-authenticate": 'Basic realm="pypi"' });
      return;
    }
    const path = record.path;
    if (path === basePath) {
      send(
        200,
        html(
          "Simple index",
          [...projects.keys()].map((p) => `<a href="${p}/">${p}</a>`),
        ),
        "text/html",
      );
      return;
    }
    if (path.startsWith(basePath)) {
      const project = path.slice(basePath.length).replace(/\/$/, "");
      const list = projects.get(normalizeProjectName(project));
      if (list && path.endsWith("/")) {
        send(
          200,
          html(
            `Links for ${project}`,
            list.map((w) => `<a href="/files/${w.filename}#sha256=${w.sha256}">${w.filename}</a>`),
          ),
          "text/html",
        );
        return;
      }
    }
    if (path.startsWith("/files/")) {
      const wheel = files.get(decodeURIComponent(path.slice("/files/".length)));
      if (wheel) {
        send(200, await readFile(wheel.path), "application/octet-stream");
        return;
      }
    }
    send(404, "Not Found\n", "text/plain");
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const authorization = req.headers.authorization;
    const record: RecordedIndexRequest = {
      method: req.method ?? "GET",
      path: new URL(req.url ?? "/", "http://127.0.0.1").pathname,
      authorization,
      credentials: decodeBasic(authorization),
      status: 0,
    };
    requests.push(record);
    answer(req, res, record).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
  const server = tls
    ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler)
    : createHttpServer(handler);
  const { port, close } = await listenOnLoopback(server);
  const origin = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
  return {
    url: `${origin}${basePath}`,
    origin,
    requests,
    close,
  };
}

/**
 * Makes a self-signed certificate for 127.0.0.1 (subjectAltName IP:127.0.0.1) with `openssl` in `dir`; `certPath`
 * is the PEM file. pip accepts it with `--trusted-host 127.0.0.1`, or trusts it as a CA through `cert = <certPath>`
 * in a pip.conf (or `PIP_CERT`) provided `REQUESTS_CA_BUNDLE` and `CURL_CA_BUNDLE` are unset: requests prefers
 * them to pip's own setting.
 */
export async function makeSelfSignedCertificate(
  dir: string,
): Promise<{ key: string; cert: string; certPath: string }> {
  const keyPath = join(dir, "key.pem");
  const certPath = join(dir, "cert.pem");
  await execa("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    keyPath,
    "-out",
    certPath,
    "-days",
    "2",
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1",
  ]);
  return { key: await readFile(keyPath, "utf8"), cert: await readFile(certPath, "utf8"), certPath };
}
