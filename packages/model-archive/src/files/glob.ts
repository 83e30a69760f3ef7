import { access, readdir } from "node:fs/promises";
import { isAbsolute, join } from "node:path";

/** `torch-model-archiver`'s "maybe wildcard": contains `*`, `?`, or both `[` and `]`. */
export function isMaybeWildcard(item: string): boolean {
  return item.includes("*") || item.includes("?") || (item.includes("[") && item.includes("]"));
}

function hasMagic(component: string): boolean {
  return /[*?[]/.test(component);
}

/** Python `fnmatch.translate` for one path component (`*`, `?`, `[seq]`, `[!seq]`). */
export function fnmatchToRegExp(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i] as string;
    if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "[") {
      let j = i + 1;
      if (pattern[j] === "!") j += 1;
      if (pattern[j] === "]") j += 1;
      while (j < pattern.length && pattern[j] !== "]") j += 1;
      if (j >= pattern.length) {
        out += "\\[";
      } else {
        let body = pattern.slice(i + 1, j).replace(/\\/g, "\\\\");
        if (body.startsWith("!")) body = `^${body.slice(1)}`;
        else if (body.startsWith("^")) body = `\\${body}`;
        out += `[${body}]`;
        i = j;
      }
    } else out += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^(?:${out})$`, "s");
}

/**
 * Python `glob.glob(pattern)` (non-recursive): per-component matching, hidden names only matched by a pattern
 * that starts with `.`. Results are sorted; relative patterns resolve against `cwd` and are returned relative.
 */
export async function glob(pattern: string, cwd: string): Promise<string[]> {
  const absolute = isAbsolute(pattern);
  const parts = pattern.split("/").filter((p, i) => p !== "" || i === 0);
  let current: string[] = [absolute ? "/" : ""];
  for (const [index, part] of parts.entries()) {
    if (index === 0 && absolute) continue;
    const next: string[] = [];
    for (const base of current) {
      const dirAbs = isAbsolute(base) ? base : join(cwd, base || ".");
      if (!hasMagic(part)) {
        next.push(base === "" ? part : join(base, part));
        continue;
      }
      const re = fnmatchToRegExp(part);
      let names: string[];
      try {
        names = await readdir(dirAbs);
      } catch {
        continue;
      }
      for (const name of names.sort()) {
        if (name.startsWith(".") && !part.startsWith(".")) continue;
        if (re.test(name)) next.push(base === "" ? name : join(base, name));
      }
    }
    current = next;
  }
  const existing: string[] = [];
  for (const candidate of current) {
    try {
      await access(isAbsolute(candidate) ? candidate : join(cwd, candidate));
      existing.push(candidate);
    } catch {
      // glob drops names that do not exist
    }
  }
  return existing;
}
