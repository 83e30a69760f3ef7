import { rmSync } from "node:fs";
import { chmod, mkdtemp, open, rm } from "node:fs/promises";
import { join } from "node:path";

/** A private netrc holding one index's credentials; `remove()` deletes its directory. */
export interface CredentialsFile {
  /** The 0700 directory holding the file. */
  dir: string;
  /** The 0600 netrc file (for pip's `NETRC` variable). */
  path: string;
  remove: () => Promise<void>;
  /** Deletes it synchronously, never throwing: for an abort, whose caller may exit before a promise settles. */
  removeNow: () => void;
}

// Characters every netrc parser (Python 3.8 to 3.13, requests) reads the same way inside an unquoted token.
const SAFE_TOKEN = /^[A-Za-z0-9!$%&()*+,./:;<=>?@[\]^_`{|}~-]+$/;

/**
 * Writes `machine <host> login <username> password <password>` to a new 0600 file, created exclusively in a fresh
 * 0700 directory under `tmpDir`, so the password reaches pip through neither argv nor environment values.
 */
export async function writeCredentialsFile(options: {
  tmpDir: string;
  host: string;
  username: string;
  password: string;
}): Promise<CredentialsFile> {
  const { tmpDir, host, username, password } = options;
  for (const [name, value] of [
    ["username", username],
    ["password", password],
  ] as const) {
    if (!SAFE_TOKEN.test(value)) {
      throw new TypeError(`installRequirements: index.${name} holds characters a netrc file cannot carry`);
    }
  }
  const dir = await mkdtemp(join(tmpDir, "sagemaker-serve-pip-"));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await chmod(dir, 0o700);
    const path = join(dir, "netrc");
    const handle = await open(path, "wx", 0o600);
    try {
      await handle.writeFile(`machine ${host} login ${username} password ${password}\n`);
    } finally {
      await handle.close();
    }
    const removeNow = () => {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // It runs inside an abort listener, where a throw would be an uncaught exception; remove() tries again.
      }
    };
    return { dir, path, remove, removeNow };
  } catch (error) {
    await remove();
    throw error;
  }
}
