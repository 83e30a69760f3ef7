import { describe, expect, it } from "vitest";
import { MMS_MAIN_CLASS, TORCHSERVE_MAIN_CLASS, searchError } from "./find-server.ts";

describe("searchError: the toolkits' messages", () => {
  it.each([
    [
      MMS_MAIN_CLASS,
      "mms model server was unsuccessfully started",
      "multiple mms model servers are not supported",
    ],
    [
      TORCHSERVE_MAIN_CLASS,
      "Torchserve model server was unsuccessfully started",
      "multiple ts model servers are not supported",
    ],
  ])("%s", (mainClass, none, multiple) => {
    const notFound = searchError(mainClass, { pids: [], scope: "process-table" }, 1234);
    expect(notFound?.code).toBe("SERVER_NOT_FOUND");
    expect(notFound?.message).toBe(
      `${none}: no live process with the argv element "${mainClass}" in the process table after 1234 ms`,
    );
    const several = searchError(mainClass, { pids: [10, 11], scope: "descendants" }, 5);
    expect(several?.code).toBe("SERVER_MULTIPLE");
    expect(several?.message).toBe(
      `${multiple}: 2 processes (10, 11) have the argv element "${mainClass}" among the launcher's descendants`,
    );
    expect(searchError(mainClass, { pids: [10], scope: "descendants" }, 5)).toBeUndefined();
  });
});
