import type { CommandSpec } from "../cli.ts";
import type { Runtime } from "../runtime.ts";
import { source as archiveSource } from "lazy-chunk:archive";
import { source as modelServerSource } from "lazy-chunk:model-server";
import { loadChunk } from "../lazy/load-chunk.ts";
import { runConfigCommand } from "./config.ts";
import { runDoctor } from "./doctor.ts";
import { runServe } from "./serve.ts";

type ArchiveChunk = typeof import("../lazy/archive-chunk.ts");
type ModelServerChunk = typeof import("../lazy/model-server-chunk.ts");

/** The CLI's commands, in help order. */
export function buildCommands(runtime: Runtime): Record<string, CommandSpec> {
  return {
    serve: {
      summary: "start and supervise the model server (the default; SageMaker runs `IMAGE serve`)",
      run: (args, io) => runServe(args, io, runtime),
    },
    archive: {
      summary:
        "create a model archive; takes model-archiver's flags (torch-model-archiver's with --flavor torchserve)",
      run: async (args, io) => {
        const { runArchiveCommand } = await loadChunk<ArchiveChunk>(
          "archive",
          archiveSource,
          runtime.bundleUrl,
        );
        return runArchiveCommand(args, io);
      },
    },
    config: {
      summary: "print the server config `serve` would write (--format json: the whole plan)",
      run: (args, io) => runConfigCommand(args, io, runtime),
    },
    doctor: {
      summary: "check python, pip, java, the launchers, PID 1 and the port, and say what to fix",
      run: (args, io) => runDoctor(args, io, runtime),
    },
    "model-server": {
      summary: "internal: run the built-in server (started by serve)",
      hidden: true,
      run: async (args, io) => {
        const { runModelServerCommand } = await loadChunk<ModelServerChunk>(
          "model-server",
          modelServerSource,
          runtime.bundleUrl,
        );
        return runModelServerCommand(args, io, runtime);
      },
    },
  };
}
