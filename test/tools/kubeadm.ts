// Builds the pinned kubeadm from its Go module (tools/kubeadm) so tests can run
// `kubeadm config validate` on rendered configs. The binary is cached under ~/.cache/onprem-k8s/tools/
// (see cache.ts) and built at most once even when several vitest workers ask at the same time.
import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { toolCache } from "./cache";

const execFileAsync = promisify(execFile);

/** Kubernetes version kubeadm is built at; keep in step with tools/kubeadm/go.mod. */
export const PINNED_KUBEADM_VERSION = "v1.34.4";

const repoRoot = path.resolve(__dirname, "..", "..");
const toolsModuleDir = path.join(repoRoot, "tools", "kubeadm");
const cacheDir = toolCache("tools");

/** A lock older than this is considered abandoned by a crashed builder. */
const STALE_LOCK_MS = 60 * 60 * 1000;
const POLL_MS = 2000;

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** True when the lock's owner is gone or the lock is too old to be a live build. */
async function lockIsStale(lockDir: string): Promise<boolean> {
  try {
    const stat = await fs.stat(lockDir);
    if (Date.now() - stat.mtimeMs > STALE_LOCK_MS) return true;
    const pid = Number((await fs.readFile(path.join(lockDir, "pid"), "utf8")).trim());
    return Number.isInteger(pid) && pid > 0 && !processAlive(pid);
  } catch {
    // The pid file may not be written yet; only the age rule applies then.
    return false;
  }
}

// The version is stamped with -X because kubeadm compares its own version with
// kubernetesVersion in configs; an unstamped build reports v0.0.0-master.
function ldflags(version: string): string {
  const [major, minor] = version.replace(/^v/, "").split(".");
  const pkg = "k8s.io/component-base/version";
  return [
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
  ].join(" ");
}

async function build(target: string, version: string): Promise<void> {
  const partial = `${target}.partial-${process.pid}`;
  await execFileAsync(
    "go",
    ["build", "-trimpath", "-ldflags", ldflags(version), "-o", partial, "k8s.io/kubernetes/cmd/kubeadm"],
    { cwd: toolsModuleDir, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CGO_ENABLED: "0" } },
  );
  // rename is atomic, so a waiting process never sees a half-written binary.
  await fs.rename(partial, target);
}

/**
 * Path of the pinned kubeadm binary, building it on first use (several minutes on 2 cores;
 * later calls return immediately). Concurrent callers wait on a lock directory instead of
 * building twice.
 */
export async function kubeadmBinary(): Promise<string> {
  const version = PINNED_KUBEADM_VERSION;
  const target = path.join(cacheDir, `kubeadm-${version}`);
  if (await exists(target)) return target;
  await fs.mkdir(cacheDir, { recursive: true });
  const lockDir = `${target}.lock`;
  for (;;) {
    try {
      await fs.mkdir(lockDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (await exists(target)) return target;
      if (await lockIsStale(lockDir)) {
        await fs.rm(lockDir, { recursive: true, force: true });
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      continue;
    }
    try {
      await fs.writeFile(path.join(lockDir, "pid"), String(process.pid));
      if (!(await exists(target))) await build(target, version);
      return target;
    } finally {
      await fs.rm(lockDir, { recursive: true, force: true });
    }
  }
}
