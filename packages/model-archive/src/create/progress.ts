import type { ArchiveProgress } from "./archive-options.ts";
import type { SourceFile } from "../files/source-file.ts";

/** Counts files and bytes as they are written and reports a copy of the totals after each change. */
export class ProgressReporter {
  readonly #progress: ArchiveProgress;
  readonly #onProgress: ((progress: ArchiveProgress) => void) | undefined;

  constructor(files: readonly SourceFile[], onProgress: ((progress: ArchiveProgress) => void) | undefined) {
    const bytesTotal = files.reduce((sum, f) => sum + f.size, 0);
    this.#progress = { phase: "write", filesDone: 0, filesTotal: files.length, bytesDone: 0, bytesTotal };
    this.#onProgress = onProgress;
  }

  get bytesTotal(): number {
    return this.#progress.bytesTotal;
  }

  readonly fileStarted = (file: SourceFile): void => {
    this.#progress.file = file.name;
    this.#report();
  };

  readonly bytes = (count: number): void => {
    this.#progress.bytesDone += count;
    this.#report();
  };

  readonly fileDone = (): void => {
    this.#progress.filesDone += 1;
    this.#report();
  };

  /** A file written in one step (no-archive). */
  readonly wholeFile = (file: SourceFile): void => {
    this.#progress.file = file.name;
    this.#progress.bytesDone += file.size;
    this.fileDone();
  };

  done(): void {
    this.#progress.phase = "done";
    this.#report();
  }

  #report(): void {
    this.#onProgress?.({ ...this.#progress });
  }
}
