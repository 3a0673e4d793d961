// Real block devices for tests: loop devices over sparse files. The backing files live in a
// directory the caller owns (a sandbox's run directory), so a test process that dies leaves
// nothing but loops over deleted files, which the next attach() detaches.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pidAlive } from "../tools/lock";

function run(command: string, args: string[], allowFail = false): string {
  const r = spawnSync(command, args, { encoding: "utf8" });
  if (r.error) throw r.error;
  if (r.status !== 0 && !allowFail) throw new Error(`${command} ${args.join(" ")} exited ${r.status}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}


/** Why loop devices cannot be used here, or undefined when they can (probed with a real attach). */
export function loopDevicesUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return "loop devices need root";
  for (const tool of ["losetup", "partx", "sfdisk", "mkfs.ext4", "blkid"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `${tool} is not installed on the host (util-linux, fdisk, e2fsprogs)`;
  }
  const dir = fs.mkdtempSync("/tmp/loop-probe-");
  try {
    const file = path.join(dir, "probe.img");
    fs.writeFileSync(file, "");
    fs.truncateSync(file, 1 << 20);
    const r = spawnSync("losetup", ["--find", "--show", file], { encoding: "utf8" });
    if (r.status !== 0) return `losetup cannot attach a loop device: ${r.stderr.trim()}`;
    run("losetup", ["-d", r.stdout.trim()], true);
    return undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Detach loops left by dead test processes: backing file deleted, or under a sandbox run
 * directory (runs/<pid>-...) whose process is gone.
 */
export function detachStaleLoops(runsDir: string): void {
  const out = run("losetup", ["--list", "--noheadings", "--raw", "--output", "NAME,BACK-FILE"], true);
  for (const line of out.split("\n").filter(Boolean)) {
    const [name, ...rest] = line.split(" ");
    const backing = rest.join(" ");
    if (!backing.startsWith(`${runsDir}/`)) continue;
    const pid = Number(path.relative(runsDir, backing).split("-")[0]);
    if (backing.endsWith("(deleted)") || !(pid && pidAlive(pid))) run("losetup", ["-d", name], true);
  }
}

export class LoopDevices {
  private readonly attached: string[] = [];

  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  /** A loop device over a new sparse file of `mib` MiB, with partition scanning like a disk. */
  attach(name: string, mib = 64): string {
    const file = path.join(this.dir, `${name}.img`);
    fs.writeFileSync(file, "");
    fs.truncateSync(file, mib << 20);
    const device = run("losetup", ["--find", "--show", "--partscan", file]).trim();
    this.attached.push(device);
    return device;
  }

  /** Create partitions (sfdisk script) and tell the kernel about them. */
  partition(device: string, sfdiskScript: string): void {
    const r = spawnSync("sfdisk", ["--quiet", device], { input: sfdiskScript, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`sfdisk ${device}: ${r.stdout}${r.stderr}`);
    // Some kernels do not rescan a loop device's table on BLKRRPART; partx adds them one by one.
    run("partx", ["-u", device], true);
  }

  /** Unmount whatever is mounted from these devices, then detach them. Safe to call twice. */
  detachAll(): void {
    const mounts = fs.readFileSync("/proc/mounts", "utf8").split("\n");
    for (const device of this.attached) {
      for (const m of mounts) {
        const [source, target] = m.split(" ");
        if (source && (source === device || source.startsWith(`${device}p`))) run("umount", ["-l", target], true);
      }
      run("losetup", ["-d", device], true);
    }
    this.attached.length = 0;
  }
}
