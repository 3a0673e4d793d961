// A Debian bookworm root (debootstrap --variant=minbase) in which the node scripts run
// for real: real apt/dpkg/containerd, stand-ins (test/sandbox/standins) for what a chroot
// cannot do (systemd, kernel, SELinux, firewalld, dnf/rpm for the RedOS branch).
//
// Layout under ~/.cache/onprem-k8s/node-sandbox/ (test/tools/cache.ts):
//   base/        the cached root, rebuilt when BASE_VERSION changes
//   base.lockdir held while base/ is built, so concurrent test runs wait instead of colliding
//   runs/<id>/   one overlay (upper/work/merged) per sandbox; base/ stays pristine
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { bundleScript, remoteCommandLine, scriptStdin, type NodeScript } from "../../components/node/bundle";
import type { ScriptEnv } from "../../components/node/params";
import { toolCache } from "../tools/cache";
import { pidAlive, withLock } from "../tools/lock";
import { runProcess } from "../tools/process";


export const CACHE_DIR = toolCache("node-sandbox");
const BASE_DIR = path.join(CACHE_DIR, "base");
const LOCK = path.join(CACHE_DIR, "base.lockdir");
const STANDINS = path.join(__dirname, "standins");
const MIRROR = process.env.SANDBOX_DEBIAN_MIRROR ?? "http://deb.debian.org/debian";
// containerd ships `containerd config default`; chrony for time sync; gnupg + apt-utils
// sign and index the local Kubernetes repository.
const BASE_PACKAGES = ["containerd", "chrony", "gnupg", "apt-utils"];
const BASE_VERSION = `bookworm minbase v1: ${BASE_PACKAGES.join(" ")}`;
const PATH_IN_ROOT = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface RunResult {
  status: number;
  output: string;
}

function sh(command: string, args: string[], options: { input?: string; allowFail?: boolean } = {}) {
  return runProcess(command, args, { input: options.input, allowFail: options.allowFail });
}

/** Whether `tool` is an executable on PATH (no child process: the gate runs at import time). */
export function commandExists(tool: string): boolean {
  return (process.env.PATH ?? "").split(":").some((dir) => {
    try {
      fs.accessSync(path.join(dir, tool), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export interface SandboxGate {
  /** The sandbox tests run. */
  run: boolean;
  /** Set when they cannot run where they must (CI): the suite reports it as a failed test. */
  failure?: string;
  /** Set when they are skipped on a developer machine. */
  warning?: string;
}

/**
 * Whether the sandbox tests run. Outside CI a missing root or debootstrap skips them with a
 * warning; under CI=true it is a failure, so the check cannot silently vanish from a pipeline.
 */
export function sandboxGate(unavailable: string | undefined, env: NodeJS.ProcessEnv = process.env, what = "node sandbox"): SandboxGate {
  if (unavailable === undefined) return { run: true };
  const ci = env.CI !== undefined && env.CI !== "" && env.CI !== "false" && env.CI !== "0";
  if (ci) return { run: false, failure: `${what} unavailable under CI=${env.CI}: ${unavailable}` };
  return { run: false, warning: `${what} tests skipped: ${unavailable}` };
}

/** Missing host tools, as a message; undefined when the sandbox can be built. */
export function sandboxUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return "the node sandbox needs root (chroot, mount)";
  for (const tool of ["debootstrap", "chroot", "mount"]) {
    if (!commandExists(tool)) return `${tool} is not installed (apt-get install debootstrap)`;
  }
  return undefined;
}

/** Builds of base/ and of the layers are serialised across processes; none takes half an hour. */
const lockOptions = { waitLimitMs: 30 * 60_000 };

/** Unmount whatever is mounted below dir (debootstrap mounts /proc and /sys while it runs), deepest first. */
async function unmountBelow(dir: string): Promise<void> {
  const mounts = fs
    .readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[1])
    .filter((m): m is string => !!m && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await sh("umount", ["-l", m], { allowFail: true });
}

const baseMarker = path.join(BASE_DIR, ".sandbox-base");
const baseReady = () => fs.existsSync(baseMarker) && fs.readFileSync(baseMarker, "utf8") === BASE_VERSION;

/** Build (once) the cached Debian root. Returns its path. */
export async function ensureBaseRoot(log: (line: string) => void = () => {}): Promise<string> {
  if (baseReady()) return BASE_DIR;
  return withLock(LOCK, async () => {
    if (baseReady()) return BASE_DIR;
    const tmp = `${BASE_DIR}.tmp`;
    await unmountBelow(tmp);
    fs.rmSync(tmp, { recursive: true, force: true });
    const started = Date.now();
    log(`debootstrap --variant=minbase bookworm into ${tmp}`);
    await sh("debootstrap", ["--variant=minbase", "bookworm", tmp, MIRROR]);
    // No service may start inside the root while packages install.
    fs.writeFileSync(path.join(tmp, "usr/sbin/policy-rc.d"), "#!/bin/sh\nexit 101\n", { mode: 0o755 });
    await sh("chroot", [tmp, "/usr/bin/env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", "--no-install-recommends", ...BASE_PACKAGES]);
    await sh("chroot", [tmp, "apt-get", "clean"]);
    fs.writeFileSync(path.join(tmp, ".sandbox-base"), BASE_VERSION);
    fs.rmSync(BASE_DIR, { recursive: true, force: true });
    fs.renameSync(tmp, BASE_DIR);
    log(`sandbox base built in ${Math.round((Date.now() - started) / 1000)}s`);
    return BASE_DIR;
  }, lockOptions);
}

async function aptInstall(root: string, packages: readonly string[]): Promise<void> {
  // Fresh lists: the base's may name versions the mirror no longer carries.
  await sh("chroot", [root, "apt-get", "update", "-q"]);
  await sh("chroot", [root, "/usr/bin/env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", "--no-install-recommends", ...packages]);
  await sh("chroot", [root, "apt-get", "clean"]);
}

/**
 * Build (once) a cached layer holding `packages` installed on top of base/: the upper directory of
 * an overlay over base/, later stacked as a second lower directory. Keyed by the base version and
 * the package set, so base/ and other layers stay as they are. Returns its path.
 */
export async function ensurePackageLayer(packages: readonly string[], log: (line: string) => void = () => {}): Promise<string> {
  const key = createHash("sha256").update(`${BASE_VERSION}\n${[...packages].sort().join(" ")}`).digest("hex").slice(0, 16);
  const dir = path.join(CACHE_DIR, "layers", key);
  const marker = path.join(CACHE_DIR, "layers", `${key}.ready`);
  if (fs.existsSync(marker)) return dir;
  const base = await ensureBaseRoot(log);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  return withLock(`${dir}.lockdir`, async () => {
    if (fs.existsSync(marker)) return dir;
    const tmp = `${dir}.tmp`;
    await unmountBelow(path.join(tmp, "merged"));
    fs.rmSync(tmp, { recursive: true, force: true });
    for (const d of ["upper", "work", "merged"]) fs.mkdirSync(path.join(tmp, d), { recursive: true });
    const merged = path.join(tmp, "merged");
    await sh("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${base},upperdir=${tmp}/upper,workdir=${tmp}/work`, merged]);
    try {
      await sh("mount", ["-t", "proc", "proc", path.join(merged, "proc")]);
      log(`installing ${packages.join(" ")} into layer ${key}`);
      await aptInstall(merged, packages);
    } finally {
      await unmountBelow(merged);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(path.join(tmp, "upper"), dir);
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.writeFileSync(marker, packages.join(" "));
    return dir;
  }, lockOptions);
}

/** Package sets the tests stack on the base root, built by the test setup (test/setup/tools.ts). */
export const PACKAGE_LAYERS = {
  // fdisk: sfdisk is not in a minbase root; nfs-kernel-server: the real exportfs.
  nfsServer: ["fdisk", "nfs-kernel-server"],
  // The lab's hosts (test/lab): sshd to reach them as a stack does; the real curl fetches the
  // package repository's key from the lab's HTTP mirror.
  labHost: ["openssh-server", "curl"],
  // Debian's real firewalld (daemon, firewall-cmd, firewall-offline-cmd, its D-Bus): the firewall
  // step's test runs the daemon in a network namespace of its own. netbase: /etc/protocols, without
  // which firewalld refuses every protocol name.
  firewalld: ["firewalld", "netbase"],
  // The real-node lab (test/cluster): containerd (base) and runc run pods; the CNI plugins wire
  // them; what kubeadm's preflight and kubelet look for (iptables, conntrack, ethtool, socat,
  // iproute2); curl, openssl and sudo for the control-plane scripts; haproxy and keepalived for the
  // keepalived-haproxy endpoint (the nodes have no network to install them from); openssh-server
  // for the real engine's SSH.
  // The real-node lab's busybox image (test/cluster/images.ts): Debian's static busybox, whose
  // chroot the etcd snapshot CronJob runs and whose nslookup, httpd and sh the checks' Pods run.
  busybox: ["busybox-static"],
  clusterNode: ["openssh-server", "runc", "containernetworking-plugins", "iptables", "conntrack", "ebtables", "ethtool", "socat", "iproute2", "curl", "openssl", "procps", "kmod", "sudo", "haproxy", "keepalived"],
} as const;

export interface SandboxOptions {
  /** Debian packages the sandbox has beyond the base (a cached layer, see ensurePackageLayer). */
  packages?: readonly string[];
  /** More stand-in directories, copied after test/sandbox/standins (same name: the later one wins). */
  standins?: string[];
}

/** Unmount and delete runs left behind by test processes that died. */
export async function cleanStaleRuns(): Promise<void> {
  const runs = path.join(CACHE_DIR, "runs");
  if (!fs.existsSync(runs)) return;
  for (const id of fs.readdirSync(runs)) {
    const pid = Number(id.split("-")[0]);
    if (pid && pidAlive(pid)) continue;
    await unmountBelow(path.join(runs, id, "merged"));
    await fs.promises.rm(path.join(runs, id), { recursive: true, force: true });
  }
}

export class NodeSandbox {
  private constructor(
    readonly dir: string,
    readonly root: string,
    /** false when overlayfs was unavailable and base/ was copied instead */
    readonly overlay: boolean,
  ) {}

  /** A fresh writable copy of the base root (overlayfs; a full copy where overlay is unavailable). */
  static async create(name: string, options: SandboxOptions = {}): Promise<NodeSandbox> {
    const base = await ensureBaseRoot();
    const packages = options.packages ?? [];
    const layer = packages.length > 0 ? await ensurePackageLayer(packages) : undefined;
    await cleanStaleRuns();
    const dir = path.join(CACHE_DIR, "runs", `${process.pid}-${name}-${Date.now()}`);
    const root = path.join(dir, "merged");
    for (const d of ["upper", "work", "merged"]) fs.mkdirSync(path.join(dir, d), { recursive: true });
    const lower = layer ? `${layer}:${base}` : base;
    const overlay = await sh("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${lower},upperdir=${dir}/upper,workdir=${dir}/work`, root], { allowFail: true });
    const mounted = overlay.status === 0;
    if (!mounted) await sh("cp", ["-a", `${base}/.`, root]);
    // Like a real node: bash's process substitution needs /dev/fd, i.e. /proc.
    await sh("mount", ["-t", "proc", "proc", path.join(root, "proc")]);
    // Without overlayfs the layer cannot be stacked: install its packages into the copy.
    if (!mounted && packages.length > 0) await aptInstall(root, packages);
    const sandbox = new NodeSandbox(dir, root, mounted);
    sandbox.installStandins([STANDINS, ...(options.standins ?? [])]);
    return sandbox;
  }

  private installStandins(dirs: string[]): void {
    for (const dir of dirs) {
      for (const f of fs.readdirSync(dir)) {
        fs.copyFileSync(path.join(dir, f), path.join(this.root, "usr/local/sbin", f));
        fs.chmodSync(path.join(this.root, "usr/local/sbin", f), 0o755);
      }
    }
    fs.mkdirSync(path.join(this.root, "var/lib/sandbox"), { recursive: true });
    this.writeFile("/etc/hostname", "debootstrap-host\n");
  }

  path(p: string): string {
    return path.join(this.root, p);
  }

  readFile(p: string): string {
    return fs.readFileSync(this.path(p), "utf8");
  }

  exists(p: string): boolean {
    return fs.existsSync(this.path(p));
  }

  writeFile(p: string, content: string): void {
    fs.mkdirSync(path.dirname(this.path(p)), { recursive: true });
    fs.writeFileSync(this.path(p), content);
  }

  /** Run a bash command inside the root with a clean environment. */
  async exec(command: string, input?: string): Promise<RunResult> {
    const r = await sh(
      "chroot",
      [this.root, "/usr/bin/env", "-i", `PATH=${PATH_IN_ROOT}`, "HOME=/root", "LANG=C.UTF-8", "bash", "-c", command],
      { input, allowFail: true },
    );
    return { status: r.status, output: r.output };
  }

  /** Exactly what the Pulumi command does on a node (as root): `bash -s` with parameters and bundle on stdin. */
  run(script: NodeScript, env: ScriptEnv): Promise<RunResult> {
    return this.exec(remoteCommandLine("root"), scriptStdin(bundleScript(script), env));
  }

  /**
   * Like run(), in a mount namespace of its own: `setup` (bash, as root inside the root) first
   * mounts over what the script should not see (e.g. the host kernel's features under /proc); the
   * sandbox and the host keep their mounts.
   */
  runInMountNamespace(script: NodeScript, env: ScriptEnv, setup: string): Promise<RunResult> {
    this.writeFile("/var/lib/sandbox/namespace-setup.sh", `set -e\n${setup}\n`);
    return this.exec(
      `unshare --mount --propagation private bash -c 'bash /var/lib/sandbox/namespace-setup.sh && exec ${remoteCommandLine("root")}'`,
      scriptStdin(bundleScript(script), env),
    );
  }

  /** Calls recorded by the stand-ins since the last clearCalls(). */
  calls(): string[] {
    return this.exists("/var/lib/sandbox/calls.log") ? this.readFile("/var/lib/sandbox/calls.log").split("\n").filter(Boolean) : [];
  }

  clearCalls(): void {
    this.writeFile("/var/lib/sandbox/calls.log", "");
  }

  /** Make the root look like RedOS 8 (dnf family) or back to Debian. */
  setOs(os: "debian" | "redos"): void {
    fs.rmSync(this.path("/etc/os-release"), { force: true });
    if (os === "debian") {
      fs.copyFileSync(this.path("/usr/lib/os-release"), this.path("/etc/os-release"));
    } else {
      this.writeFile(
        "/etc/os-release",
        'NAME="RED OS"\nVERSION="8.0.2"\nID="redos"\nID_LIKE="rhel centos fedora"\nVERSION_ID="8.0.2"\nPRETTY_NAME="RED OS MUROM (8.0.2)"\n',
      );
    }
  }

  /**
   * Give the root the host's block devices, as a node has them: /dev bound READ-ONLY (device nodes
   * stay usable and devtmpfs still adds partitions, but nothing under it can be deleted, even by a
   * cleanup whose unmount failed) and a read-only /sys for lsblk.
   */
  async exposeBlockDevices(): Promise<void> {
    await sh("mount", ["--bind", "-o", "ro", "/dev", this.path("/dev")]);
    await sh("mount", ["-t", "sysfs", "-o", "ro", "sysfs", this.path("/sys")]);
  }

  async dispose(): Promise<void> {
    await unmountBelow(this.root);
    // Not rmSync: deleting a Debian tree held a test worker's event loop 10 s on a loaded machine.
    await fs.promises.rm(this.dir, { recursive: true, force: true });
  }
}
