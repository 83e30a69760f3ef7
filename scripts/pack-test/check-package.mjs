// Checks on one unpacked tarball (its `package/` directory) that publint does not make: every exports target
// and `files` entry is in it, no workspace-only dependency specifier, no test file, LICENSE and repository
// present, and every source map resolves inside the tarball.
import { readdir, readFile } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";

const LOCAL_SPECIFIER = /^(workspace|catalog|link|file|portal):/;
const RUNTIME_DEPENDENCY_FIELDS = ["dependencies", "peerDependencies", "optionalDependencies"];

/** Every file of the unpacked package, as posix paths relative to its root. */
export async function listPackageFiles(packageDir) {
  const entries = await readdir(packageDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(packageDir, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .sort();
}

/** Every leaf target of an `exports` value, with the conditions that lead to it. */
export function exportTargets(exportsField, conditions = []) {
  if (typeof exportsField === "string") return [{ conditions, target: exportsField }];
  if (Array.isArray(exportsField)) return exportsField.flatMap((value) => exportTargets(value, conditions));
  if (exportsField === null || typeof exportsField !== "object") return [];
  return Object.entries(exportsField).flatMap(([key, value]) => exportTargets(value, [...conditions, key]));
}

function globToRegExp(pattern) {
  const text = pattern.replace(/^\.\//, "");
  let source = "";
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith("**/", i)) {
      source += "(?:.*/)?";
      i += 2;
    } else if (text.startsWith("**", i)) {
      source += ".*";
      i += 1;
    } else if (text[i] === "*") source += "[^/]*";
    else if (text[i] === "?") source += "[^/]";
    else source += text[i].replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}(?:/.*)?$`);
}

/**
 * Returns the problems found in an unpacked package, one line each; an empty list means it is correct.
 * `expectedDirectory` is the package's directory in the repository (`repository.directory`);
 * `allowWorkspaceProtocol` lists `workspace:` dependencies in `workspaceDependencies` instead of failing them.
 */
export async function checkPackage(packageDir, { expectedDirectory, allowWorkspaceProtocol = false }) {
  const problems = [];
  const files = await listPackageFiles(packageDir);
  const fileSet = new Set(files);
  const manifest = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8"));

  const targets = exportTargets(manifest.exports);
  if (targets.length === 0) problems.push("package.json has no exports");
  for (const { conditions, target } of targets) {
    if (target.includes("*")) {
      if (!files.some((file) => globToRegExp(target).test(file)))
        problems.push(`exports ${conditions.join(" > ")} matches no file: ${target}`);
    } else if (!fileSet.has(posix.normalize(target))) {
      problems.push(`exports ${conditions.join(" > ")} points at a file not in the tarball: ${target}`);
    }
  }
  // conditions[0] is the subpath ("."): a JavaScript entry needs declarations under the same subpath.
  for (const { conditions } of targets.filter(({ target }) => /\.m?js$/.test(target))) {
    const subpath = conditions[0];
    if (!targets.some((other) => other.conditions[0] === subpath && other.conditions.includes("types")))
      problems.push(`exports ${conditions.join(" > ")} has no "types" condition beside it`);
  }

  for (const entry of manifest.files ?? []) {
    if (entry.startsWith("!")) continue;
    if (!files.some((file) => globToRegExp(entry).test(file)))
      problems.push(`files entry "${entry}" matches nothing`);
  }

  // npm pack keeps pnpm's `workspace:` specifiers (pnpm pack replaces them): the caller says whether to accept them.
  const workspaceDependencies = [];
  for (const field of RUNTIME_DEPENDENCY_FIELDS) {
    for (const [name, specifier] of Object.entries(manifest[field] ?? {})) {
      if (allowWorkspaceProtocol && specifier.startsWith("workspace:")) workspaceDependencies.push(name);
      else if (LOCAL_SPECIFIER.test(specifier))
        problems.push(`${field}.${name} is "${specifier}", which only a workspace can resolve`);
    }
  }

  for (const file of files) {
    if (/(^|\/)__pycache__\/|\.py[co]$/.test(file)) problems.push(`Python bytecode shipped: ${file}`);
    if (/(^|\/)(tests?|__tests__)\/|\.test\.[cm]?[jt]s$/.test(file))
      problems.push(`test file shipped: ${file}`);
  }

  if (!files.some((file) => /^LICEN[CS]E(\.\w+)?$/i.test(file))) problems.push("no LICENSE file");
  if (typeof manifest.license !== "string") problems.push("package.json has no license");
  if (manifest.repository?.directory !== expectedDirectory)
    problems.push(
      `repository.directory is ${JSON.stringify(manifest.repository?.directory)}, not "${expectedDirectory}"`,
    );

  for (const file of files) {
    if (/\.[cm]?js$/.test(file)) {
      const text = await readFile(join(packageDir, file), "utf8");
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
      if (url !== undefined && !url.startsWith("data:") && !fileSet.has(posix.join(posix.dirname(file), url)))
        problems.push(`${file} names a source map not in the tarball: ${url}`);
    }
    if (!file.endsWith(".map")) continue;
    let map;
    try {
      map = JSON.parse(await readFile(join(packageDir, file), "utf8"));
    } catch {
      problems.push(`${file} is not a JSON source map`);
      continue;
    }
    for (const [index, source] of (map.sources ?? []).entries()) {
      if (typeof map.sourcesContent?.[index] === "string") continue;
      const resolved = posix.normalize(posix.join(posix.dirname(file), map.sourceRoot ?? "", source));
      if (!fileSet.has(resolved)) problems.push(`${file} maps to ${source}, which is not in the tarball`);
    }
  }
  return { manifest, files, problems, workspaceDependencies };
}
