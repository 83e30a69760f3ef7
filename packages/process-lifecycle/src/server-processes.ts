import type { Launcher } from "./launcher.ts";
import { isAlive, liveGroupMembers } from "./proc-fs.ts";
import { signalGroup, signalProcess } from "./process-group.ts";

/**
 * The processes a started server consists of: the launcher's group, and the server found in it (which may have
 * made a group of its own, or be a loner outside any group we own). Signals go to all of them.
 */
export class ServerProcesses {
  readonly #launcher: Launcher;
  #serverPid: number | undefined;
  #serverGroup: number | undefined;

  constructor(launcher: Launcher) {
    this.#launcher = launcher;
  }

  get serverPid(): number | undefined {
    return this.#serverPid;
  }

  /** Records the server once discovery found it, with its process group id (undefined if it is already gone). */
  setServer(pid: number, pgid: number | undefined): void {
    this.#serverPid = pid;
    this.#serverGroup = pgid;
  }

  /** Process groups we own, and server processes outside them. */
  targets(): { groups: number[]; loners: number[] } {
    const launcherPid = this.#launcher.pid;
    const result = { groups: [] as number[], loners: [] as number[] };
    if (launcherPid !== undefined) result.groups.push(launcherPid);
    const pid = this.#serverPid;
    if (pid !== undefined && this.#serverGroup !== launcherPid) {
      if (this.#serverGroup === pid) result.groups.push(pid);
      else result.loners.push(pid);
    }
    return result;
  }

  /** `signal` to every group and loner. */
  sendToAll(signal: NodeJS.Signals): void {
    const { groups, loners } = this.targets();
    for (const pid of loners) signalProcess(pid, signal);
    for (const pgid of groups) signalGroup(pgid, signal);
  }

  /** Forwards `signal` to the server (the launcher until the server is found); false when nobody got it. */
  forward(signal: NodeJS.Signals): boolean {
    const target = this.#serverPid ?? this.#launcher.pid;
    return target === undefined ? false : signalProcess(target, signal);
  }

  /** True once the launcher has exited, the server is gone and no live process is left in any group. */
  async allGone(): Promise<boolean> {
    const launcherPid = this.#launcher.pid;
    if (launcherPid !== undefined && this.#launcher.exit === undefined) return false;
    const pid = this.#serverPid;
    if (pid !== undefined && pid !== launcherPid && (await isAlive(pid))) return false;
    for (const pgid of this.targets().groups) if ((await liveGroupMembers(pgid)).length > 0) return false;
    return true;
  }
}
