import type { PredictResult, RequestInput } from "./worker-process.ts";

/** What the HTTP layer sends back for one job. */
export type JobOutcome =
  | { kind: "result"; result: PredictResult }
  | { kind: "error"; status: number; type: string; message: string };

/** One request on its way through a model: queued, then in a batch a worker holds. */
export interface Job {
  input: RequestInput;
  settle: (outcome: JobOutcome) => void;
  /** performance.now() when queued. */
  queuedAt: number;
}
