import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BuiltinServerConfig } from "./config.ts";
import type { BodyBudget } from "./body-budget.ts";
import { HttpError, sendError, sendJson, sendResult } from "./http-response.ts";
import type { JobOutcome, Model } from "./model.ts";
import type { ModelRegistry, RegisterRequest } from "./registry.ts";
import { declaredLength, readRequestBody, tooLarge, type HeldBody } from "./request-body.ts";
import { buildRequestInput } from "./request-input.ts";

export interface RouteContext {
  config: BuiltinServerConfig;
  registry: ModelRegistry;
  /** True while the single startup model has not loaded yet. */
  starting: () => boolean;
  draining: () => boolean;
  signal: AbortSignal;
  /** Bytes of request bodies held at once. */
  budget: BodyBudget;
}

const NOT_FOUND = () =>
  new HttpError(
    404,
    "ResourceNotFoundException",
    "Requested resource is not found, please refer to API document.",
  );
const NOT_ALLOWED = () =>
  new HttpError(
    405,
    "MethodNotAllowedException",
    "Requested method is not allowed, please refer to API document.",
  );

/** Like Netty's `getIntParameter` in MMS: a missing or unparsable value is the default, not an error. */
function intParameter(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || !/^[+-]?\d{1,10}$/.test(raw)) return fallback;
  const value = Number(raw);
  return value > 2 ** 31 - 1 || value < -(2 ** 31) ? fallback : value;
}

/** Sends `100 Continue` to a client waiting for it: its body is now wanted. */
function continueBody(req: IncomingMessage, res: ServerResponse): void {
  if (/^\s*100-continue\s*$/i.test(req.headers.expect ?? "") && !res.headersSent) res.writeContinue();
}

function readBody(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<HeldBody> {
  continueBody(req, res);
  return readRequestBody(req, {
    limitBytes: ctx.config.maxRequestBytes,
    idleTimeoutMs: ctx.config.bodyTimeoutMs,
    budget: ctx.budget,
  });
}

async function predict(
  ctx: RouteContext,
  model: Model,
  req: IncomingMessage,
  res: ServerResponse,
  /** The query parameters, when this route hands them to the handler (see buildRequestInput). */
  query: URL | undefined,
  id: string,
) {
  // Admission from the headers alone, before a byte of the body is read: a refused client costs no memory.
  const declared = declaredLength(req);
  if (declared !== undefined && declared > ctx.config.maxRequestBytes)
    throw tooLarge(ctx.config.maxRequestBytes);
  const ticket = model.reserve();
  if (ticket === undefined) {
    const refused = model.queueFull();
    if (refused.kind === "error")
      sendError(res, id, { code: refused.status, type: refused.type, message: refused.message });
    return;
  }
  let held: HeldBody;
  try {
    held = await readBody(ctx, req, res);
  } catch (error) {
    ticket.release();
    throw error;
  }
  let outcome: JobOutcome;
  try {
    outcome = await ticket.submit(buildRequestInput(req, query, held.body, id));
  } finally {
    held.release();
  }
  if (outcome.kind === "error") {
    sendError(res, id, { code: outcome.status, type: outcome.type, message: outcome.message });
    return;
  }
  sendResult(res, id, outcome.result);
}

async function registerParameters(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<RegisterRequest> {
  const values = new Map<string, string>();
  for (const [key, value] of url.searchParams) values.set(key, value);
  const held = await readBody(ctx, req, res);
  const body = held.body;
  held.release();
  if ((req.headers["content-type"] ?? "").toLowerCase().startsWith("application/json") && body.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw new HttpError(400, "BadRequestException", "Request body is not valid JSON.");
    }
    if (typeof parsed !== "object" || parsed === null)
      throw new HttpError(400, "BadRequestException", "Request body must be a JSON object.");
    for (const [key, value] of Object.entries(parsed)) {
      if (value !== null && value !== undefined) values.set(key, String(value));
    }
  }
  const url_ = values.get("url");
  if (url_ === undefined || url_ === "")
    throw new HttpError(400, "BadRequestException", "Parameter url is required.");
  const runtime = values.get("runtime");
  if (runtime !== undefined && !["python", "python2", "python3"].includes(runtime.toLowerCase())) {
    throw new HttpError(400, "BadRequestException", `Invalid RuntimeType value: ${runtime}`);
  }
  const number = (key: string, min: number): number | undefined => {
    const raw = values.get(key);
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw) || Number(raw) < min)
      throw new HttpError(400, "BadRequestException", `Invalid value for parameter ${key}: ${raw}`);
    return Number(raw);
  };
  const request: RegisterRequest = { url: url_ };
  const name = values.get("model_name");
  if (name !== undefined && name !== "") request.modelName = name;
  const handler = values.get("handler");
  if (handler !== undefined && handler !== "") request.handler = handler;
  const initialWorkers = number("initial_workers", 0);
  if (initialWorkers !== undefined) request.initialWorkers = initialWorkers;
  const batchSize = number("batch_size", 1);
  if (batchSize !== undefined) request.batchSize = batchSize;
  const maxBatchDelay = number("max_batch_delay", 0);
  if (maxBatchDelay !== undefined) request.maxBatchDelayMs = maxBatchDelay;
  return request;
}

function describe(model: Model): unknown {
  const o = model.options;
  return {
    modelName: o.name,
    modelVersion: o.version,
    modelUrl: o.url,
    runtime: "python",
    minWorkers: o.workers,
    maxWorkers: o.workers,
    batchSize: o.batchSize,
    maxBatchDelay: o.maxBatchDelayMs,
    loadedAtStartup: o.loadedAtStartup,
    workers: model.workerInfo.map((w) => ({
      id: w.id,
      startTime: w.startTime,
      status: w.status,
      gpu: false,
      memoryUsage: 0,
    })),
  };
}

function listModels(ctx: RouteContext, url: URL): unknown {
  let limit = intParameter(url, "limit", 100);
  let token = intParameter(url, "next_page_token", 0);
  if (limit > 100 || limit < 0) limit = 100;
  if (token < 0) token = 0;
  const models = ctx.registry.models.sort((a, b) =>
    a.options.name < b.options.name ? -1 : a.options.name > b.options.name ? 1 : 0,
  );
  let last = token + limit;
  const page: { models: Array<{ modelName: string; modelUrl: string }>; nextPageToken?: string } = {
    models: [],
  };
  if (last > models.length) last = models.length;
  else page.nextPageToken = String(last);
  page.models = models
    .slice(token, last)
    .map((m) => ({ modelName: m.options.name, modelUrl: m.options.url }));
  return page;
}

function findModel(ctx: RouteContext, name: string): Model {
  const model = ctx.registry.get(name);
  if (model === undefined) throw new HttpError(404, "ModelNotFoundException", `Model not found: ${name}`);
  return model;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, "BadRequestException", "Invalid percent-encoding in the request path.");
  }
}

async function route(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const segments = url.pathname.split("/").filter((s) => s !== "");
  const method = req.method ?? "GET";
  const [first, second, third] = segments;
  if (ctx.draining() && first !== "ping") {
    throw new HttpError(503, "ServiceUnavailableException", "Server is shutting down.");
  }
  if (segments.length === 1 && first === "ping") {
    if (method !== "GET" && method !== "HEAD" && method !== "POST") throw NOT_ALLOWED();
    const models = ctx.registry.models;
    const healthy = !ctx.starting() && !ctx.draining() && models.every((model) => model.healthy);
    // MMS's "Partial Healthy": every model serves, but fewer workers run than were asked for.
    const partial = healthy && models.some((model) => model.liveWorkers < model.options.workers);
    sendJson(res, id, healthy ? 200 : 500, {
      status: healthy ? (partial ? "Partial Healthy" : "Healthy") : "Unhealthy",
    });
    return;
  }
  if (segments.length === 1 && first === "execution-parameters") {
    if (method !== "GET") throw NOT_ALLOWED();
    const workers = ctx.registry.models.reduce((sum, model) => sum + model.options.workers, 0);
    sendJson(res, id, 200, {
      MaxConcurrentTransforms: Math.max(1, workers),
      BatchStrategy: "MULTI_RECORD",
      MaxPayloadInMB: Math.max(1, Math.floor(ctx.config.maxRequestBytes / (1024 * 1024))),
    });
    return;
  }
  if (segments.length === 1 && first === "invocations") {
    if (method !== "POST") throw NOT_ALLOWED();
    const named = url.searchParams.get("model_name");
    if (named === null && ctx.config.multiModel)
      throw new HttpError(400, "BadRequestException", "Parameter model_name is required.");
    await predict(ctx, findModel(ctx, named ?? ctx.config.modelName), req, res, url, id);
    return;
  }
  if (first === "predictions" && segments.length === 2) {
    if (method !== "POST") throw NOT_ALLOWED();
    // MMS hands no query parameters to the handler on this route.
    await predict(ctx, findModel(ctx, decodeSegment(second!)), req, res, undefined, id);
    return;
  }
  if (segments.length === 2 && second === "predict" && first !== "models") {
    // MMS's legacy `POST /{name}/predict`.
    if (method !== "POST") throw NOT_ALLOWED();
    await predict(ctx, findModel(ctx, decodeSegment(first!)), req, res, url, id);
    return;
  }
  if (first !== "models" || segments.length > 3) throw NOT_FOUND();
  if (segments.length === 3) {
    if (third !== "invoke") throw NOT_FOUND();
    if (method !== "POST") throw NOT_ALLOWED();
    await predict(ctx, findModel(ctx, decodeSegment(second!)), req, res, url, id);
    return;
  }
  if (segments.length === 1) {
    if (method === "GET") {
      sendJson(res, id, 200, listModels(ctx, url));
      return;
    }
    if (method !== "POST" || !ctx.config.multiModel) throw NOT_ALLOWED();
    const request = await registerParameters(ctx, req, res, url);
    const model = await ctx.registry.register(request, ctx.signal);
    const status = model.options.workers > 0 ? "Workers scaled" : `Model "${model.options.name}" registered`;
    sendJson(res, id, 200, { status });
    return;
  }
  const name = decodeSegment(second!);
  if (method === "GET") {
    sendJson(res, id, 200, describe(findModel(ctx, name)));
    return;
  }
  if (method !== "DELETE" || !ctx.config.multiModel) throw NOT_ALLOWED();
  await ctx.registry.unregister(name, ctx.config.stopGraceMs);
  sendJson(res, id, 200, { status: `Model "${name}" unregistered` });
}

/** Answers one HTTP request; every failure becomes MMS's JSON error. */
export async function handleRequest(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const id = randomUUID();
  try {
    await route(ctx, req, res, id);
  } catch (error) {
    if (error instanceof HttpError) sendError(res, id, error);
    else
      sendError(
        res,
        id,
        new HttpError(500, "InternalServerException", (error as Error)?.message ?? String(error)),
      );
  }
}
