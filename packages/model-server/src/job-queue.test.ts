import { describe, expect, it } from "vitest";
import type { Job } from "./job.ts";
import { JobQueue } from "./job-queue.ts";

function job(id: string): Job {
  return { input: { requestId: id, rawHeaders: [], parameters: [] }, settle: () => {}, queuedAt: 0 };
}

describe("JobQueue", () => {
  it("admits up to its capacity, counting held places, queued jobs and jobs in workers' pipelines", () => {
    let pipelined = 1;
    const queue = new JobQueue({ capacity: 3, pipelined: () => pipelined });
    const first = queue.reserve()!;
    queue.push(job("a"));
    expect(queue.reserve()).toBeUndefined();
    first.release();
    first.release();
    const second = queue.reserve()!;
    expect(queue.reserve()).toBeUndefined();
    pipelined = 0;
    expect(queue.reserve()).toBeDefined();
    second.use();
    expect(() => second.use()).toThrow(TypeError);
    expect(queue.waiting).toBe(1);
  });

  it("puts jobs a worker never started back at the front, in order", () => {
    const queue = new JobQueue({ capacity: 10, pipelined: () => 0 });
    queue.push(job("c"));
    queue.requeue([job("a"), job("b")]);
    expect(queue.take(2).map((j) => j.input.requestId)).toEqual(["a", "b"]);
    expect(queue.drain().map((j) => j.input.requestId)).toEqual(["c"]);
    expect(queue.length).toBe(0);
  });
});
