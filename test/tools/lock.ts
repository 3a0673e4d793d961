// One cross-process lock for the test tooling's builds (Go binaries, the Debian sandbox root and
// its layers): a lock directory holding the owner's pid. A lock whose owner died, or that is older
// than any live build, is taken over. Waiting is asynchronous: a vitest worker must keep answering
// its runner while another process builds for minutes.
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
  } catch {
    // The pid file may not be written yet (or the lock just went away): not stale.
    return false;
  }
}

/** Runs `fn` holding `lockDir`; fn should check first whether another process already did its work. */
export async function withLock<T>(lockDir: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const staleAfterMs = options.staleAfterMs ?? 60 * 60_000;
  const deadline = Date.now() + (options.waitLimitMs ?? Number.POSITIVE_INFINITY);
  await fs.mkdir(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      await fs.mkdir(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (await isStale(lockDir, staleAfterMs)) {
        await fs.rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir} (held by another process)`);
      await sleep(POLL_MS);
    }
  }
  try {
    await fs.writeFile(path.join(lockDir, "pid"), String(process.pid));
    return await fn();
  } finally {
    await fs.rm(lockDir, { recursive: true, force: true });
  }
}
