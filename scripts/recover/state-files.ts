// The files a file backend (`pulumi login --local`, `file://<dir>`) keeps for one stack, and the
// two ways a killed CLI leaves them unreadable. The backend (gocloud.dev fileblob) writes each
// object's attributes to a sidecar `<object>.attrs` next to it; a CLI killed while writing the
// sidecar leaves it empty or cut short, and every later command then fails with
//   error: failed to load checkpoint: EOF                                   (empty)
//   error: failed to load checkpoint: blob (key ".pulumi/stacks/<project>/<stack>.json")
//          (code=Unknown): unexpected EOF                                   (cut short)
// A missing sidecar is fine (the CLI v3.248.0 reads the checkpoint without it and writes a new one
// with the next update), so the repair is to move the broken sidecar away, never to edit state.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The state directory of a `file://` backend URL (`file://~` is `pulumi login --local`). */
export function fileBackendRoot(backendUrl: string, home = os.homedir()): string | undefined {
  if (!backendUrl.startsWith("file://")) return undefined;
  const rest = backendUrl.slice("file://".length).split("?")[0]!;
  if (rest === "~" || rest.startsWith("~/")) return path.join(home, rest.slice(1));
  return rest;
}

/** The backend URL `pulumi whoami --verbose` prints. */
export function backendUrlOf(whoamiVerbose: string): string | undefined {
  return /^Backend URL:\s*(\S+)\s*$/m.exec(whoamiVerbose)?.[1];
}

export interface StackFiles {
  /** The directory holding the stack's checkpoint (project layout or the older flat one). */
  dir: string;
  /** The checkpoint: <stack>.json, or <stack>.json.gz when the backend compresses. */
  checkpoint: string;
  /** Every file of the stack in that directory (checkpoint, .bak, their sidecars, tags). */
  all: string[];
}

/** The stack's files under a file backend's root, or undefined when it has none there. */
export function stackFiles(root: string, project: string, stack: string): StackFiles | undefined {
  for (const dir of [path.join(root, ".pulumi", "stacks", project), path.join(root, ".pulumi", "stacks")]) {
    const checkpoint = [`${stack}.json`, `${stack}.json.gz`].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    if (!checkpoint) continue;
    const all = fs
      .readdirSync(dir)
      .filter((f) => f.startsWith(`${stack}.`) && fs.statSync(path.join(dir, f)).isFile())
      .map((f) => path.join(dir, f))
      .sort();
    return { dir, checkpoint, all };
  }
  return undefined;
}

/** What is wrong with an attributes sidecar: undefined when it is absent or a JSON object. */
export function sidecarProblem(file: string): "empty" | "cut short" | undefined {
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, "utf8");
  if (text.trim() === "") return "empty";
  try {
    const parsed = JSON.parse(text);
    return parsed !== null && typeof parsed === "object" ? undefined : "cut short";
  } catch {
    return "cut short";
  }
}

/** Whether a checkpoint file parses (a plain .json; a .json.gz is left to the CLI). */
export function checkpointReadable(file: string): boolean {
  if (file.endsWith(".gz")) return true;
  try {
    JSON.parse(fs.readFileSync(file, "utf8"));
    return true;
  } catch {
    return false;
  }
}

/** Copies files into `backupDir` (created), keeping their names and times; returns the copies. */
export function backUp(files: string[], backupDir: string): string[] {
  fs.mkdirSync(backupDir, { recursive: true, mode: 0o700 });
  return files.map((file) => {
    const copy = path.join(backupDir, path.basename(file));
    fs.copyFileSync(file, copy, fs.constants.COPYFILE_EXCL);
    const { atime, mtime } = fs.statSync(file);
    fs.utimesSync(copy, atime, mtime);
    return copy;
  });
}

/** A timestamp usable in a directory name (2026-12-06T22-45-01Z). */
export function stamp(now = new Date()): string {
  return now.toISOString().replace(/\.\d+Z$/, "Z").replaceAll(":", "-");
}
