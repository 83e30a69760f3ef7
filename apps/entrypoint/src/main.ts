declare const __SAGEMAKER_SERVE_VERSION__: string;

const COMMANDS = ["serve", "archive", "config", "doctor"] as const;

const argv = process.argv.slice(2);
if (argv.includes("--version")) {
  process.stdout.write(`${__SAGEMAKER_SERVE_VERSION__}\n`);
} else {
  process.stdout.write(`usage: sagemaker-serve <command>\n\ncommands: ${COMMANDS.join(", ")}\n`);
}
