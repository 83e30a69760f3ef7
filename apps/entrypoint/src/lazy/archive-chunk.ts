// Bundled separately and embedded as text (scripts/build.mjs): the archive libraries are parsed only when used.
export { runArchiveCommand } from "../commands/archive.ts";
