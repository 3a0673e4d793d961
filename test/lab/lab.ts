// A lab of existing hosts for a real `pulumi up` (platform.type: existing): every host is a
// Debian sandbox (test/sandbox/node-sandbox.ts) with the control-plane stand-ins, joined to one
// test cluster's shared state (test/sandbox/control-plane.ts), in a network namespace of its own
// with sshd on its address. The hosts hang off a bridge inside the lab namespace, which also
// holds the gateway and VIP addresses and the package mirror; the root namespace gets nothing,
// so no packet leaves the machine. Whatever must reach the hosts (ssh, `pulumi up`) runs in the
// lab namespace: runInLab / labCommand.
//
//   lab namespace onprem-lab-<pid>-<n>:  br-lab 10.250.0.1/24 (gateway, mirror :80), 10.250.0.99 (VIP, TCP :6443 accepted)
//     vh0 ── eth0 in onprem-lab-<pid>-<n>-k8s-master  10.250.0.100, sshd :22
//     vh1 ── eth0 in onprem-lab-<pid>-<n>-k8s-node1   10.250.0.101, sshd :22
import * as fs from "node:fs";
import * as path from "node:path";
import { TESTED_KUBERNETES_VERSION } from "../../stacks/schema";
import { CLUSTER_STATE, TestCluster, type ControlPlaneHost } from "../sandbox/control-plane";
import { CACHE_DIR as SANDBOX_CACHE, PACKAGE_LAYERS, cleanStaleRuns, commandExists, sandboxUnavailableReason, type RunResult } from "../sandbox/node-sandbox";
import { toolCache } from "../tools/cache";
import { pidAlive } from "../tools/lock";
import { runProcess, type ProcessOptions, type ProcessResult } from "../tools/process";
import { startMirror, type Mirror } from "./mirror";
import {
  LAB_NAMESPACE_PREFIX,
  addBridge,
  addNamespace,
  deleteNamespace,
  inNamespace,
  linkHost,
  namespacePids,
  namespacesWithPrefix,
  runInNamespace,
} from "./network";
import { SSH_PORT, sshdLog, startSshd } from "./sshd";

const RUNS = toolCache("lab", "runs");
const LAB_STANDINS = path.join(__dirname, "standins");

export const LAB_SUBNET = "10.250.0.0/24";
export const LAB_GATEWAY = "10.250.0.1";
/** The API endpoint's VIP (endpoint.mode external): an address on the bridge; the mirror process accepts TCP on :6443 there. */
export const LAB_VIP = "10.250.0.99";
const PREFIX_LENGTH = 24;
const hostAddress = (octet: number) => LAB_SUBNET.replace(/\.0\/24$/, `.${octet}`);
const BRIDGE = "br-lab";
/** The hosts' NIC, as network.interface names it. */
export const LAB_INTERFACE = "eth0";
export const SSH_USER = "root";

/** Host octets as examples/existing-hosts-external-lb.yaml numbers them: masters .100, .110, .111, ...; workers .101 to .108. */
const CONTROL_PLANE_OCTETS = [100, 110, 111, 112, 113];
const WORKER_OCTETS = [101, 102, 103, 104, 105, 106, 107, 108];

/** The hosts of examples/existing-hosts-external-lb.yaml, for a lab of that size (the default is one of each). */
export const EXAMPLE_HOSTS = {
  controlPlanes: ["k8s-master", "k8s-master-2", "k8s-master-3"],
  workers: ["k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4"],
} as const;

export interface LabOptions {
  /** Part of the sandboxes' names (default "lab"). */
  label?: string;
  /** Control-plane host names, in order (default ["k8s-master"]). */
  controlPlanes?: readonly string[];
  /** Worker host names (one pool), in order (default ["k8s-node1"]). */
  workers?: readonly string[];
  /** The version the mirror carries (and the next patch); default the tested one. */
  kubernetesVersion?: string;
}

export interface LabHost {
  name: string;
  role: "control-plane" | "worker";
  address: string;
  /** The host's network namespace. */
  ns: string;
  /** The host's root and stand-in state (calls, cluster state, files). */
  host: ControlPlaneHost;
}

/** What a run leaves for cleanStaleLabs when its process dies (the namespaces it finds by their names). */
interface RunRecord {
  clusterDir: string;
}

let labsMade = 0;

/** Why a lab cannot be made here (for sandboxGate), or undefined. */
export function labUnavailableReason(): string | undefined {
  const sandbox = sandboxUnavailableReason();
  if (sandbox) return sandbox;
  const tools: [string, string][] = [["ip", "iproute2"], ["nsenter", "util-linux"], ["unshare", "util-linux"], ["ssh", "openssh-client"], ["ssh-keygen", "openssh-client"]];
  for (const [tool, pkg] of tools) if (!commandExists(tool)) return `${tool} is not installed (apt-get install ${pkg})`;
  return undefined;
}

export class Lab {
  readonly hosts: LabHost[] = [];
  readonly subnet = LAB_SUBNET;
  readonly gateway = LAB_GATEWAY;
  readonly vip = LAB_VIP;
  readonly sshUser = SSH_USER;
  readonly sshPort = SSH_PORT;
  readonly interfaceName = LAB_INTERFACE;
  /** The lab's ssh key pair (ed25519, OpenSSH format): the stack's secret sshPrivateKey and ssh.authorizedKeys. */
  readonly privateKeyFile: string;
  mirror?: Mirror;
  /** Processes dispose() ended, for leftovers(). */
  private readonly ended: number[] = [];

  private constructor(
    /** The lab namespace: the bridge, the gateway, the VIP, the mirror; where ssh and `pulumi up` run. */
    readonly ns: string,
    /** This run's directory (keys, logs, the record cleanStaleLabs reads). */
    readonly dir: string,
    readonly cluster: TestCluster,
    readonly kubernetesVersion: string,
  ) {
    this.privateKeyFile = path.join(dir, "id_ed25519");
  }

  get privateKey(): string {
    return fs.readFileSync(this.privateKeyFile, "utf8");
  }

  get publicKey(): string {
    return fs.readFileSync(`${this.privateKeyFile}.pub`, "utf8").trim();
  }

  /** The pkgs.k8s.io mirror the lab serves, as kubernetes.packageRepository takes it. */
  get packageRepository(): string {
    if (!this.mirror) throw new Error("the lab has no mirror (disposed?)");
    return this.mirror.packageRepository;
  }

  /** The hosts' shared test-cluster state on this machine (apiservers, Nodes, etcd members). */
  get clusterStateDir(): string {
    return this.cluster.dir;
  }

  static async create(options: LabOptions = {}): Promise<Lab> {
    await cleanStaleLabs();
    const controlPlanes = options.controlPlanes ?? ["k8s-master"];
    const workers = options.workers ?? ["k8s-node1"];
    if (controlPlanes.length > CONTROL_PLANE_OCTETS.length || workers.length > WORKER_OCTETS.length) {
      throw new Error(`a lab has at most ${CONTROL_PLANE_OCTETS.length} control planes and ${WORKER_OCTETS.length} workers`);
    }
    const label = options.label ?? "lab";
    const ns = `${LAB_NAMESPACE_PREFIX}${process.pid}-${++labsMade}`;
    const dir = path.join(RUNS, `${process.pid}-${labsMade}-${label}`);
    fs.mkdirSync(dir, { recursive: true });
    const lab = new Lab(ns, dir, new TestCluster(label), options.kubernetesVersion ?? TESTED_KUBERNETES_VERSION);
    fs.writeFileSync(path.join(dir, "run.json"), JSON.stringify({ clusterDir: lab.cluster.dir } satisfies RunRecord));
    try {
      await runProcess("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `onprem-lab-${process.pid}`, "-f", lab.privateKeyFile]);
      await addNamespace(ns);
      await addBridge(ns, BRIDGE, [`${LAB_GATEWAY}/${PREFIX_LENGTH}`, `${LAB_VIP}/32`]);
      // The endpoint (mode external) accepts TCP on the VIP, as the example's load balancer would.
      lab.mirror = await startMirror(label, ns, LAB_GATEWAY, lab.kubernetesVersion, dir, [`${LAB_VIP}:6443`]);
      const planned = [
        ...controlPlanes.map((name, i) => ({ name, role: "control-plane" as const, octet: CONTROL_PLANE_OCTETS[i]! })),
        ...workers.map((name, i) => ({ name, role: "worker" as const, octet: WORKER_OCTETS[i]! })),
      ];
      for (const [index, { name, role, octet }] of planned.entries()) await lab.addHost(name, role, hostAddress(octet), index);
    } catch (err) {
      await lab.dispose();
      throw err;
    }
    return lab;
  }

  private async addHost(name: string, role: LabHost["role"], address: string, index: number): Promise<void> {
    const ns = `${this.ns}-${name}`;
    const host = await this.cluster.host(name, address, { packages: PACKAGE_LAYERS.labHost });
    installLabStandins(host);
    await addNamespace(ns);
    this.hosts.push({ name, role, address, ns, host });
    await linkHost({ labNs: this.ns, bridge: BRIDGE, labEnd: `vh${index}`, hostNs: ns, hostEnd: LAB_INTERFACE, address: `${address}/${PREFIX_LENGTH}`, gateway: LAB_GATEWAY });
    await startSshd({ name, address, ns, sandbox: host.sandbox }, this.publicKey);
  }

  host(name: string): LabHost {
    const host = this.hosts.find((h) => h.name === name);
    if (!host) throw new Error(`no lab host ${name}; the lab has ${this.hosts.map((h) => h.name).join(", ")}`);
    return host;
  }

  /** argv running `argv` in the lab namespace (nsenter --net), e.g. for `pulumi up`. */
  labCommand(argv: readonly string[]): string[] {
    return inNamespace(this.ns, argv);
  }

  /** Runs a command in the lab namespace, where the hosts are reachable. */
  runInLab(argv: readonly string[], options: ProcessOptions = {}): Promise<ProcessResult> {
    return runInNamespace(this.ns, argv, options);
  }

  /** The OpenSSH client's argv for `commandLine` on `host`, as root with the lab's key, from the lab namespace. */
  sshArgv(host: string, commandLine: string): string[] {
    const { address } = this.host(host);
    const options = ["-F", "/dev/null", "-i", this.privateKeyFile, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes"];
    options.push("-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10");
    return ["ssh", ...options, "-p", String(this.sshPort), `${this.sshUser}@${address}`, commandLine];
  }

  /**
   * Runs `commandLine` on `host` over SSH with `input` on its stdin, as a remote.Command does
   * (its create line, e.g. `bash -s`, with the script on stdin). Never throws on a failed command.
   */
  async exec(host: string, commandLine: string, input?: string): Promise<RunResult> {
    const r = await this.runInLab(this.sshArgv(host, commandLine), { input, allowFail: true, timeoutMs: 10 * 60_000 });
    if (r.status === 255) return { status: r.status, output: `${r.output}\n--- sshd log of ${host} ---\n${sshdLog(this.host(host).host.sandbox)}` };
    return { status: r.status, output: r.output };
  }

  /**
   * Stops everything the lab started (sshd and its sessions, the mirror, anything run in the lab
   * namespace), removes the namespaces with the bridge and veths, then the sandboxes. Safe to call twice.
   */
  async dispose(): Promise<void> {
    for (const ns of [...this.hosts.map((h) => h.ns), this.ns]) {
      this.ended.push(...(await namespacePids(ns)));
      await deleteNamespace(ns);
    }
    await this.cluster.dispose();
    if (this.mirror) await this.mirror.sandbox.dispose();
    await fs.promises.rm(this.dir, { recursive: true, force: true });
  }

  /** What dispose() left behind: namespaces, mounts, processes, directories. Empty when it cleaned up. */
  leftovers(): string[] {
    const found = namespacesWithPrefix(this.ns).map((ns) => `namespace ${ns}`);
    const dirs = [this.dir, this.cluster.dir, ...this.hosts.map((h) => h.host.sandbox.dir), ...(this.mirror ? [this.mirror.sandbox.dir] : [])];
    const mounts = fs.readFileSync("/proc/mounts", "utf8").split("\n").map((line) => line.split(" ")[1] ?? "");
    for (const mount of mounts) if (dirs.some((d) => mount === d || mount.startsWith(`${d}/`))) found.push(`mount ${mount}`);
    for (const pid of this.ended) if (processRunning(pid)) found.push(`process ${pid}`);
    for (const d of dirs) if (fs.existsSync(d)) found.push(`directory ${d}`);
    return found;
  }
}

/**
 * Whether a process still runs. A killed one whose parent has not reaped it yet (sshd's parent is
 * init, which may take its time) is a zombie: it holds no namespace, mount or file any more.
 */
export function processRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** The lab's curl in front of the test cluster's stand-in: http:// (the mirror) goes to the real curl. */
function installLabStandins(host: ControlPlaneHost): void {
  const sandbox = host.sandbox;
  const clusterCurl = sandbox.path("/usr/local/lib/onprem-lab/curl");
  fs.mkdirSync(path.dirname(clusterCurl), { recursive: true });
  fs.renameSync(sandbox.path("/usr/local/sbin/curl"), clusterCurl);
  for (const f of fs.readdirSync(LAB_STANDINS)) {
    fs.copyFileSync(path.join(LAB_STANDINS, f), sandbox.path(`/usr/local/sbin/${f}`));
    fs.chmodSync(sandbox.path(`/usr/local/sbin/${f}`), 0o755);
  }
  if (!sandbox.exists(CLUSTER_STATE)) throw new Error(`${host.name}: the test cluster's state is not mounted`);
}

/** What the labs of test process `pid` left on this machine: namespaces, run directories and mounts below them. */
export function leftoversOf(pid: number): string[] {
  const found = namespacesWithPrefix(`${LAB_NAMESPACE_PREFIX}${pid}-`).map((ns) => `namespace ${ns}`);
  const runs = [RUNS, path.join(SANDBOX_CACHE, "runs")].flatMap((dir) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((run) => run.startsWith(`${pid}-`)).map((run) => path.join(dir, run)) : []));
  const mounts = fs.readFileSync("/proc/mounts", "utf8").split("\n").map((line) => line.split(" ")[1] ?? "");
  for (const mount of mounts) if (runs.some((d) => mount.startsWith(`${d}/`))) found.push(`mount ${mount}`);
  return [...found, ...runs.map((d) => `directory ${d}`)];
}

/**
 * Removes what labs of dead test processes left: their processes and namespaces (bridge and
 * veths with them), their sandboxes (node-sandbox.ts cleanStaleRuns) and cluster state.
 */
export async function cleanStaleLabs(): Promise<void> {
  const ownerOf = (name: string) => Number(/^(\d+)-/.exec(name)?.[1]);
  for (const ns of namespacesWithPrefix(LAB_NAMESPACE_PREFIX)) {
    const pid = ownerOf(ns.slice(LAB_NAMESPACE_PREFIX.length));
    if (pid && !pidAlive(pid)) await deleteNamespace(ns);
  }
  if (fs.existsSync(RUNS)) {
    for (const run of fs.readdirSync(RUNS)) {
      const pid = ownerOf(run);
      if (!pid || pidAlive(pid)) continue;
      const record = path.join(RUNS, run, "run.json");
      const clusterDir = fs.existsSync(record) ? (JSON.parse(fs.readFileSync(record, "utf8")) as RunRecord).clusterDir : undefined;
      // The sandboxes first: the cluster state is bind-mounted into them.
      await cleanStaleRuns();
      if (clusterDir) await fs.promises.rm(clusterDir, { recursive: true, force: true });
      await fs.promises.rm(path.join(RUNS, run), { recursive: true, force: true });
    }
  }
}
