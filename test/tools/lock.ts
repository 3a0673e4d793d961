// One cross-process lock for the test tooling's builds (Go binaries, the Debian sandbox root and
// its layers) and the lab: a lock directory holding the owner's pid. A lock whose owner died, or
// that is older than any live build, is taken over. Waiting is asynchronous: a vitest worker must
// keep answering its runner while another process builds for minutes.
// The directory appears and goes away by rename, with its pid file already inside: a process killed
// between creating the directory and writing its pid once left an empty lock nobody could judge
// (the lab's lock then blocked every lab test for its whole wait limit).
import { randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { sleep } from "./process";

/** Whether a process with this pid exists (EPERM: it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface LockOptions {
  /** A lock older than this is abandoned even if its pid is alive (a recycled pid). */
  staleAfterMs?: number;
  /** Give up waiting after this long. */
  waitLimitMs?: number;
}

const POLL_MS = 2000;

async function isStale(lockDir: string, staleAfterMs: number): Promise<boolean> {
  try {
    const stat = await fs.stat(lockDir);
    if (Date.now() - stat.mtimeMs > staleAfterMs) return true;
    const pid = Number((await fs.readFile(path.join(lockDir, "pid"), "utf8")).trim());
    return Number.isInteger(pid) && pid > 0 && !pidAlive(pid);
  } catch (err) {
    // No pid file: an empty directory left by an older version of this lock (this one never makes
    // one) is stale; a lock that just went away is not.
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") return false;
    return (await fs.readdir(lockDir).catch(() => ["gone"])).length === 0;
  }
}

/** Moves `dir` out of the way in one step, then deletes it: its name is free at once. */
async function removeAtomically(dir: string): Promise<void> {
  const trash = `${dir}.released-${process.pid}-${randomUUID()}`;
  try {
    await fs.rename(dir, trash);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  await fs.rm(trash, { recursive: true, force: true });
}

/** Creates `lockDir` with this process's pid in it, in one step; false when it exists. */
async function tryAcquire(lockDir: string): Promise<boolean> {
  const staging = `${lockDir}.acquiring-${process.pid}-${randomUUID()}`;
  await fs.mkdir(staging);
  try {
    await fs.writeFile(path.join(staging, "pid"), String(process.pid));
    // rename replaces only an empty directory; a held lock always has its pid file.
    await fs.rename(staging, lockDir);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOTEMPTY" || code === "EEXIST") return false;
    throw err;
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/** Runs `fn` holding `lockDir`; fn should check first whether another process already did its work. */
export async function withLock<T>(lockDir: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const staleAfterMs = options.staleAfterMs ?? 60 * 60_000;
  const deadline = Date.now() + (options.waitLimitMs ?? Number.POSITIVE_INFINITY);
  await fs.mkdir(path.dirname(lockDir), { recursive: true });
  while (!(await tryAcquire(lockDir))) {
    if (await isStale(lockDir, staleAfterMs)) {
      await removeAtomically(lockDir);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir} (held by another process)`);
    await sleep(POLL_MS);
  }
  try {
    return await fn();
  } finally {
    await removeAtomically(lockDir);
  }
}
