/** The warning `serve` prints when it is PID 1 without an init (DESIGN decision 3). */
export const PID1_WARNING =
  "running as PID 1 without an init: orphaned processes will not be reaped. " +
  'Fix: ENTRYPOINT ["tini", "--", "sagemaker-serve"] in the image (or docker run --init)';

/** True when this process is PID 1 of its PID namespace: then nothing reaps the server's orphans. */
export function runsAsPid1(pid: number): boolean {
  return pid === 1;
}
