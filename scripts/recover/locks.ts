// The lock a file backend keeps while an update runs: one JSON file per lock under
// .pulumi/locks/organization/<project>/<stack>/ (or .pulumi/locks/<stack>/ in the older flat
// layout) saying who holds it: {"pid":…,"username":…,"hostname":…,"timestamp":…}. A CLI that was
// killed leaves its lock, and every later update is refused until `pulumi cancel` deletes it.
// `pulumi cancel` deletes any lock, also a live run's: the recovery cancels only locks whose
// owner is provably gone (its process is dead on this machine), or when the person says so.
import * as fs from "node:fs";
import * as path from "node:path";

export interface StackLock {
  file: string;
  pid?: number;
  username?: string;
  hostname?: string;
  timestamp?: string;
}

export function lockDirs(root: string, project: string, stack: string): string[] {
  return [path.join(root, ".pulumi", "locks", "organization", project, stack), path.join(root, ".pulumi", "locks", stack)];
}

/** The locks held on a stack in a file backend (a lock file that does not parse is kept with its path only). */
export function readLocks(root: string, project: string, stack: string): StackLock[] {
  return lockDirs(root, project, stack).flatMap((dir) =>
    fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => f.endsWith(".json"))
          .map((f) => {
            const file = path.join(dir, f);
            try {
              const owner = JSON.parse(fs.readFileSync(file, "utf8")) as Omit<StackLock, "file">;
              return { file, pid: owner.pid, username: owner.username, hostname: owner.hostname, timestamp: owner.timestamp };
            } catch {
              return { file };
            }
          })
      : [],
  );
}

/** How this machine sees a lock's owner. */
export type LockOwner = "running here" | "gone" | "unknown";

export interface ProcessProbe {
  hostname: string;
  /** Whether a process with this pid runs here and is a Pulumi CLI (not a recycled pid). */
  isPulumi(pid: number): boolean;
}

export function lockOwner(lock: StackLock, probe: ProcessProbe): LockOwner {
  if (lock.pid === undefined || lock.hostname === undefined) return "unknown";
  if (lock.hostname !== probe.hostname) return "unknown";
  return probe.isPulumi(lock.pid) ? "running here" : "gone";
}

/** The process probe of this machine (Linux /proc; elsewhere a live pid counts as the CLI). */
export function localProbe(hostname: string): ProcessProbe {
  return {
    hostname,
    isPulumi(pid: number): boolean {
      try {
        process.kill(pid, 0);
      } catch (err) {
        // EPERM: it exists but belongs to someone else.
        if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
      }
      try {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        return argv.some((arg) => path.basename(arg).startsWith("pulumi"));
      } catch {
        return true;
      }
    },
  };
}

export function describeLock(lock: StackLock): string {
  if (lock.pid === undefined) return `${lock.file} (unreadable)`;
  return `${lock.username ?? "?"}@${lock.hostname ?? "?"} (pid ${lock.pid}) at ${lock.timestamp ?? "?"}`;
}
