import { isAbsolute, relative, sep } from "node:path";

/** True when `candidate` is `root` or lies below it (no sibling-prefix confusion: `/x/model-evil` is not in `/x/model`). */
export function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
