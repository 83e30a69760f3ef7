import { SERVE_ENV_VARIABLES } from "@sagemaker-serve/env-config";

/** Markdown code spans read as plain text in a terminal. */
function plain(text: string): string {
  return text.replaceAll("`", "");
}

/** `sagemaker-serve help env`: every variable with its default and format, from env-config's table. */
export function envHelpText(): string {
  const lines = [
    "Environment variables sagemaker-serve reads (a flag such as --backend beats its variable):",
    "",
  ];
  for (const variable of SERVE_ENV_VARIABLES) {
    lines.push(
      variable.name,
      `    default: ${plain(variable.defaultValue)}`,
      `    format:  ${plain(variable.parsing)}`,
      `    ${plain(variable.description)}`,
      "",
    );
  }
  return lines.join("\n");
}
