import * as v from "valibot";
import { SERVE_ENV_VARIABLES } from "./variables.ts";

/** One valibot object schema over every variable (unknown keys are ignored); per-field problems as issue messages. */
export const serveEnvironmentSchema = v.object(
  Object.fromEntries(SERVE_ENV_VARIABLES.map((variable) => [variable.name, variable.schema])),
);

function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/** The README's variable table (Markdown), generated from `SERVE_ENV_VARIABLES`. */
export function renderVariableTable(): string {
  const rows = SERVE_ENV_VARIABLES.map(
    (variable) =>
      `| \`${variable.name}\` | ${cell(variable.defaultValue)} | ${cell(variable.parsing)} | ${cell(variable.becomes)} | ${cell(variable.description)} |`,
  );
  return [
    "| variable | default | parsing | becomes | what for |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}
