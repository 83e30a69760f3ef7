import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { mmsBackend } from "../src/backends/mms.ts";
import { torchServeBackend } from "../src/backends/torchserve.ts";
import { LOG_CONFIG, TS_LOG_CONFIG, assertBundleBuilt, runCli, useServeSetup } from "./harness.ts";
import { childrenNamed, onlyChild, parseXml, route, type Level, type XmlElement } from "./log4j2-xml.ts";

// The loggers the servers' Java classes create, from their public sources: every class logger
// (LoggerFactory.getLogger(X.class)) of awslabs/multi-model-server 1.1 `frontend/` and pytorch/serve 0.12.0
// `frontend/`, and the named ones (ConfigManager's MODEL_LOGGER, MODEL_METRICS_LOGGER,
// MODEL_SERVER_METRICS_LOGGER, MODEL_SERVER_TELEMETRY_LOGGER; NettyUtils' and GRPCInterceptor's "ACCESS_LOG"),
// plus the two libraries both configs name (netty, Apache commons).
const MMS_CLASSES = [
  "ModelServer",
  "archive.ModelArchive",
  "http.HttpRequestHandler",
  "http.HttpRequestHandlerChain",
  "http.InferenceRequestHandler",
  "metrics.MetricCollector",
  "servingsdk.impl.PluginsManager",
  "util.NettyUtils",
  "util.ServerGroups",
  "wlm.BatchAggregator",
  "wlm.Job",
  "wlm.Model",
  "wlm.ModelManager",
  "wlm.WorkLoadManager",
  "wlm.WorkerLifeCycle", // also the worker processes' stdout (info) and stderr (warn)
  "wlm.WorkerThread",
].map((name) => `com.amazonaws.ml.mms.${name}`);
const TS_CLASSES = [
  "ModelServer",
  "ServerInitializer",
  "archive.model.ModelArchive",
  "device.SystemInfo",
  "ensemble.DagExecutor",
  "grpcimpl.InferenceImpl",
  "http.HttpRequestHandler",
  "http.api.rest.InferenceRequestHandler",
  "job.RestJob",
  "metrics.MetricCache",
  "metrics.MetricCollector",
  "servingsdk.impl.PluginsManager",
  "snapshot.SnapshotManager",
  "util.ConfigManager",
  "util.NettyUtils",
  "wlm.BatchAggregator",
  "wlm.ModelManager",
  "wlm.WorkLoadManager",
  "wlm.WorkerLifeCycle",
  "wlm.WorkerThread",
  "workflow.WorkflowManager",
].map((name) => `org.pytorch.serve.${name}`);

type Routes = Partial<Record<Level, string[]>>;

/**
 * Where the toolkits' own log4j2.xml send each logger's events, written out from those files
 * (aws/sagemaker-inference-toolkit and aws/sagemaker-pytorch-inference-toolkit, `etc/log4j2.xml`): destinations in
 * order, repeats kept (a logger's own file and the root's are the same file for the server's loggers, so each line
 * is written there twice, as with the toolkits).
 */
const MMS_ROUTES: Record<string, Routes> = {
  ...Object.fromEntries(
    MMS_CLASSES.map((name) => [
      name,
      {
        debug: [],
        info: ["mms_log.log", "stdout", "mms_log.log"],
        error: ["mms_log.log", "stdout", "mms_log.log"],
      },
    ]),
  ),
  ACCESS_LOG: { debug: [], info: ["access_log.log", "stdout", "mms_log.log"] },
  MMS_METRICS: { info: [], warn: ["mms_metrics.log", "stdout", "mms_log.log"] },
  MODEL_METRICS: { info: [], warn: ["model_metrics.log", "stdout", "mms_log.log"] },
  MODEL_LOG: { info: [], warn: ["model_log.log", "stdout", "mms_log.log"] },
  "io.netty.channel.DefaultChannelPipeline": { warn: [], error: ["stdout", "mms_log.log"] },
  "org.apache.commons.io.FileUtils": { fatal: [] },
  "some.other.library": { info: [], warn: ["stdout", "mms_log.log"] },
};
const TS_ROUTES: Record<string, Routes> = {
  ...Object.fromEntries(
    TS_CLASSES.map((name) => [
      name,
      {
        debug: [],
        info: ["ts_log.log", "stdout", "ts_log.log"],
        error: ["ts_log.log", "stdout", "ts_log.log"],
      },
    ]),
  ),
  ACCESS_LOG: { debug: [], info: ["access_log.log", "stdout", "ts_log.log"] },
  TS_METRICS: { debug: [], info: ["ts_metrics.log", "stdout", "ts_log.log"] },
  MODEL_METRICS: { debug: [], info: ["model_metrics.log", "stdout", "ts_log.log"] },
  MODEL_LOG: { debug: [], info: ["model_log.log", "stdout", "ts_log.log"] },
  TELEMETRY_METRICS: { trace: ["telemetry", "stdout", "ts_log.log"] },
  "io.netty.channel.DefaultChannelPipeline": { warn: [], error: ["stdout", "ts_log.log"] },
  "org.apache.commons.io.FileUtils": { fatal: [] },
  "some.other.library": { debug: [], info: ["stdout", "ts_log.log"] },
};

const ROLLING_POLICY = { size: "10 MB", timeBased: true, max: "5" };
/** The toolkits' rolling files: name → [location variable, pattern]. */
const MMS_FILES = {
  access_log: ["LOG_LOCATION", "%d{ISO8601} - %m%n"],
  model_log: ["LOG_LOCATION", "%d{ISO8601} [%-5p] %c - %m%n"],
  model_metrics: ["METRICS_LOCATION", "%d{ISO8601} - %m%n"],
  mms_log: ["LOG_LOCATION", "%d{ISO8601} [%-5p] %t %c - %m%n"],
  mms_metrics: ["METRICS_LOCATION", "%d{ISO8601} - %m%n"],
};
const TS_FILES = {
  access_log: ["LOG_LOCATION", "%d{ISO8601} - %m%n"],
  model_log: ["LOG_LOCATION", "%d{ISO8601} [%-5p] %c - %m%n"],
  model_metrics: ["METRICS_LOCATION", "%d{ISO8601} - %m%n"],
  ts_log: ["LOG_LOCATION", "%d{ISO8601} [%-5p] %t %c - %m%n"],
  ts_metrics: ["METRICS_LOCATION", "%d{ISO8601} - %m%n"],
};

function appenderDestinations(configuration: XmlElement): Map<string, string> {
  const destinations = new Map<string, string>();
  for (const appender of onlyChild(configuration, "Appenders").children) {
    const name = appender.attributes.name!;
    if (appender.name === "Console")
      destinations.set(name, appender.attributes.target === "SYSTEM_OUT" ? "stdout" : "?");
    else if (appender.name === "RollingFile")
      destinations.set(name, appender.attributes.fileName!.split("/").pop()!);
    else if (appender.name === "Routing") destinations.set(name, "telemetry");
    else if (appender.name === "Null") destinations.set(name, "nowhere");
    else throw new Error(`unexpected appender <${appender.name}>`);
  }
  return destinations;
}

function rollingFiles(configuration: XmlElement): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  for (const appender of childrenNamed(onlyChild(configuration, "Appenders"), "RollingFile")) {
    const name = appender.attributes.name!;
    const location = /^\$\{env:(\w+):-logs\}\//.exec(appender.attributes.fileName!)?.[1];
    expect(appender.attributes.fileName).toBe(`\${env:${location}:-logs}/${name}.log`);
    expect(appender.attributes.filePattern).toBe(`\${env:${location}:-logs}/${name}.%d{dd-MMM}.log.gz`);
    const policies = onlyChild(appender, "Policies");
    expect({
      size: onlyChild(policies, "SizeBasedTriggeringPolicy").attributes.size,
      timeBased: childrenNamed(policies, "TimeBasedTriggeringPolicy").length === 1,
      max: onlyChild(appender, "DefaultRolloverStrategy").attributes.max,
    }).toEqual(ROLLING_POLICY);
    files[name] = [location, onlyChild(appender, "PatternLayout").attributes.pattern];
  }
  return files;
}

const cases = [
  { backend: mmsBackend, path: LOG_CONFIG, routes: MMS_ROUTES, files: MMS_FILES, rootLog: "mms_log" },
  { backend: torchServeBackend, path: TS_LOG_CONFIG, routes: TS_ROUTES, files: TS_FILES, rootLog: "ts_log" },
];

describe.each(cases)(
  "$backend.name's log4j2 XML (dist/$backend.logConfigFile)",
  ({ backend, path, routes, files, rootLog }) => {
    const load = async () => {
      await assertBundleBuilt();
      expect(path.endsWith(`/dist/${backend.logConfigFile}`)).toBe(true);
      const configuration = parseXml(await readFile(path, "utf8"));
      expect(configuration.name).toBe("Configuration");
      return configuration;
    };

    it("routes every logger the server's classes use where the toolkit routes it", async () => {
      const configuration = await load();
      const destinations = appenderDestinations(configuration);
      const actual: Record<string, Routes> = {};
      for (const [logger, levels] of Object.entries(routes)) {
        actual[logger] = Object.fromEntries(
          Object.keys(levels).map((level) => [
            level,
            route(configuration, logger, level as Level).map((ref) => {
              const destination = destinations.get(ref);
              if (destination === undefined) throw new Error(`${logger} refers to a missing appender ${ref}`);
              return destination;
            }),
          ]),
        );
      }
      expect(actual).toEqual(routes);
    });

    it("writes the toolkit's files under LOG_LOCATION / METRICS_LOCATION, with its patterns and rolling", async () => {
      const configuration = await load();
      expect(rollingFiles(configuration)).toEqual(files);
      const console = onlyChild(onlyChild(configuration, "Appenders"), "Console");
      expect(console.attributes).toEqual({ name: "STDOUT", target: "SYSTEM_OUT" });
      expect(onlyChild(console, "PatternLayout").attributes.pattern).toBe("%d{ISO8601} [%-5p] %t %c - %m%n");
      const root = onlyChild(onlyChild(configuration, "Loggers"), "Root");
      expect(childrenNamed(root, "AppenderRef").map((ref) => ref.attributes.ref)).toEqual([
        "STDOUT",
        rootLog,
      ]);
    });
  },
);

describe("TorchServe's telemetry route (the PyTorch toolkit's SM_TELEMETRY_LOG_REV_2022_12)", () => {
  it("goes nowhere unless the variable names a file", async () => {
    const configuration = parseXml(await readFile(TS_LOG_CONFIG, "utf8"));
    const routing = onlyChild(onlyChild(configuration, "Appenders"), "Routing");
    const routes = onlyChild(routing, "Routes");
    expect(routes.attributes.pattern).toBe("${env:SM_TELEMETRY_LOG_REV_2022_12:-OPT_OUT}");
    const [optOut, optIn] = childrenNamed(routes, "Route");
    expect(optOut!.attributes).toEqual({ ref: "null_appender", key: "OPT_OUT" });
    expect(optIn!.attributes.key).toBe("${env:SM_TELEMETRY_LOG_REV_2022_12}");
    expect(onlyChild(optIn!, "File").attributes.fileName).toBe("${env:SM_TELEMETRY_LOG_REV_2022_12}");
    expect(appenderDestinations(configuration).get("null_appender")).toBe("nowhere");
  });
});

describe("parseXml", () => {
  it("rejects what it does not understand instead of skipping it", () => {
    expect(() => parseXml("<a><b></a>")).toThrow("</a> closes <b>");
    expect(() => parseXml("<a>text</a>")).toThrow('unexpected text "text"');
    expect(() => parseXml("<a x='1'/>")).toThrow("unexpected text");
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow("repeats x");
    expect(parseXml('<?xml version="1.0"?><!-- c --><a x="&lt;"><b/></a>')).toEqual({
      name: "a",
      attributes: { x: "<" },
      children: [{ name: "b", attributes: {}, children: [] }],
    });
  });
});

describe("each Java backend's command names its own log config", () => {
  it("config --format json: the backend's --log-config, and the path for each backend", async () => {
    const s = await useServeSetup({ flavors: ["mms", "torchserve"] });
    for (const [backend, logConfig] of [
      ["mms", LOG_CONFIG],
      ["torchserve", TS_LOG_CONFIG],
    ] as const) {
      const cli = runCli(["config", "--format", "json", "--backend", backend], { env: s.env(), cwd: s.dir });
      expect((await cli.exit).code).toBe(0);
      const out = JSON.parse(cli.output()) as {
        command: string[];
        logConfigPath: string;
        logConfigPaths: unknown;
      };
      expect(out.logConfigPath).toBe(logConfig);
      expect(
        out.command.slice(out.command.indexOf("--log-config"), out.command.indexOf("--log-config") + 2),
      ).toEqual(["--log-config", logConfig]);
      expect(out.logConfigPaths).toEqual({ mms: LOG_CONFIG, torchserve: TS_LOG_CONFIG });
    }
    const builtin = runCli(["config", "--format", "json", "--backend", "builtin"], {
      env: s.env(),
      cwd: s.dir,
    });
    expect((await builtin.exit).code).toBe(0);
    expect(JSON.parse(builtin.output())).toMatchObject({ logConfigPath: null });
  });

  it("serve with the fake TorchServe: the launcher gets the TorchServe XML, and the JVM's log4j2 points at it", async () => {
    const s = await useServeSetup({ flavors: ["torchserve"] });
    const cli = runCli(["serve"], { env: s.env(), cwd: s.dir });
    await cli.waitForOutput(/ready in \d+ ms/);
    const records = await s.fakes.records();
    const argv = records.find((r) => r.role === "launcher")!.argv ?? [];
    expect(argv.slice(argv.indexOf("--log-config"), argv.indexOf("--log-config") + 2)).toEqual([
      "--log-config",
      TS_LOG_CONFIG,
    ]);
    const server = records.find((r) => r.role === "server")!;
    expect(server.cmdline).toContain(`-Dlog4j.configurationFile=file://${TS_LOG_CONFIG}`);
    cli.child.kill("SIGTERM");
    expect((await cli.exit).code).toBe(0);
  });
});
