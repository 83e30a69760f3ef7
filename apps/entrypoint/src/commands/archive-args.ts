import { parseArgs } from "node:util";
import type { ArchiveFlavor, CreateArchiveOptions } from "@sagemaker-serve/model-archive";

interface FlagSpec {
  name: string;
  short?: string;
  type: "string" | "boolean";
  metavar?: string;
  choices?: readonly string[];
  required?: boolean;
  help: string;
}

const COMMON_EXTRAS: readonly FlagSpec[] = [
  {
    name: "flavor",
    type: "string",
    choices: ["mms", "torchserve"],
    help: "which archiver to behave like (default mms)",
  },
  {
    name: "compression",
    type: "string",
    choices: ["auto", "deflate", "store"],
    help: "zip entries: auto stores weights and incompressible files, deflates the rest (default auto)",
  },
  {
    name: "link-mode",
    type: "string",
    choices: ["auto", "copy", "hardlink", "symlink"],
    help: "no-archive: hard links where possible, else copies (default auto)",
  },
  { name: "no-progress", type: "boolean", help: "do not report progress on stderr" },
];

/** `model-archiver` (MMS 1.0.4) flags, unchanged. */
const MMS_FLAGS: readonly FlagSpec[] = [
  { name: "model-name", type: "string", metavar: "MODEL_NAME", required: true, help: "exported model name" },
  {
    name: "model-path",
    type: "string",
    metavar: "MODEL_PATH",
    required: true,
    help: "directory with the model files",
  },
  {
    name: "handler",
    type: "string",
    metavar: "HANDLER",
    required: true,
    help: "handler entry point, module[:function]",
  },
  {
    name: "runtime",
    type: "string",
    choices: ["python", "python2", "python3"],
    help: "runtime (default python)",
  },
  {
    name: "export-path",
    type: "string",
    metavar: "EXPORT_PATH",
    help: "existing directory for the output (default cwd)",
  },
  {
    name: "archive-format",
    type: "string",
    choices: ["tgz", "no-archive", "default"],
    help: "tgz: .tar.gz, no-archive: a directory, default: .mar",
  },
  { name: "force", short: "f", type: "boolean", help: "overwrite an existing output" },
  {
    name: "convert",
    short: "c",
    type: "boolean",
    help: "ONNX to MXNet conversion (not supported: needs MXNet)",
  },
];

/** `torch-model-archiver` (0.12.0) flags, unchanged. */
const TORCHSERVE_FLAGS: readonly FlagSpec[] = [
  { name: "model-name", type: "string", metavar: "MODEL_NAME", required: true, help: "exported model name" },
  {
    name: "serialized-file",
    type: "string",
    metavar: "SERIALIZED_FILE",
    help: "weights file (.pt, .pth, .bin, ...)",
  },
  { name: "model-file", type: "string", metavar: "MODEL_FILE", help: "Python file with the model class" },
  {
    name: "handler",
    type: "string",
    metavar: "HANDLER",
    required: true,
    help: "built-in handler name or handler file",
  },
  {
    name: "extra-files",
    type: "string",
    metavar: "EXTRA_FILES",
    help: "comma-separated files, directories or globs",
  },
  {
    name: "runtime",
    type: "string",
    choices: ["python", "python3", "LSP"],
    help: "runtime (default python)",
  },
  {
    name: "export-path",
    type: "string",
    metavar: "EXPORT_PATH",
    help: "output directory, created if missing (default cwd)",
  },
  {
    name: "archive-format",
    type: "string",
    choices: ["tgz", "no-archive", "zip-store", "default"],
    help: "tgz: .tar.gz, no-archive: a directory, zip-store: uncompressed .mar, default: .mar",
  },
  { name: "force", short: "f", type: "boolean", help: "overwrite an existing output" },
  { name: "version", short: "v", type: "string", metavar: "VERSION", required: true, help: "model version" },
  {
    name: "requirements-file",
    short: "r",
    type: "string",
    metavar: "REQUIREMENTS_FILE",
    help: "requirements.txt",
  },
  { name: "config-file", short: "c", type: "string", metavar: "CONFIG_FILE", help: "model config YAML" },
];

const PROGRAM: Record<ArchiveFlavor, string> = { mms: "model-archiver", torchserve: "torch-model-archiver" };

function flagsFor(flavor: ArchiveFlavor): readonly FlagSpec[] {
  return [...(flavor === "mms" ? MMS_FLAGS : TORCHSERVE_FLAGS), ...COMMON_EXTRAS];
}

function usageItem(flag: FlagSpec): string {
  const option = flag.short === undefined ? `--${flag.name}` : `-${flag.short}`;
  const value =
    flag.type === "boolean" ? "" : ` ${flag.choices ? `{${flag.choices.join(",")}}` : flag.metavar}`;
  return flag.required ? `${option}${value}` : `[${option}${value}]`;
}

/** argparse-style usage line for the flavor. */
export function archiveUsage(flavor: ArchiveFlavor): string {
  return `usage: ${PROGRAM[flavor]} [-h] ${flagsFor(flavor).map(usageItem).join(" ")}\n`;
}

/** Full `--help` text. */
export function archiveHelp(flavor: ArchiveFlavor): string {
  const lines = flagsFor(flavor).map((flag) => {
    const names = flag.short === undefined ? `--${flag.name}` : `-${flag.short}, --${flag.name}`;
    return `  ${names.padEnd(28)} ${flag.help}${flag.required ? " (required)" : ""}`;
  });
  const other =
    flavor === "mms"
      ? "--flavor torchserve for torch-model-archiver's flags"
      : "--flavor mms for model-archiver's flags";
  return `${archiveUsage(flavor)}\nsagemaker-serve archive: ${PROGRAM[flavor]}-compatible model archiving (${other}).\n\noptions:\n  -h, --help                   show this help message and exit\n${lines.join("\n")}\n`;
}

export type ParsedArchiveArgs =
  | { kind: "help"; flavor: ArchiveFlavor }
  | { kind: "usage-error"; flavor: ArchiveFlavor; message: string }
  | { kind: "run"; flavor: ArchiveFlavor; options: CreateArchiveOptions; progress: boolean };

/** The flavor named by `--flavor X` / `--flavor=X` (the last one wins, like argparse). */
function findFlavor(args: readonly string[]): string {
  let flavor = "mms";
  args.forEach((arg, i) => {
    if (arg === "--flavor" && args[i + 1] !== undefined) flavor = args[i + 1] as string;
    else if (arg.startsWith("--flavor=")) flavor = arg.slice("--flavor=".length);
  });
  return flavor;
}

function argparseMessage(error: unknown, flags: readonly FlagSpec[]): string {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message;
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unrecognized arguments: ${option}`;
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    return `unrecognized arguments: ${/'([^']*)'/.exec(message)?.[1] ?? ""}`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const flag = flags.find((f) => option === `--${f.name}` || option === `-${f.short}`);
    if (flag?.type === "boolean") return `argument ${describe(flag)}: ignored explicit argument`;
    return `argument ${flag === undefined ? option : describe(flag)}: expected one argument`;
  }
  return message;
}

function describe(flag: FlagSpec): string {
  return flag.short === undefined ? `--${flag.name}` : `-${flag.short}/--${flag.name}`;
}

/** Parses `archive` arguments with the flags of the chosen flavor; argparse's messages for usage errors. */
export function parseArchiveArgs(args: readonly string[], cwd: string): ParsedArchiveArgs {
  const rawFlavor = findFlavor(args);
  if (rawFlavor !== "mms" && rawFlavor !== "torchserve") {
    return {
      kind: "usage-error",
      flavor: "mms",
      message: `argument --flavor: invalid choice: '${rawFlavor}' (choose from 'mms', 'torchserve')`,
    };
  }
  const flavor: ArchiveFlavor = rawFlavor;
  const flags = flagsFor(flavor);
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const flag of flags)
    options[flag.name] = { type: flag.type, ...(flag.short ? { short: flag.short } : {}) };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...args], options, strict: true, allowPositionals: false }) as {
      values: Record<string, string | boolean | undefined>;
    });
  } catch (error) {
    return { kind: "usage-error", flavor, message: argparseMessage(error, flags) };
  }
  if (values.help === true) return { kind: "help", flavor };
  for (const flag of flags) {
    const value = values[flag.name];
    if (flag.choices !== undefined && typeof value === "string" && !flag.choices.includes(value)) {
      return {
        kind: "usage-error",
        flavor,
        message: `argument ${describe(flag)}: invalid choice: '${value}' (choose from ${flag.choices.map((c) => `'${c}'`).join(", ")})`,
      };
    }
  }
  const missing = flags.filter((f) => f.required && values[f.name] === undefined).map(describe);
  if (missing.length > 0) {
    return {
      kind: "usage-error",
      flavor,
      message: `the following arguments are required: ${missing.join(", ")}`,
    };
  }
  const str = (name: string): string | undefined => values[name] as string | undefined;
  const common = {
    flavor,
    cwd,
    modelName: str("model-name") as string,
    handler: str("handler") as string,
    runtime: str("runtime") ?? "python",
    exportPath: str("export-path") ?? cwd,
    archiveFormat: (str("archive-format") ?? "default") as CreateArchiveOptions["archiveFormat"],
    force: values.force === true,
    compression: (str("compression") ?? "auto") as CreateArchiveOptions["compression"],
    linkMode: (str("link-mode") ?? "auto") as CreateArchiveOptions["linkMode"],
  };
  const specific: Partial<CreateArchiveOptions> =
    flavor === "mms"
      ? { modelPath: str("model-path"), convert: values.convert === true }
      : {
          serializedFile: str("serialized-file"),
          modelFile: str("model-file"),
          extraFiles: str("extra-files"),
          version: str("version"),
          requirementsFile: str("requirements-file"),
          configFile: str("config-file"),
        };
  return {
    kind: "run",
    flavor,
    options: { ...common, ...specific },
    progress: values["no-progress"] !== true,
  };
}

export { PROGRAM as ARCHIVE_PROGRAMS };
