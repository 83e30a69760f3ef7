// Bundled separately and embedded as text (scripts/build.mjs): only the built-in server's process parses it.
export { runModelServerCommand } from "../commands/model-server.ts";
