// Runs nfs/server.sh for real in the Debian sandbox (test/sandbox/node-sandbox.ts) with REAL block
// devices: loop devices over sparse files, the host's /dev and /sys exposed read-only in the root,
// the Debian root's own sfdisk, mkfs.ext4, blkid, lsblk, mount and nfs-kernel-server's exportfs.
// Only systemctl and swapon are stand-ins. The script is sent as the Pulumi command sends it
// (scriptCommandLine: exported parameters, `sudo -n -E bash -s`, script on stdin), with the
// parameters nfsServerEnvOf derives from an example stack.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackSpec } from "../../test/stack-spec";
import { LoopDevices, detachStaleLoops, loopAttachFailure, loopDevicesUnavailableReason } from "../../test/sandbox/loop-devices";
import { CACHE_DIR, NodeSandbox, PACKAGE_LAYERS, sandboxGate, sandboxUnavailableReason, type RunResult } from "../../test/sandbox/node-sandbox";
import { runProcess } from "../../test/tools/process";
import { SCRIPTS, scriptCommandLine } from "./index";
import { nfsServerEnvOf } from "./plan";

const ADDON_STANDINS = path.resolve(__dirname, "../../test/sandbox/standins-addons");

async function host(command: string, args: string[], input?: string | Buffer): Promise<string> {
  const r = await runProcess(command, args, { input, allowFail: true });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** What a device carries, by low-level probe on the host (no blkid cache). */
async function probe(device: string): Promise<Record<string, string>> {
  const r = await runProcess("blkid", ["-p", "-o", "export", device], { allowFail: true });
  return Object.fromEntries(
    r.stdout
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** The NFS parameters of the example stack's server node, with the data disk (and export path) a test chooses. */
function nfsEnv(device: string | undefined, options: { allowSystemDisk?: boolean; path?: string } = {}): Record<string, string> {
  const spec = stackSpec("examples/redos-proxy-calico-metallb-nfs.yaml");
  const nfs = spec.addons.storage.nfs!;
  const env = nfsServerEnvOf({
    ...spec,
    addons: {
      ...spec.addons,
      storage: {
        ...spec.addons.storage,
        nfs: { ...nfs, path: options.path ?? nfs.path, dataDisk: device ? { device, allowSystemDisk: options.allowSystemDisk ?? false } : undefined },
      },
    },
  });
  if (!env) throw new Error("the example stack has no NFS server node");
  return env;
}

/**
 * An LVM2 physical volume label (what pvcreate writes in sector 1), built by hand because the
 * host has no lvm2: "LABELONE", its sector, CRC over the rest of the sector, "LVM2 001", PV UUID.
 */
function lvm2PvLabel(): Buffer {
  const sector = Buffer.alloc(512);
  sector.write("LABELONE", 0, "latin1");
  sector.writeBigUInt64LE(1n, 8);
  sector.writeUInt32LE(32, 20);
  sector.write("LVM2 001", 24, "latin1");
  sector.write("Zq3vZ4Kx9fXWm2cYb7RQa1TnL0pHdE8s", 32, "latin1");
  sector.writeBigUInt64LE(64n << 20n, 64);
  const table = [
    0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
    0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
  ];
  let crc = 0xf597a6cf;
  for (const byte of sector.subarray(20)) {
    crc = (crc ^ byte) >>> 0;
    crc = ((crc >>> 4) ^ table[crc & 0xf]) >>> 0;
    crc = ((crc >>> 4) ^ table[crc & 0xf]) >>> 0;
  }
  sector.writeUInt32LE(crc, 16);
  return sector;
}

const gate = sandboxGate(sandboxUnavailableReason() ?? loopDevicesUnavailableReason());
if (gate.warning) console.warn(gate.warning);

describe("NFS server sandbox availability", () => {
  it.runIf(gate.failure !== undefined)("is available (required under CI)", () => {
    throw new Error(gate.failure);
  });
});

describe.runIf(gate.run)("nfs/server.sh on real loop devices in a Debian sandbox", () => {
  let sb: NodeSandbox;
  let loops: LoopDevices;
  const script = fs.readFileSync(SCRIPTS.nfsServer, "utf8");
  const EXPORTS = "/etc/exports.d/onprem-k8s.exports";

  const runServer = (env: Record<string, string>): Promise<RunResult> => sb.exec(scriptCommandLine(env), script);
  const fstab = () => (sb.exists("/etc/fstab") ? sb.readFile("/etc/fstab") : "");
  const image = (name: string) => path.join(sb.dir, "disks", `${name}.img`);
  /** Lines of a run that say it changed something. */
  const changes = (r: RunResult) => r.output.split("\n").filter((l) => /^nfs-server: (partitioning|formatting|adding|mounting|exporting)/.test(l));

  function expectRefused(r: RunResult, message: RegExp): void {
    expect(r.status, r.output).toBe(1);
    expect(r.output).toMatch(message);
    expect(changes(r), r.output).toEqual([]);
  }

  beforeAll(async () => {
    // The gate above checks without a child process; this proves an attach before 20 minutes of sandbox.
    const attachFailure = await loopAttachFailure();
    if (attachFailure) throw new Error(attachFailure);
    sb = await NodeSandbox.create("nfs", { packages: PACKAGE_LAYERS.nfsServer, standins: [ADDON_STANDINS] });
    await detachStaleLoops(path.join(CACHE_DIR, "runs"));
    loops = new LoopDevices(path.join(sb.dir, "disks"));
    await sb.exposeBlockDevices();
  }, 20 * 60_000);

  afterAll(async () => {
    try {
      await loops?.detachAll();
    } finally {
      await sb?.dispose();
    }
  });

  describe("a blank data disk", () => {
    let disk = "";
    let first: RunResult;

    beforeAll(async () => {
      disk = await loops.attach("data");
      first = await runServer(nfsEnv(disk));
    });

    it("is partitioned (GPT, one partition named nfs-data) and formatted ext4", async () => {
      expect(first.status, first.output).toBe(0);
      const table = JSON.parse(await host("sfdisk", ["--json", disk])).partitiontable;
      expect(table.label).toBe("gpt");
      expect(table.partitions).toHaveLength(1);
      expect(table.partitions[0]).toMatchObject({ node: `${disk}p1`, name: "nfs-data" });
      expect(await probe(`${disk}p1`)).toMatchObject({ TYPE: "ext4", LABEL: "nfs-data" });
    });

    it("is mounted at the export path through an fstab entry by UUID", async () => {
      const uuid = (await probe(`${disk}p1`)).UUID;
      expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
      expect(fstab().split("\n").filter((l) => l.includes("/srv/storage"))).toEqual([`UUID=${uuid} /srv/storage ext4 defaults,nofail 0 2`]);
      expect((await sb.exec("findmnt -nro SOURCE,FSTYPE --mountpoint /srv/storage")).output.trim()).toBe(`${disk}p1 ext4`);
      // Data written to the export lands on the data disk, not in the root.
      expect((await sb.exec("echo volume-data >/srv/storage/pvc-1 && sync")).status).toBe(0);
      expect((await host("debugfs", ["-R", "cat /pvc-1", `${disk}p1`])).trim()).toBe("volume-data");
    });

    it("is exported read-write to the node subnet only (real exportfs)", () => {
      expect(sb.readFile(EXPORTS)).toBe("/srv/storage 10.255.106.0/26(rw,sync,no_subtree_check,no_root_squash)\n");
      // exportfs -ra parsed it: the kernel export table (etab) has that one client and no other.
      const etab = sb.readFile("/var/lib/nfs/etab").split("\n").filter(Boolean);
      expect(etab).toHaveLength(1);
      expect(etab[0]).toMatch(/^\/srv\/storage\t10\.255\.106\.0\/26\(rw,sync,/);
      expect(first.output).toMatch(/ready: \/srv\/storage 10\.255\.106\.0\/26\(/);
    });

    it("a second run changes nothing: same partition table, file system, data, fstab and exports", async () => {
      const before = { table: await host("sfdisk", ["--dump", disk]), uuid: (await probe(`${disk}p1`)).UUID, fstab: fstab(), exports: fs.statSync(sb.path(EXPORTS)).mtimeMs };
      const again = await runServer(nfsEnv(disk));
      expect(again.status, again.output).toBe(0);
      expect(changes(again), again.output).toEqual([]);
      expect(again.output).toContain(`${disk}p1 already has a ext4 file system; keeping its data`);
      expect(await host("sfdisk", ["--dump", disk])).toBe(before.table);
      expect((await probe(`${disk}p1`)).UUID).toBe(before.uuid);
      expect(fstab()).toBe(before.fstab);
      expect(fs.statSync(sb.path(EXPORTS)).mtimeMs).toBe(before.exports);
      expect(sb.readFile("/srv/storage/pvc-1")).toBe("volume-data\n");
    });
  });

  describe("the system disk guard (T-021)", () => {
    let system = "";
    let before = { table: "", boot: "" };

    beforeAll(async () => {
      // A disk with /boot on its first partition (mounted in the root, as findmnt sees it) and a
      // spare second partition.
      system = await loops.attach("system");
      await loops.partition(system, "label: gpt\n,24M,L\n,,L\n");
      await host("mkfs.ext4", ["-q", "-L", "boot", `${system}p1`]);
      await host("mount", [`${system}p1`, sb.path("/boot")]);
      before = { table: await host("sfdisk", ["--dump", system]), boot: (await probe(`${system}p1`)).UUID };
    });

    it("refuses the whole disk behind /boot, names the override, and leaves it untouched", async () => {
      const fstabBefore = fstab();
      const r = await runServer(nfsEnv(system, { path: "/srv/guarded" }));
      expectRefused(r, new RegExp(`ERROR: ${system} is on the system disk ${system} .*refusing to partition or format it \\(set addons\\.storage\\.nfs\\.dataDisk\\.allowSystemDisk to override\\)`));
      expect(await host("sfdisk", ["--dump", system])).toBe(before.table);
      expect(fstab()).toBe(fstabBefore);
      expect((await sb.exec("mountpoint -q /srv/guarded")).status).not.toBe(0);
    });

    it("refuses a spare partition on that disk without the override (the guard walks partitions up to their disk)", async () => {
      const r = await runServer(nfsEnv(`${system}p2`, { path: "/srv/guarded" }));
      expectRefused(r, new RegExp(`ERROR: ${system}p2 is on the system disk ${system} `));
      expect((await probe(`${system}p2`)).TYPE).toBeUndefined();
      expect(await host("sfdisk", ["--dump", system])).toBe(before.table);
    });

    it("with allowSystemDisk formats only the named spare partition, with a warning; /boot is untouched", async () => {
      const r = await runServer(nfsEnv(`${system}p2`, { path: "/srv/guarded", allowSystemDisk: true }));
      expect(r.status, r.output).toBe(0);
      expect(r.output).toContain(`WARNING: ${system}p2 is on the system disk ${system}; allowed by allowSystemDisk`);
      expect(await probe(`${system}p2`)).toMatchObject({ TYPE: "ext4", LABEL: "nfs-data" });
      expect(await probe(`${system}p1`)).toMatchObject({ TYPE: "ext4", LABEL: "boot", UUID: before.boot });
      expect(await host("sfdisk", ["--dump", system])).toBe(before.table);
      expect((await sb.exec("findmnt -nro SOURCE --mountpoint /srv/guarded")).output.trim()).toBe(`${system}p2`);
    });

    it("refuses a disk that holds active swap", async () => {
      const swap = await loops.attach("swap", 16);
      await host("mkswap", ["-q", swap]);
      const imageBefore = sha256(image("swap"));
      // The swapon stand-in lists what $STATE/swaps names; the kernel's swap is not the root's.
      sb.writeFile("/var/lib/sandbox/swaps", `${swap}\n`);
      try {
        expectRefused(await runServer(nfsEnv(swap, { path: "/srv/guarded-swap" })), new RegExp(`ERROR: ${swap} is on the system disk ${swap} \\(it holds /, /boot or swap\\)`));
      } finally {
        sb.writeFile("/var/lib/sandbox/swaps", "");
      }
      expect(sha256(image("swap"))).toBe(imageBefore);
    });
  });

  describe("a disk that already carries data is never reformatted", () => {
    const foreign = [
      {
        name: "someone else's partition table with two partitions",
        prepare: async (d: string) => {
          await loops.partition(d, "label: gpt\n,16M,L\n,,L\n");
          await host("dd", [`of=${d}p1`, "status=none", "conv=fsync"], "database pages, no signature\n".repeat(100));
        },
        refusal: /has a gpt partition table with 2 partition\(s\) .*refusing to choose or repartition/,
      },
      {
        name: "a single partition without a file system that this script did not create",
        prepare: async (d: string) => {
          await loops.partition(d, "label: gpt\n,,L\n");
          await host("dd", [`of=${d}p1`, "status=none", "conv=fsync"], "raw application data\n".repeat(100));
        },
        refusal: /p1 \(the only partition on \/dev\/loop\d+\) has no file system and was not created for the NFS export; refusing to format it/,
      },
      {
        name: "an LVM physical volume",
        prepare: (d: string) => host("dd", [`of=${d}`, "bs=512", "seek=1", "status=none", "conv=fsync"], lvm2PvLabel()),
        refusal: /holds LVM2_member \(raid data\), not a file system; refusing to format it/,
      },
      {
        name: "a swap signature (swap not active)",
        prepare: (d: string) => host("mkswap", ["-q", d]),
        refusal: /holds swap \(other data\), not a file system; refusing to format it/,
      },
    ];

    it.each(foreign)("refuses $name and leaves every byte as it was", async ({ name, prepare, refusal }) => {
      const file = name.replace(/\W+/g, "-");
      const disk = await loops.attach(file, 32);
      await prepare(disk);
      if (name.startsWith("an LVM")) expect((await probe(disk)).TYPE, "blkid recognises the hand-made PV label").toBe("LVM2_member");
      const imageBefore = sha256(image(file));
      const fstabBefore = fstab();
      expectRefused(await runServer(nfsEnv(disk, { path: `/srv/${file}` })), refusal);
      expect(sha256(image(file))).toBe(imageBefore);
      expect(fstab()).toBe(fstabBefore);
    });

    it("a foreign file system is mounted and exported as it is: same UUID, files kept", async () => {
      const disk = await loops.attach("kept", 32);
      const content = path.join(sb.dir, "kept-content");
      fs.mkdirSync(content);
      fs.writeFileSync(path.join(content, "backup.tar"), "old backups\n");
      await host("mkfs.ext4", ["-q", "-L", "backups", "-d", content, disk]);
      const uuid = (await probe(disk)).UUID;
      const r = await runServer(nfsEnv(disk, { path: "/srv/kept" }));
      expect(r.status, r.output).toBe(0);
      expect(r.output).toContain(`${disk} already has a ext4 file system; keeping its data`);
      expect(r.output).not.toMatch(/partitioning|formatting/);
      expect(await probe(disk)).toMatchObject({ TYPE: "ext4", LABEL: "backups", UUID: uuid });
      expect(sb.readFile("/srv/kept/backup.tar")).toBe("old backups\n");
      expect(fstab()).toContain(`UUID=${uuid} /srv/kept ext4 defaults,nofail 0 2\n`);
    });
  });

  it("refuses to add a second fstab entry for an export path that already mounts another device", async () => {
    const disk = await loops.attach("second", 32);
    const fstabBefore = fstab();
    const imageBefore = sha256(image("second"));
    // /srv/storage belongs to the data disk of the first test.
    expectRefused(await runServer(nfsEnv(disk, { path: "/srv/storage" })), /\/etc\/fstab already mounts UUID=\S+ \(\/dev\/loop\d+p1\) at \/srv\/storage, not \/dev\/loop\d+; refusing to add a second entry/);
    expect(fstab()).toBe(fstabBefore);
    expect(sha256(image("second"))).toBe(imageBefore);
  });
});
