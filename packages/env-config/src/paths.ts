/** Python's `os.path.join(a, b)` for two POSIX parts: no normalisation, one `/` added only when needed. */
export function pythonJoin(a: string, b: string): string {
  if (b.startsWith("/")) return b;
  if (a === "" || a.endsWith("/")) return `${a}${b}`;
  return `${a}/${b}`;
}

/** The toolkit's directory layout for a base dir (environment.py). */
export function deriveModelPaths(
  baseDir: string,
  multiModel: boolean,
): { modelDir: string; codeDir: string; requirementsPath: string } {
  const modelDir = pythonJoin(baseDir, multiModel ? "models" : "model");
  const codeDir = pythonJoin(modelDir, "code");
  return { modelDir, codeDir, requirementsPath: pythonJoin(codeDir, "requirements.txt") };
}
