import { formatError, isServeError } from "@sagemaker-serve/errors";
import { createArchive } from "@sagemaker-serve/model-archive";
import { archiveHelp, archiveUsage, ARCHIVE_PROGRAMS, parseArchiveArgs } from "./archive-args.ts";
import { createProgressReporter } from "./archive-progress.ts";
import type { CommandIo } from "./command-io.ts";

/**
 * `sagemaker-serve archive`: `model-archiver`'s flags (or `torch-model-archiver`'s with `--flavor torchserve`).
 * Exit 0 on success, 2 for usage errors (argparse's messages), 1 for validation and I/O errors (`ERROR - ...`).
 * Warnings, progress and the closing `archive: wrote <path>` line go to stderr; stdout stays empty, as with the
 * Python tools.
 */
export async function runArchiveCommand(args: string[], io: CommandIo): Promise<number> {
  const parsed = parseArchiveArgs(args, io.cwd);
  if (parsed.kind === "help") {
    io.stdout(archiveHelp(parsed.flavor));
    return 0;
  }
  if (parsed.kind === "usage-error") {
    io.stderr(`${archiveUsage(parsed.flavor)}${ARCHIVE_PROGRAMS[parsed.flavor]}: error: ${parsed.message}\n`);
    return 2;
  }
  const onProgress = parsed.progress
    ? createProgressReporter({ write: io.stderr, isTTY: io.isTTY })
    : undefined;
  try {
    const result = await createArchive({
      ...parsed.options,
      signal: io.signal,
      onWarning: (message) => io.stderr(`WARNING - ${message}\n`),
      ...(onProgress === undefined ? {} : { onProgress }),
    });
    io.stderr(`archive: wrote ${result.path}\n`);
    return 0;
  } catch (error) {
    onProgress?.interrupt();
    if (isServeError(error)) {
      io.stderr(`ERROR - ${error.message}\n${error.hint === undefined ? "" : `hint: ${error.hint}\n`}`);
    } else {
      io.stderr(`${formatError(error)}\n`);
    }
    return 1;
  }
}
