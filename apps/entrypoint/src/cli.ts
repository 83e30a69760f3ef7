import type { CommandIo } from "./commands/command-io.ts";
import { envHelpText } from "./commands/help-env.ts";
import { EXIT } from "./exit-codes.ts";
import { unknownOptionHint } from "./option-hints.ts";
import { closestMatch } from "./suggest.ts";

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
    "Settings come from environment variables: `sagemaker-serve help env` lists each with its format and default.",
    "options: --help, --version",
    "",
  ].join("\n");
}

function visibleNames(commands: Readonly<Record<string, CommandSpec>>): string[] {
  return Object.entries(commands)
    .filter(([, spec]) => !spec.hidden)
    .map(([name]) => name);
}

/** The one line for a word that is not a command (or help topic): a "did you mean" for a typo, then the list. */
function unknownWord(
  word: string,
  names: readonly string[],
  { what = "command", prefix = "sagemaker-serve" } = {},
): string {
  const typo = closestMatch(word, names);
  const guess = typo === undefined ? "" : ` did you mean "${typo}"?`;
  return `${prefix}: unknown ${what} ${JSON.stringify(word)};${guess} ${what}s: ${names.join(", ")} (see sagemaker-serve --help)\n`;
}

/** `help`, `help env`, `help <command>`. */
async function runHelp(topic: string | undefined, io: CommandIo, options: CliOptions): Promise<number> {
  if (topic === undefined) {
    io.stdout(helpText(options.commands));
    return EXIT.ok;
  }
  if (topic === "env") {
    io.stdout(envHelpText());
    return EXIT.ok;
  }
  const command = Object.hasOwn(options.commands, topic) ? options.commands[topic] : undefined;
  if (command === undefined) {
    const topics = ["env", ...visibleNames(options.commands)];
    io.stderr(unknownWord(topic, topics, { what: "topic", prefix: "sagemaker-serve help" }));
    return EXIT.usage;
  }
  return command.run(["--help"], io);
}

/** Dispatches argv (without node and the script) to a command and returns the exit code. */
export async function runCli(argv: readonly string[], io: CommandIo, options: CliOptions): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) return options.commands[DEFAULT_COMMAND]!.run([], io);
  if (first === "--version" || first === "-v" || first === "version") {
    io.stdout(`${options.version}\n`);
    return EXIT.ok;
  }
  if (first === "--help" || first === "-h") return runHelp(undefined, io, options);
  if (first === "help") return runHelp(rest[0], io, options);
  const command = Object.hasOwn(options.commands, first) ? options.commands[first] : undefined;
  if (command !== undefined) return command.run(rest, io);
  if (!first.startsWith("-")) {
    io.stderr(unknownWord(first, visibleNames(options.commands)));
    return EXIT.usage;
  }
  const hint = unknownOptionHint(argv, { help: { type: "boolean" }, version: { type: "boolean" } });
  io.stderr(
    `sagemaker-serve: ${hint ?? `unknown option ${JSON.stringify(first)}`}; commands: ${visibleNames(options.commands).join(", ")} (see sagemaker-serve --help)\n`,
  );
  return EXIT.usage;
}
