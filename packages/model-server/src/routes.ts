import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BuiltinServerConfig } from "./config.ts";
import type { BodyBudget } from "./body-budget.ts";
import { HttpError, sendError, sendJson, sendResult } from "./http-response.ts";
import type { JobOutcome, Model } from "./model.ts";
import type { ModelRegistry, RegisterRequest } from "./registry.ts";
import { declaredLength, joinChunks, readRequestBody, tooLarge, type HeldBody } from "./request-body.ts";
import { buildRequestInput } from "./request-input.ts";
import type { RequestInput } from "./worker-process.ts";
import { createRouter, pathSegments, type Route } from "./router.ts";

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
    let input: RequestInput;
    try {
      input = buildRequestInput(req, query, held.chunks, id);
    } catch (error) {
      ticket.release();
      throw error;
    }
    outcome = await ticket.submit(input);
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
  const body = joinChunks(held.chunks);
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

/** One request as a route handler sees it; `params` are percent-decoded. */
interface Call {
  ctx: RouteContext;
  req: IncomingMessage;
  res: ServerResponse;
  id: string;
  url: URL;
  params: Record<string, string>;
}

interface Handler {
  serve: (call: Call) => Promise<void> | void;
  /** Served only by a multi-model server; a single-model server answers 405. */
  multiModelOnly?: boolean;
}

function ping({ ctx, res, id }: Call): void {
  const models = ctx.registry.models;
  const healthy = !ctx.starting() && !ctx.draining() && models.every((model) => model.healthy);
  // MMS's "Partial Healthy": every model serves, but fewer workers run than were asked for.
  const partial = healthy && models.some((model) => model.liveWorkers < model.options.workers);
  sendJson(res, id, healthy ? 200 : 500, {
    status: healthy ? (partial ? "Partial Healthy" : "Healthy") : "Unhealthy",
  });
}

function executionParameters({ ctx, res, id }: Call): void {
  const workers = ctx.registry.models.reduce((sum, model) => sum + model.options.workers, 0);
  sendJson(res, id, 200, {
    MaxConcurrentTransforms: Math.max(1, workers),
    BatchStrategy: "MULTI_RECORD",
    MaxPayloadInMB: Math.max(1, Math.floor(ctx.config.maxRequestBytes / (1024 * 1024))),
  });
}

async function invocations({ ctx, req, res, id, url }: Call): Promise<void> {
  const named = url.searchParams.get("model_name");
  if (named === null && ctx.config.multiModel)
    throw new HttpError(400, "BadRequestException", "Parameter model_name is required.");
  await predict(ctx, findModel(ctx, named ?? ctx.config.modelName), req, res, url, id);
}

async function predictByName({ ctx, req, res, id, url, params }: Call): Promise<void> {
  await predict(ctx, findModel(ctx, params.name!), req, res, url, id);
}

async function register({ ctx, req, res, id, url }: Call): Promise<void> {
  const request = await registerParameters(ctx, req, res, url);
  const model = await ctx.registry.register(request, ctx.signal);
  const status = model.options.workers > 0 ? "Workers scaled" : `Model "${model.options.name}" registered`;
  sendJson(res, id, 200, { status });
}

async function unregister({ ctx, res, id, params }: Call): Promise<void> {
  await ctx.registry.unregister(params.name!, ctx.config.stopGraceMs);
  sendJson(res, id, 200, { status: `Model "${params.name!}" unregistered` });
}

/**
 * MMS's inference and management API. Order matters: the first pattern that fits a path answers it (see
 * createRouter), so `/models/predict` is the model "predict", never the legacy route of a model named "models".
 */
export const ROUTES: ReadonlyArray<Route<Handler>> = [
  ...["GET", "HEAD", "POST"].map((method) => ({ method, pattern: "/ping", handler: { serve: ping } })),
  { method: "GET", pattern: "/execution-parameters", handler: { serve: executionParameters } },
  { method: "POST", pattern: "/invocations", handler: { serve: invocations } },
  {
    method: "POST",
    pattern: "/predictions/:name",
    // MMS hands no query parameters to the handler on this route.
    handler: {
      serve: (call) =>
        predict(call.ctx, findModel(call.ctx, call.params.name!), call.req, call.res, undefined, call.id),
    },
  },
  {
    method: "GET",
    pattern: "/models",
    handler: { serve: (c) => sendJson(c.res, c.id, 200, listModels(c.ctx, c.url)) },
  },
  { method: "POST", pattern: "/models", handler: { serve: register, multiModelOnly: true } },
  {
    method: "GET",
    pattern: "/models/:name",
    handler: { serve: (c) => sendJson(c.res, c.id, 200, describe(findModel(c.ctx, c.params.name!))) },
  },
  { method: "DELETE", pattern: "/models/:name", handler: { serve: unregister, multiModelOnly: true } },
  { method: "POST", pattern: "/models/:name/invoke", handler: { serve: predictByName } },
  // MMS's legacy `POST /{name}/predict`.
  { method: "POST", pattern: "/:name/predict", handler: { serve: predictByName } },
];

const router = createRouter(ROUTES);

async function route(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const segments = pathSegments(url.pathname);
  if (ctx.draining() && segments[0] !== "ping") {
    throw new HttpError(503, "ServiceUnavailableException", "Server is shutting down.");
  }
  const match = router(segments, req.method ?? "GET");
  if (match.kind === "not-found") throw NOT_FOUND();
  if (match.kind === "method-not-allowed") throw NOT_ALLOWED();
  const { handler } = match.route;
  if (handler.multiModelOnly && !ctx.config.multiModel) throw NOT_ALLOWED();
  const params: Record<string, string> = {};
  for (const [key, raw] of Object.entries(match.params)) params[key] = decodeSegment(raw);
  await handler.serve({ ctx, req, res, id, url, params });
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
