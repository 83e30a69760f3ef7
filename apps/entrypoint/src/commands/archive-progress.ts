import type { ArchiveProgress } from "@sagemaker-serve/model-archive";

export interface ProgressReporterOptions {
  write: (text: string) => void;
  /** A redrawn bar on a TTY, else one log line per interval. */
  isTTY: boolean;
  now?: () => number;
  /** Nothing is shown for archives that finish sooner. Default 1000 ms. */
  delayMs?: number;
  /** Log-line interval without a TTY. Default 10 s. */
  intervalMs?: number;
  /** Bar redraw interval on a TTY. Default 100 ms. */
  redrawMs?: number;
}

const BAR_WIDTH = 30;

function size(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function percent(p: ArchiveProgress): number {
  return p.bytesTotal === 0 ? (p.phase === "done" ? 100 : 0) : Math.floor((p.bytesDone / p.bytesTotal) * 100);
}

function summary(p: ArchiveProgress): string {
  return `${percent(p)}% ${size(p.bytesDone)} of ${size(p.bytesTotal)}, ${p.filesDone}/${p.filesTotal} files`;
}

/** A progress callback; `interrupt()` ends a half-drawn bar line before other output. */
export interface ProgressReporter {
  (progress: ArchiveProgress): void;
  interrupt: () => void;
}

/** Turns `createArchive`'s progress callbacks into a TTY bar or periodic lines on stderr. */
export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const { write, isTTY, now = Date.now, delayMs = 1000, intervalMs = 10_000, redrawMs = 100 } = options;
  const started = now();
  let last = Number.NEGATIVE_INFINITY;
  let shown = false;
  let midLine = false;
  const report = (p: ArchiveProgress): void => {
    const t = now();
    const done = p.phase === "done";
    if (!shown && t - started < delayMs) return;
    if (!done && t - last < (isTTY ? redrawMs : intervalMs)) return;
    last = t;
    shown = true;
    if (isTTY) {
      const filled = Math.round((percent(p) / 100) * BAR_WIDTH);
      write(
        `\r[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${summary(p)}\u001b[K${done ? "\n" : ""}`,
      );
      midLine = !done;
    } else {
      write(`archive: ${summary(p)}${p.file !== undefined && !done ? ` (${p.file})` : ""}\n`);
    }
  };
  return Object.assign(report, {
    interrupt: () => {
      if (midLine) write("\n");
      midLine = false;
    },
  });
}
