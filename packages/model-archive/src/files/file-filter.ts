const UNWANTED_DIRECTORIES = new Set(["__MACOSX", "__pycache__"]);

/** MMS/TorchServe `directory_filter`: prunes `__MACOSX`, `__pycache__` and every name starting with `.`. */
export function directoryFilter(name: string): boolean {
  return !UNWANTED_DIRECTORIES.has(name) && !name.startsWith(".");
}

/**
 * MMS `file_filter`: drops `MANIFEST.json` (at any depth), names in `exclude`, and names ending `.pyc`,
 * `.DS_Store` or `.mar`. Hidden files are kept, as the Python tool does.
 */
export function fileFilter(name: string, exclude: ReadonlySet<string> = new Set()): boolean {
  if (name === "MANIFEST.json" || exclude.has(name)) return false;
  return !(name.endsWith(".pyc") || name.endsWith(".DS_Store") || name.endsWith(".mar"));
}
