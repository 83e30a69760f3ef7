export {
  startModelServer,
  DEFAULT_PYTHON_DIR,
  type StartModelServerOptions,
  type ModelServerHandle,
} from "./start-model-server.ts";
export { parseBuiltinServerConfig, type BuiltinServerConfig } from "./config.ts";
export type { ModelServerErrorCode, ModelServerError } from "./errors.ts";
export type { ModelServerLogger } from "./logger.ts";
export type { ExtractArchive } from "./model-source.ts";
