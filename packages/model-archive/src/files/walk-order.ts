/** Orders archive names like `os.walk`: a directory's files before its sub-directories, names sorted by code unit. */
export function compareWalkOrder(a: string, b: string): number {
  const pa = a.split("/");
  const pb = b.split("/");
  for (let i = 0; i < Math.min(pa.length, pb.length); i += 1) {
    if (pa[i] === pb[i]) continue;
    const aIsFile = i === pa.length - 1;
    const bIsFile = i === pb.length - 1;
    if (aIsFile !== bIsFile) return aIsFile ? -1 : 1;
    return Buffer.compare(Buffer.from(pa[i] as string), Buffer.from(pb[i] as string));
  }
  return pa.length - pb.length;
}
