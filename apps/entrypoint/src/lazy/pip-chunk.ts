// Bundled separately and embedded as text (scripts/build.mjs): pip-install and execa are parsed only when used.
export { installRequirementsWithPip } from "../install-requirements.ts";
