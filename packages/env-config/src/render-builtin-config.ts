import {
  DEFAULT_MODEL_NAME,
  MMS_DEFAULT_JOB_QUEUE_SIZE,
  MMS_DEFAULT_MAX_REQUEST_BYTES,
  type LogFormat,
} from "./constants.ts";
import { checkedHandler } from "./properties-lines.ts";
import type { RenderConfigOptions } from "./render-mms-config.ts";
import type { ServeSettings } from "./settings.ts";

/** The built-in server's config file (JSON), as `@sagemaker-serve/model-server` reads it. */
export interface BuiltinServerConfig {
  port: number;
  bindAddress: string;
  multiModel: boolean;
  modelDir: string;
  modelName: string;
  handlerService: string;
  /** null = one worker per core. */
  workers: number | null;
  requestTimeoutMs: number;
  maxRequestBytes: number;
  startupTimeoutMs: number;
  defaultInvocationsAccept: string | null;
  /** The user module name (`SAGEMAKER_PROGRAM` without `.py`); null when it is empty. */
  program: string | null;
  python: string;
  batchSize: number;
  maxBatchDelayMs: number;
  queueSize: number;
  stopGraceMs: number;
  logFormat: LogFormat;
}

/** The built-in server's config for these settings, with MMS's defaults where the environment leaves a gap. */
export function builtinServerConfig(
  settings: ServeSettings,
  { handler = settings.handlerService }: RenderConfigOptions = {},
): BuiltinServerConfig {
  return {
    port: settings.bindPort,
    bindAddress: "0.0.0.0",
    multiModel: settings.multiModel,
    modelDir: settings.modelDir,
    modelName: DEFAULT_MODEL_NAME,
    handlerService: checkedHandler("built-in server", handler),
    workers: settings.workers,
    requestTimeoutMs: settings.requestTimeoutMs,
    maxRequestBytes: settings.maxRequestBytes ?? MMS_DEFAULT_MAX_REQUEST_BYTES,
    startupTimeoutMs: settings.startupTimeoutMs,
    defaultInvocationsAccept: settings.defaultInvocationsAccept,
    program: settings.moduleName === "" ? null : settings.moduleName,
    python: settings.python,
    batchSize: settings.torchServe.batchSize,
    maxBatchDelayMs: settings.torchServe.maxBatchDelayMs,
    queueSize: MMS_DEFAULT_JOB_QUEUE_SIZE,
    stopGraceMs: settings.stopGraceMs,
    logFormat: settings.logFormat,
  };
}

/** `builtinServerConfig` as the JSON text of the config file (two-space indent, trailing newline). */
export function renderBuiltinConfig(settings: ServeSettings, options: RenderConfigOptions = {}): string {
  return `${JSON.stringify(builtinServerConfig(settings, options), null, 2)}\n`;
}
