// Hosts of one test cluster for the control-plane scripts (components/kubeadm, components/endpoint):
// each host is a NodeSandbox (its own overlay root) with the control-plane stand-ins
// (control-plane-standins/: kubeadm, kubectl, crictl, etcdctl, curl, sleep, sudo) on top of the
// node stand-ins, and all hosts share one cluster directory (/var/lib/sandbox/cluster, a bind
// mount): which apiserver answers, the API's Nodes and Secrets, the etcd members. Scripts run in
// a network namespace of their own (`unshare --net`, loopback down): a probe of a cluster address
// fails at once and never leaves the machine.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runProcess } from "../tools/process";
import { CACHE_DIR, NodeSandbox, type RunResult } from "./node-sandbox";

const STANDINS = path.join(__dirname, "control-plane-standins");
const PATH_IN_ROOT = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
export const CLUSTER_STATE = "/var/lib/sandbox/cluster";

export class ControlPlaneHost {
  constructor(
    readonly sandbox: NodeSandbox,
    readonly name: string,
    readonly address: string,
    /** true: the scripts use the host's network (apt-get from the Debian mirror). */
    private readonly network: boolean,
  ) {}

  /**
   * Runs `commandLine` (what the remote.Command runs: `sudo -n bash -s`, `sudo -n env ... bash -s`)
   * with `stdin`, as root in the host's root, in an isolated network namespace.
   */
  async run(commandLine: string, stdin: string): Promise<RunResult> {
    const isolation = this.network ? [] : ["unshare", "--net"];
    const [command, ...args] = [...isolation, "chroot", this.sandbox.root, "/usr/bin/env", "-i", `PATH=${PATH_IN_ROOT}`, "HOME=/root", "LANG=C.UTF-8", "bash", "-c", commandLine];
    const r = await runProcess(command!, args, { input: stdin, allowFail: true });
    return { status: r.status, output: r.output };
  }

  /** Commands recorded by the stand-ins since the last clearCalls(), optionally only `tool`'s. */
  calls(tool?: string): string[] {
    const calls = this.sandbox.calls();
    return tool ? calls.filter((c) => c.startsWith(`${tool} `) || c === tool) : calls;
  }

  clearCalls(): void {
    this.sandbox.clearCalls();
    fs.rmSync(this.sandbox.path("/var/lib/sandbox/sleeps"), { force: true });
  }

  /** Delays the scripts slept (the sleep stand-in records them), since the last clearCalls(). */
  sleeps(): number[] {
    return this.sandbox.exists("/var/lib/sandbox/sleeps") ? this.sandbox.readFile("/var/lib/sandbox/sleeps").split("\n").filter(Boolean).map(Number) : [];
  }

  /** kubeadm stand-in: the next `count` runs of `kubeadm <command>` fail ("always": every run). */
  failKubeadm(command: "init" | "join" | "upgrade-apply" | "upgrade-node", count: number | "always", initPhase?: "wait-control-plane" | "addon/coredns"): void {
    this.sandbox.writeFile(`/var/lib/sandbox/kubeadm/fail-${command}`, `${count}\n`);
    if (initPhase) this.sandbox.writeFile("/var/lib/sandbox/kubeadm/fail-init-phase", `${initPhase}\n`);
  }

  /**
   * The next run is killed at `point` (SIGKILL of the script and the stand-in, as a stopped run or a
   * restarted node leaves it): a kubeadm phase (join/kubelet-start, join/etcd-member-added,
   * init/control-plane-up) or a stand-in call that starts with "<tool> <args>" (control-plane-standins/_cluster.sh).
   */
  killAt(point: string): void {
    this.sandbox.writeFile("/var/lib/sandbox/kill-point", `${point}\n`);
  }

  /**
   * The host restarted, its kubelet not started again yet (the lab's LabNode.restart, in stand-ins):
   * its static Pods are down (its apiserver answers nothing, its etcd member does not run); its
   * disk stays. `systemctl start kubelet` brings them back (control-plane-standins/_on-unit-start).
   */
  restart(): void {
    fs.rmSync(this.sandbox.path("/var/lib/sandbox/units/kubelet.active"), { force: true });
    const apiserver = this.sandbox.path("/var/lib/sandbox/kubeadm/apiserver");
    if (fs.existsSync(apiserver)) {
      const [address, port] = fs.readFileSync(apiserver, "utf8").trim().split(" ");
      fs.rmSync(this.sandbox.path(`${CLUSTER_STATE}/http/${address}:${port}`), { force: true });
    }
    if (fs.existsSync(this.sandbox.path(`${CLUSTER_STATE}/nodes/${this.name}`))) fs.writeFileSync(this.sandbox.path(`${CLUSTER_STATE}/nodes/${this.name}/heartbeat-stopped`), "");
    if (fs.existsSync(this.sandbox.path(`${CLUSTER_STATE}/etcd/${this.name}`))) {
      fs.mkdirSync(this.sandbox.path(`${CLUSTER_STATE}/etcd-down`), { recursive: true });
      fs.writeFileSync(this.sandbox.path(`${CLUSTER_STATE}/etcd-down/${this.name}`), "");
    }
  }

  /** The kill points that fired, in order. */
  killedAt(): string[] {
    return this.sandbox.exists("/var/lib/sandbox/killed-at") ? this.sandbox.readFile("/var/lib/sandbox/killed-at").split("\n").filter(Boolean) : [];
  }

  /** A bash snippet run on every sleep of a script: what happens while it waits. */
  onSleep(script: string | undefined): void {
    const file = this.sandbox.path("/var/lib/sandbox/on-sleep");
    if (script === undefined) fs.rmSync(file, { force: true });
    else this.sandbox.writeFile("/var/lib/sandbox/on-sleep", script);
  }

  exists(p: string): boolean {
    return this.sandbox.exists(p);
  }

  readFile(p: string): string {
    return this.sandbox.readFile(p);
  }
}

export interface HostOptions {
  /** Only these files of control-plane-standins/ (default: all of them). */
  standins?: string[];
  /** Run the scripts with the host's network instead of an isolated namespace (default false). */
  network?: boolean;
  /** Debian packages beyond the base (a cached layer, node-sandbox.ts ensurePackageLayer). */
  packages?: readonly string[];
}

/** The hosts of one test cluster and the state they share. */
export class TestCluster {
  readonly dir: string;
  private readonly hosts: ControlPlaneHost[] = [];

  constructor(readonly label: string) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `cluster-${label}-`));
    for (const d of ["http", "nodes", "secrets", "etcd"]) fs.mkdirSync(path.join(this.dir, d));
  }

  /** A fresh host (node name and address as the program knows them) joined to this cluster's state. */
  async host(name: string, address: string, options: HostOptions = {}): Promise<ControlPlaneHost> {
    const sandbox = await NodeSandbox.create(`${this.label}-${name}`, { packages: options.packages });
    for (const f of options.standins ?? fs.readdirSync(STANDINS)) {
      const target = sandbox.path(`/usr/local/sbin/${f}`);
      fs.copyFileSync(path.join(STANDINS, f), target);
      fs.chmodSync(target, 0o755);
    }
    const mountPoint = sandbox.path(CLUSTER_STATE);
    fs.mkdirSync(mountPoint, { recursive: true });
    await runProcess("mount", ["--bind", this.dir, mountPoint]);
    sandbox.writeFile("/var/lib/sandbox/host-address", `${address}\n`);
    sandbox.writeFile("/etc/hostname", `${name}\n`);
    const host = new ControlPlaneHost(sandbox, name, address, options.network ?? false);
    this.hosts.push(host);
    return host;
  }

  /** Whether https://<host>:<port> answers, and with which status (undefined: nothing listens). */
  setApiserver(host: string, port: number, status: number | undefined): void {
    const file = path.join(this.dir, "http", `${host}:${port}`);
    if (status === undefined) fs.rmSync(file, { force: true });
    else fs.writeFileSync(file, `${status}\n`);
  }

  apiserverStatus(host: string, port: number): number | undefined {
    const file = path.join(this.dir, "http", `${host}:${port}`);
    return fs.existsSync(file) ? Number(fs.readFileSync(file, "utf8")) : undefined;
  }

  /** Whether more than half of the etcd members run (control-plane-standins/_cluster.sh etcd_quorum). */
  etcdQuorum(): boolean {
    const down = path.join(this.dir, "etcd-down");
    const members = this.etcdMembers();
    const running = members.filter((m) => !fs.existsSync(path.join(down, m))).length;
    return members.length === 0 || running * 2 > members.length;
  }

  /** Names of the etcd members. */
  etcdMembers(): string[] {
    return fs.readdirSync(path.join(this.dir, "etcd")).sort();
  }

  /** Deletes a Node as `kubectl delete node` does (the membership step's delete). */
  deleteNode(node: string): void {
    fs.rmSync(path.join(this.dir, "nodes", node), { recursive: true, force: true });
  }

  /** Registered Nodes. */
  nodes(): string[] {
    return fs.readdirSync(path.join(this.dir, "nodes")).sort();
  }

  nodeFile(node: string, file: "labels" | "taints"): string {
    return fs.readFileSync(path.join(this.dir, "nodes", node, file), "utf8");
  }

  secret(namespace: string, name: string): string | undefined {
    const file = path.join(this.dir, "secrets", namespace, name);
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
  }

  /** A flag file in the shared state (endpoint-broken, drain-fails). */
  flag(name: "endpoint-broken" | "drain-fails", on: boolean): void {
    const file = path.join(this.dir, name);
    if (on) fs.writeFileSync(file, "");
    else fs.rmSync(file, { force: true });
  }

  async dispose(): Promise<void> {
    for (const host of this.hosts) await host.sandbox.dispose();
    await fs.promises.rm(this.dir, { recursive: true, force: true });
  }
}

const APT_ARCHIVES = path.join(CACHE_DIR, "apt-archives");

/**
 * Packages a script installs from the Debian mirror (haproxy, keepalived, ...) are downloaded
 * once: .debs kept from an earlier run are put into the root's apt cache first (apt-get still
 * updates its lists and installs for real), and new ones are kept afterwards.
 */
export function seedAptArchives(host: ControlPlaneHost): void {
  if (!fs.existsSync(APT_ARCHIVES)) return;
  const target = host.sandbox.path("/var/cache/apt/archives");
  fs.mkdirSync(target, { recursive: true });
  for (const f of fs.readdirSync(APT_ARCHIVES).filter((f) => f.endsWith(".deb"))) fs.copyFileSync(path.join(APT_ARCHIVES, f), path.join(target, f));
}

export function keepAptArchives(host: ControlPlaneHost): void {
  const source = host.sandbox.path("/var/cache/apt/archives");
  if (!fs.existsSync(source)) return;
  fs.mkdirSync(APT_ARCHIVES, { recursive: true });
  for (const f of fs.readdirSync(source).filter((f) => f.endsWith(".deb"))) {
    if (!fs.existsSync(path.join(APT_ARCHIVES, f))) fs.copyFileSync(path.join(source, f), path.join(APT_ARCHIVES, f));
  }
}
