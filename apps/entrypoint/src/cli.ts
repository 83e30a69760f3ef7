import type { CommandIo } from "./commands/command-io.ts";
import { EXIT } from "./exit-codes.ts";

/** A subcommand: its one-line summary for `--help`, and how to run it. */
export interface CommandSpec {
  summary: string;
  run: (args: string[], io: CommandIo) => Promise<number>;
  /** Not listed in help (internal commands). */
  hidden?: boolean;
}

export interface CliOptions {
  version: string;
  commands: Readonly<Record<string, CommandSpec>>;
}

/** The default command when argv is empty: SageMaker runs `IMAGE serve`, other platforms may run `IMAGE`. */
export const DEFAULT_COMMAND = "serve";

export function helpText(commands: Readonly<Record<string, CommandSpec>>): string {
  const visible = Object.entries(commands).filter(([, spec]) => !spec.hidden);
  const width = Math.max(...visible.map(([name]) => name.length));
  return [
    "usage: sagemaker-serve [command] [options]",
    "",
    "The SageMaker inference container entrypoint: installs requirements, writes the model server's config,",
    "starts MMS, TorchServe or the built-in server, and supervises it.",
    "",
    "commands:",
    ...visible.map(([name, spec]) => `  ${name.padEnd(width)}  ${spec.summary}`),
    "",
    `With no command, runs \`${DEFAULT_COMMAND}\`. \`sagemaker-serve <command> --help\` shows a command's options.`,
    "options: --help, --version",
    "",
  ].join("\n");
}

/** Dispatches argv (without node and the script) to a command and returns the exit code. */
export async function runCli(argv: readonly string[], io: CommandIo, options: CliOptions): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) return options.commands[DEFAULT_COMMAND]!.run([], io);
  if (first === "--version" || first === "-v" || first === "version") {
    io.stdout(`${options.version}\n`);
    return EXIT.ok;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    io.stdout(helpText(options.commands));
    return EXIT.ok;
  }
  const command = Object.hasOwn(options.commands, first) ? options.commands[first] : undefined;
  if (command === undefined) {
    const names = Object.entries(options.commands)
      .filter(([, spec]) => !spec.hidden)
      .map(([name]) => name);
    const what = first.startsWith("-")
      ? `unknown option ${JSON.stringify(first)}`
      : `unknown command ${JSON.stringify(first)}`;
    io.stderr(`sagemaker-serve: ${what}; commands: ${names.join(", ")} (see sagemaker-serve --help)\n`);
    return EXIT.usage;
  }
  return command.run(rest, io);
}
