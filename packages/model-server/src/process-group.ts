import { liveGroupMembers } from "@sagemaker-serve/process-lifecycle";

/**
 * Kills what is left in process group `pgid` after its leader was reaped. Never `kill(-pgid)`: with the leader gone
 * the number could be reused by an unrelated group; each member found in /proc still holds its own pid.
 */
export async function killGroupMembers(pgid: number): Promise<void> {
  let members: number[];
  try {
    members = await liveGroupMembers(pgid);
  } catch {
    return;
  }
  for (const pid of members) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone in the meantime
    }
  }
}
