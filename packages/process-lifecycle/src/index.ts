export { type LifecycleErrorCode, type LifecycleError } from "./errors.ts";
export {
  isAlive,
  readProcessState,
  readCmdline,
  isGoneState,
  liveGroupMembers,
  type ProcessState,
} from "./proc-fs.ts";
export { listDescendants, psAvailable, type TreeSource } from "./process-tree.ts";
export {
  searchServerProcesses,
  searchError,
  MMS_MAIN_CLASS,
  TORCHSERVE_MAIN_CLASS,
  type SearchScope,
  type ServerSearchResult,
} from "./find-server.ts";
export { probeReadiness, type ReadinessCheck, type ProbeResult } from "./readiness.ts";
export { signalGroup } from "./process-group.ts";
export {
  exitCodeFor,
  UNKNOWN_EXIT_CODE,
  FAILED_EXIT_CODE,
  type ServerExit,
  type ServerExitKind,
} from "./exit-code.ts";
export { startServer } from "./start-server.ts";
export { type StartServerSpec, type ServerHandle, type ServerEvent } from "./server-spec.ts";
export { TRANSITIONS, type ServerState, type ServerStateEvent, type Transition } from "./server-state.ts";
export {
  installSignalRouter,
  StopRequestedError,
  STOP_SIGNALS,
  FORWARD_SIGNALS,
  type SignalRouter,
  type SignalRouterOptions,
  type SignalTarget,
  type StopSignal,
  type ForwardSignal,
} from "./signal-router.ts";
export { runTool, ToolError, type RunToolOptions, type ToolResult, type ToolErrorCode } from "./run-tool.ts";
export {
  clearStalePidFile,
  modelServerPidFilePath,
  pythonTempDir,
  PID_FILE_NAME,
  type StalePidFileResult,
} from "./pid-file.ts";
