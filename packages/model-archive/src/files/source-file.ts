/** One regular file to put into an archive. */
export interface SourceFile {
  /** Archive name: relative, `/`-separated, no `..`. */
  name: string;
  /** Real path to read (symlinks already resolved). */
  source: string;
  size: number;
  /** Full `st_mode` (type and permission bits). */
  mode: number;
  mtimeMs: number;
  uid: number;
  gid: number;
}

/** Caps applied while collecting files. */
export interface CollectLimits {
  maxFiles: number;
  maxBytes: number;
}
