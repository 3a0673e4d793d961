// Real block devices for tests: loop devices over sparse files. The backing files live in a
// directory the caller owns (a sandbox's run directory), so a test process that dies leaves
// nothing but loops over deleted files, which the next attach() detaches.
import * as fs from "node:fs";
import * as path from "node:path";
import { pidAlive } from "../tools/lock";
import { commandExists } from "./node-sandbox";
import { runProcess } from "../tools/process";

async function run(command: string, args: string[], allowFail = false): Promise<string> {
  return (await runProcess(command, args, { allowFail })).stdout;
}

/**
 * Why loop devices cannot be used here, or undefined when they may be: root, the tools, and the
 * kernel's loop control device opening read-write. No child process, so a test file can decide
 * while it is collected; `loopAttachFailure` then proves an attach before the tests use one.
 */
export function loopDevicesUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return "loop devices need root";
  for (const tool of ["losetup", "partx", "sfdisk", "mkfs.ext4", "blkid"]) {
    if (!commandExists(tool)) return `${tool} is not installed on the host (util-linux, fdisk, e2fsprogs)`;
  }
  try {
    fs.closeSync(fs.openSync("/dev/loop-control", "r+"));
  } catch (error) {
    return `the kernel's loop control device cannot be opened: ${(error as Error).message}`;
  }
  return undefined;
}

/** losetup's complaint when a loop device cannot be attached here (probed with a real attach), or undefined. */
export async function loopAttachFailure(): Promise<string | undefined> {
  const dir = fs.mkdtempSync("/tmp/loop-probe-");
  try {
    const file = path.join(dir, "probe.img");
    fs.writeFileSync(file, "");
    fs.truncateSync(file, 1 << 20);
    const r = await runProcess("losetup", ["--find", "--show", file], { allowFail: true });
    if (r.status !== 0) return `losetup cannot attach a loop device: ${r.stderr.trim()}`;
    await run("losetup", ["-d", r.stdout.trim()], true);
    return undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Detach loops left by dead test processes: backing file deleted, or under a sandbox run
 * directory (runs/<pid>-...) whose process is gone.
 */
export async function detachStaleLoops(runsDir: string): Promise<void> {
  const out = await run("losetup", ["--list", "--noheadings", "--raw", "--output", "NAME,BACK-FILE"], true);
  for (const line of out.split("\n").filter(Boolean)) {
    const [name, ...rest] = line.split(" ");
    const backing = rest.join(" ");
    if (!backing.startsWith(`${runsDir}/`)) continue;
    const pid = Number(path.relative(runsDir, backing).split("-")[0]);
    if (backing.endsWith("(deleted)") || !(pid && pidAlive(pid))) await run("losetup", ["-d", name], true);
  }
}

export class LoopDevices {
  private readonly attached: string[] = [];

  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  /** A loop device over a new sparse file of `mib` MiB, with partition scanning like a disk. */
  async attach(name: string, mib = 64): Promise<string> {
    const file = path.join(this.dir, `${name}.img`);
    fs.writeFileSync(file, "");
    fs.truncateSync(file, mib << 20);
    const device = (await run("losetup", ["--find", "--show", "--partscan", file])).trim();
    this.attached.push(device);
    return device;
  }

  /** Create partitions (sfdisk script) and tell the kernel about them. */
  async partition(device: string, sfdiskScript: string): Promise<void> {
    const r = await runProcess("sfdisk", ["--quiet", device], { input: sfdiskScript, allowFail: true });
    if (r.status !== 0) throw new Error(`sfdisk ${device}: ${r.stdout}${r.stderr}`);
    // Some kernels do not rescan a loop device's table on BLKRRPART; partx adds them one by one.
    await run("partx", ["-u", device], true);
  }

  /** Unmount whatever is mounted from these devices, then detach them. Safe to call twice. */
  async detachAll(): Promise<void> {
    const mounts = fs.readFileSync("/proc/mounts", "utf8").split("\n");
    for (const device of this.attached) {
      for (const m of mounts) {
        const [source, target] = m.split(" ");
        if (source && (source === device || source.startsWith(`${device}p`))) await run("umount", ["-l", target], true);
      }
      await run("losetup", ["-d", device], true);
    }
    this.attached.length = 0;
  }
}
