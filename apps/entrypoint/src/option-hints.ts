import { SERVE_ENV_VARIABLES } from "@sagemaker-serve/env-config";
import { closestMatch } from "./suggest.ts";

/** An option the user might try that is set through the environment instead. */
interface VariableOption {
  variable: string;
  /** Set when the option's value is not the variable's value as is. */
  note?: string;
}

/** Options people try from other servers' command lines that no variable name spells. */
const ALIASES: Readonly<Record<string, VariableOption>> = {
  port: { variable: "SAGEMAKER_BIND_TO_PORT" },
  "model-dir": {
    variable: "SAGEMAKER_BASE_DIR",
    note: "the model directory is SAGEMAKER_BASE_DIR/model, or /models with SAGEMAKER_MULTI_MODEL=true",
  },
  "model-store": {
    variable: "SAGEMAKER_BASE_DIR",
    note: "models are read from SAGEMAKER_BASE_DIR/model, or /models with SAGEMAKER_MULTI_MODEL=true",
  },
  "log-level": { variable: "SAGEMAKER_CONTAINER_LOG_LEVEL" },
  config: { variable: "SAGEMAKER_SERVE_CONFIG_PATH" },
};

/**
 * Option spellings of each variable: `SAGEMAKER_SERVE_PIP_FORCE` → `--sagemaker-serve-pip-force`,
 * `--serve-pip-force`, `--pip-force`; `SAGEMAKER_MODEL_SERVER_WORKERS` → ... `--workers`.
 */
function variableOptions(): Map<string, VariableOption> {
  const options = new Map<string, VariableOption>();
  for (const { name } of SERVE_ENV_VARIABLES) {
    let words = name.toLowerCase().split("_");
    for (;;) {
      options.set(words.join("-"), { variable: name });
      const prefix = ["sagemaker", "serve", "model-server"].find((p) => words.join("-").startsWith(`${p}-`));
      if (prefix === undefined) break;
      words = words.slice(prefix.split("-").length);
    }
  }
  for (const [option, target] of Object.entries(ALIASES)) options.set(option, target);
  return options;
}

/** How a command declares its options (the shape `node:util` parseArgs takes). */
export type OptionSpecs = Readonly<Record<string, { type: "string" | "boolean"; short?: string }>>;

/**
 * The message for the first `--option` in `argv` that `known` does not declare, when there is something better
 * to say than "unknown option": the variable to set instead, or the declared option it is a typo of.
 */
export function unknownOptionHint(argv: readonly string[], known: OptionSpecs): string | undefined {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === "--") return undefined;
    if (!arg.startsWith("--")) continue;
    const [name = "", inlineValue] = arg.slice(2).split(/=(.*)/s, 2);
    const spec = Object.hasOwn(known, name) ? known[name] : undefined;
    if (spec !== undefined) {
      if (spec.type === "string" && inlineValue === undefined) i += 1;
      continue;
    }
    const next = argv[i + 1];
    const value = inlineValue ?? (next !== undefined && !next.startsWith("-") ? next : undefined);
    const target = variableOptions().get(name.toLowerCase());
    if (target !== undefined) {
      const assignment =
        value === undefined || target.note !== undefined ? target.variable : `${target.variable}=${value}`;
      return `unknown option '--${name}': settings come from the environment, set ${assignment} instead${target.note === undefined ? "" : ` (${target.note})`}; \`sagemaker-serve help env\` lists every variable`;
    }
    const typo = closestMatch(name, Object.keys(known));
    return typo === undefined ? undefined : `unknown option '--${name}'; did you mean '--${typo}'?`;
  }
  return undefined;
}
