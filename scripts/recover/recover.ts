// The recovery after a `pulumi up` that stopped half-way (docs/recovery.md), in the order the
// engine's leftovers block each other: the lock is checked first (a live run is never touched),
// the stack's files are backed up before anything changes, a broken attributes sidecar is moved
// away (the checkpoint becomes readable), the state is exported into the backup, the dead run's
// lock is cancelled, pending operations are cleared by a refresh, and the person is told to run
// `pulumi up`, which re-runs the interrupted steps (every node script is safe to re-run).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { describeLock, lockOwner, readLocks, type ProcessProbe, type StackLock } from "./locks";
import { backUp, backendUrlOf, checkpointReadable, fileBackendRoot, sidecarProblem, stackFiles, stamp } from "./state-files";

export interface PulumiResult {
  status: number;
  stdout: string;
  output: string;
}

/** Runs `pulumi <args> --non-interactive` in the project directory. */
export type PulumiRunner = (args: string[]) => Promise<PulumiResult>;

export interface RecoverOptions {
  stack: string;
  /** The project directory (Pulumi.yaml). */
  projectDir: string;
  pulumi: PulumiRunner;
  probe: ProcessProbe;
  /** The person confirms that the run holding the lock is gone (another machine, a cancelled CI job). */
  ownerGone?: boolean;
  backupDir?: string;
  say?: (line: string) => void;
  now?: Date;
}

/** 0: ready for `pulumi up`; 1: failed; 2: refused (a run that may still go on holds the lock). */
export type RecoverStatus = 0 | 1 | 2;

interface PendingOperation {
  type: string;
  resource?: { urn?: string };
}

const LOCKED = /the stack is currently locked/;
const LOCK_OWNER = /created by ([^@\s]+)@(\S+) \(pid (\d+)\) at (\S+)/g;

/** The lock owners a refused command names (any backend: the S3 and cloud ones print them the same way). */
export function locksFromMessage(output: string): StackLock[] {
  return [...output.matchAll(LOCK_OWNER)].map((m) => ({ file: "(in the backend)", username: m[1], hostname: m[2], pid: Number(m[3]), timestamp: m[4] }));
}

export function pendingOperations(exported: string): PendingOperation[] {
  const state = JSON.parse(exported) as { deployment?: { pending_operations?: PendingOperation[] } | null };
  return state.deployment?.pending_operations ?? [];
}

export function projectName(projectDir: string): string {
  const project = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { name?: unknown };
  if (typeof project?.name !== "string") throw new Error(`${projectDir}/Pulumi.yaml has no project name`);
  return project.name;
}

export async function recoverStack(options: RecoverOptions): Promise<RecoverStatus> {
  const say = options.say ?? ((line: string) => console.log(line));
  const { stack, pulumi } = options;
  const s = ["-s", stack];

  /** Decides on the locks: true when they may be cancelled. */
  const mayCancel = (locks: StackLock[]): boolean => {
    for (const lock of locks) {
      const owner = lockOwner(lock, options.probe);
      if (owner === "running here") {
        say(`refused: the lock of ${stack} belongs to a pulumi that is still running here: ${describeLock(lock)}. Wait for it to finish, or interrupt it once (Ctrl-C) and let it stop cleanly; then run the recovery again.`);
        return false;
      }
      if (owner === "unknown" && !options.ownerGone) {
        say(`refused: the lock of ${stack} was taken by ${describeLock(lock)}; this machine cannot tell whether that run still goes on. If it is gone (its CI job was cancelled, its machine lost), run the recovery again with --owner-gone.`);
        return false;
      }
    }
    return true;
  };

  const whoami = await pulumi(["whoami", "--verbose"]);
  if (whoami.status !== 0) {
    say(`pulumi whoami failed (log in first, docs/state-backend.md):\n${whoami.output.trim()}`);
    return 1;
  }
  const backendUrl = backendUrlOf(whoami.output) ?? "";
  const project = projectName(options.projectDir);
  const root = fileBackendRoot(backendUrl);
  const backupDir =
    options.backupDir ?? (root ? path.join(root, ".pulumi", "recovery", project, stack, stamp(options.now)) : path.join(os.homedir(), ".onprem-k8s", "recovery", stack, stamp(options.now)));

  let fileLocks: StackLock[] = [];
  if (root) {
    const files = stackFiles(root, project, stack);
    if (!files) {
      say(`no stack ${stack} of project ${project} in ${root}/.pulumi/stacks (pulumi stack ls)`);
      return 1;
    }
    // A live run writes the checkpoint and its sidecar: nothing is touched while it holds the lock.
    fileLocks = readLocks(root, project, stack);
    if (!mayCancel(fileLocks)) return 2;
    for (const copy of backUp(files.all, backupDir)) say(`backed up ${path.basename(copy)}`);
    say(`backup of ${stack}'s state files: ${backupDir}`);
    for (const file of files.all.filter((f) => f.endsWith(".attrs"))) {
      const problem = sidecarProblem(file);
      if (!problem) continue;
      fs.rmSync(file);
      say(`repaired: ${path.basename(file)} was ${problem} (left so by a killed CLI: "failed to load checkpoint"); removed, its copy is in the backup, the CLI writes a new one with the next update`);
    }
    if (!checkpointReadable(files.checkpoint)) {
      say(`${files.checkpoint} itself does not parse: restore the last good checkpoint by hand (docs/recovery.md, "A checkpoint cut short"); nothing else was changed`);
      return 1;
    }
  }

  const exported = await pulumi(["stack", "export", ...s]);
  if (exported.status !== 0) {
    say(`pulumi stack export -s ${stack} still fails; nothing else was changed:\n${exported.output.trim()}`);
    return 1;
  }
  fs.mkdirSync(backupDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(backupDir, `${stack}.export.json`), exported.stdout, { mode: 0o600 });
  say(`exported ${stack}'s state to ${path.join(backupDir, `${stack}.export.json`)} (pulumi stack import --file restores it)`);

  const cancel = async (locks: StackLock[]): Promise<boolean> => {
    const r = await pulumi(["cancel", "--yes", ...s]);
    if (r.status !== 0) {
      say(`pulumi cancel -s ${stack} failed:\n${r.output.trim()}`);
      return false;
    }
    say(`cancelled the interrupted update's lock (${locks.map(describeLock).join("; ")}): pulumi cancel`);
    return true;
  };
  if (fileLocks.length > 0 && !(await cancel(fileLocks))) return 1;

  const pending = pendingOperations(exported.stdout);
  if (pending.length === 0 && root) {
    say(`no pending operations in ${stack}'s state`);
  } else {
    // Other backends: the refresh also finds a lock this machine cannot read (it takes the lock).
    if (pending.length > 0) say(`pending operations left by the interrupted update: ${pending.map((op) => `${op.type} ${op.resource?.urn?.split("::").at(-1) ?? "?"}`).join(", ")}`);
    const refresh = ["refresh", "--clear-pending-creates", "--yes", "--skip-preview", ...s];
    let r = await pulumi(refresh);
    if (r.status !== 0 && LOCKED.test(r.output)) {
      // Backends whose locks this machine cannot read (S3, Azure, GCS) name the owner here.
      const locks = locksFromMessage(r.output);
      if (!mayCancel(locks.length > 0 ? locks : [{ file: "(in the backend)" }])) return 2;
      if (!(await cancel(locks))) return 1;
      r = await pulumi(refresh);
    }
    if (r.status !== 0) {
      say(`pulumi refresh --clear-pending-creates -s ${stack} failed:\n${r.output.trim().slice(-4000)}`);
      return 1;
    }
    say(`pulumi refresh --clear-pending-creates: ${pending.length} pending operation(s) cleared (the interrupted steps run again with the next pulumi up)`);
    const after = await pulumi(["stack", "export", ...s]);
    const left = after.status === 0 ? pendingOperations(after.stdout) : [];
    if (after.status !== 0 || left.length > 0) {
      say(`pending operations still in the state: ${left.map((op) => op.type).join(", ") || after.output.trim()}`);
      return 1;
    }
  }
  say(`${stack} is ready: run pulumi up -s ${stack} (it runs the interrupted steps again; each is safe to re-run)`);
  return 0;
}
