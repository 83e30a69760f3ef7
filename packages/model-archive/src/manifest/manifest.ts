import { pythonJsonDumps } from "./python-json.ts";

/** Version `torch-model-archiver` writes as `archiverVersion`; we write the version we are compatible with. */
export const TORCHSERVE_ARCHIVER_VERSION = "0.12.0";

export interface MmsManifestInput {
  modelName: string;
  handler: string;
  runtime: string;
  /** Only through the API (the Python CLI has no flag): `{ engineName: "MXNet", engineVersion? }`. */
  engine?: { engineName: string; engineVersion?: string };
  /** Only through the API: `{ author, email }`. */
  publisher?: { author: string; email: string };
  description?: string;
  modelVersion?: string;
}

/** The exact bytes MMS `model-archiver` 1.0.4 writes to `MAR-INF/MANIFEST.json`. */
export function renderMmsManifest(input: MmsManifestInput): string {
  const model: Record<string, unknown> = { modelName: input.modelName, handler: input.handler };
  if (input.description !== undefined) model.description = input.description;
  if (input.modelVersion !== undefined) model.modelVersion = input.modelVersion;
  const manifest: Record<string, unknown> = { runtime: input.runtime, model };
  if (input.engine !== undefined) {
    manifest.engine = {
      engineName: input.engine.engineName,
      ...(input.engine.engineVersion === undefined ? {} : { engineVersion: input.engine.engineVersion }),
    };
  }
  manifest.modelServerVersion = "1.0";
  manifest.implementationVersion = "1.0";
  manifest.specificationVersion = "1.0";
  if (input.publisher !== undefined) {
    manifest.publisher = { author: input.publisher.author, email: input.publisher.email };
  }
  return pythonJsonDumps(manifest);
}

export interface TorchServeManifestInput {
  modelName: string;
  handler: string;
  runtime: string;
  modelVersion: string;
  serializedFile?: string;
  modelFile?: string;
  requirementsFile?: string;
  configFile?: string;
  createdOn: Date;
}

function two(n: number): string {
  return String(n).padStart(2, "0");
}

/** Python's `%d/%m/%Y %H:%M:%S` in local time. */
export function formatCreatedOn(date: Date): string {
  return `${two(date.getDate())}/${two(date.getMonth() + 1)}/${date.getFullYear()} ${two(date.getHours())}:${two(
    date.getMinutes(),
  )}:${two(date.getSeconds())}`;
}

/** `torch-model-archiver` 0.12.0's manifest: same keys, order and omission rules (model keys only when truthy). */
export function renderTorchServeManifest(input: TorchServeManifestInput): string {
  const model: Record<string, unknown> = { modelName: input.modelName };
  if (input.serializedFile) model.serializedFile = input.serializedFile;
  if (input.handler) model.handler = input.handler;
  if (input.modelFile) model.modelFile = input.modelFile;
  if (input.modelVersion) model.modelVersion = input.modelVersion;
  if (input.requirementsFile) model.requirementsFile = input.requirementsFile;
  if (input.configFile) model.configFile = input.configFile;
  return pythonJsonDumps({
    createdOn: formatCreatedOn(input.createdOn),
    runtime: input.runtime,
    model,
    archiverVersion: TORCHSERVE_ARCHIVER_VERSION,
  });
}
