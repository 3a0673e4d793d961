// One node of the lab (lab.ts): PID, mount and UTS namespaces of its own inside a network
// namespace with one veth (eth0) on the lab's bridge; a root that is an overlay of the Debian
// sandbox root and the clusterNode package layer (containerd, runc, CNI plugins, iptables, ...);
// kubeadm, kubelet, kubectl and crictl come from the program's packages step. PID 1 is a small init that
// supervises containerd and kubelet the way systemd would, driven by a `systemctl` of its own
// (node-root/). What the host imposes, and only that, differs from a real node: kubelet's cgroup
// driver must be cgroupfs (no systemd), each node gets its own cgroup root, and eviction thresholds
// are 1% (kubelet flags in /etc/default/kubelet); containerd's lab unit edits two lines of its config.
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { PACKAGE_LAYERS, ensureBaseRoot, ensurePackageLayer } from "../sandbox/node-sandbox";
import { runProcess, sleep, type ProcessResult } from "../tools/process";
import { createCgroupRoot } from "./cgroups";
import type { Lab } from "./lab";

const NODE_ROOT_FILES = path.join(__dirname, "node-root");
const BOOT = path.join(__dirname, "boot.sh");
const PATH_IN_NODE = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Where image tarballs are visible inside a node (read-only). */
export const IMAGES_IN_NODE = "/var/lib/onprem-lab/images";

export interface NodeOptions {
  name: string;
  /** The node's address on the lab bridge (the prefix is the gateway's). */
  address: string;
  /** This node's pod range for the CNI bridge plugin (host-local IPAM). */
  podSubnet: string;
  /** Image tarballs (all in one directory) imported into containerd's k8s.io namespace. */
  images: string[];
  /** A public key root logs in with over SSH (the node's sshd listens on its address). */
  authorizedKey?: string;
}

/** containerd's config until the program's containerd step writes its own (the images are imported under this one). */
function containerdConfig(): string {
  return `version = 2
root = "/var/lib/containerd"
state = "/run/containerd"
[grpc]
  address = "/run/containerd/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10.1"
  # This machine's capability bounding set lacks CAP_SYS_RESOURCE: runc cannot lower
  # oom_score_adj to kubelet's -998/-997, so containerd clamps it to its own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "/etc/cni/net.d"
`;
}

function cniConfig(podSubnet: string): string {
  const bridge = { type: "bridge", bridge: "cni0", isGateway: true, ipMasq: true, hairpinMode: true, ipam: { type: "host-local", ranges: [[{ subnet: podSubnet }]], routes: [{ dst: "0.0.0.0/0" }] } };
  return `${JSON.stringify({ cniVersion: "0.4.0", name: "onprem-lab", plugins: [bridge, { type: "portmap", capabilities: { portMappings: true } }] }, null, 2)}\n`;
}

function copyTree(from: string, to: string): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      fs.mkdirSync(target, { recursive: true });
      copyTree(source, target);
    } else {
      fs.copyFileSync(source, target);
      fs.chmodSync(target, fs.statSync(source).mode);
    }
  }
}

export class LabNode {
  private constructor(
    readonly lab: Lab,
    readonly name: string,
    readonly address: string,
    readonly dir: string,
    readonly netns: string,
    /** PID 1 of the node, as the host sees it (a new one after restart()). */
    public pid: number,
    /** What boot.sh is given: the root's layers and the images' directory. */
    private readonly boot: { lower: string; images: string },
  ) {}

  /** The node's files are written into the overlay's upper directory before it is mounted. */
  private static writeFiles(lab: Lab, dir: string, options: NodeOptions, cgroup: string): void {
    const upper = path.join(dir, "upper");
    copyTree(NODE_ROOT_FILES, upper);
    const write = (file: string, content: string) => {
      fs.mkdirSync(path.dirname(path.join(upper, file)), { recursive: true });
      fs.writeFileSync(path.join(upper, file), content);
    };
    const hosts = Object.entries(lab.options.hosts).map(([name, address]) => `${address} ${name}`);
    write("etc/hostname", `${options.name}\n`);
    write("etc/hosts", ["127.0.0.1 localhost", `${options.address} ${options.name}`, ...hosts, ""].join("\n"));
    // The gateway answers no DNS: a lookup fails at once and goes nowhere.
    write("etc/resolv.conf", `nameserver ${lab.options.gateway.split("/")[0]}\n`);
    write("etc/machine-id", `${Buffer.from(`${lab.id}${options.name}`).toString("hex").padEnd(32, "0").slice(0, 32)}\n`);
    write("etc/containerd/config.toml", containerdConfig());
    write("etc/cni/net.d/10-onprem-lab.conflist", cniConfig(options.podSubnet));
    // The lab's pod network is the bridge plugin from Debian's package (/usr/lib/cni); containerd's
    // default config looks in /opt/cni/bin, where a CNI add-on would install its plugins.
    fs.mkdirSync(path.join(upper, "opt/cni/bin"), { recursive: true });
    for (const plugin of ["bridge", "host-local", "loopback", "portmap"]) fs.symlinkSync(`/usr/lib/cni/${plugin}`, path.join(upper, "opt/cni/bin", plugin));
    if (options.authorizedKey) {
      fs.mkdirSync(path.join(upper, "root/.ssh"), { recursive: true, mode: 0o700 });
      write("root/.ssh/authorized_keys", `${options.authorizedKey.trim()}\n`);
      fs.chmodSync(path.join(upper, "root/.ssh/authorized_keys"), 0o600);
    }
    // What the host imposes, as kubelet flags (they win over the config file kubeadm writes, so the
    // program's rendered KubeletConfiguration runs unchanged): pods of each node under a cgroup of
    // its own (two kubelets share one kernel); the cgroupfs driver (no systemd in a node); eviction
    // thresholds of 1%, since the nodes share this machine's disk, whose free share says nothing
    // about them (a CI disk 87% full put every node under DiskPressure at kubelet's default 15%).
    const flags = [`--cgroup-root=/${cgroup}`, "--cgroup-driver=cgroupfs", "--eviction-hard=imagefs.available<1%,nodefs.available<1%,nodefs.inodesFree<1%"];
    write("etc/default/kubelet", `KUBELET_EXTRA_ARGS="${flags.join(" ")}"\n`);
  }

  private static async network(lab: Lab, index: number, netns: string, address: string): Promise<void> {
    const prefix = lab.options.gateway.split("/")[1];
    const veth = `ol${lab.id}n${index}`; // interface names are at most 15 characters
    await lab.record((s) => s.netns.push(netns));
    await runProcess("ip", ["netns", "add", netns]);
    await runProcess("ip", ["-n", lab.netns, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", netns]);
    await runProcess("ip", ["-n", lab.netns, "link", "set", veth, "master", "br0", "up"]);
    const inNode = (...args: string[]) => runProcess("ip", ["-n", netns, ...args]);
    await inNode("link", "set", "lo", "up");
    await inNode("addr", "add", `${address}/${prefix}`, "dev", "eth0");
    await inNode("link", "set", "eth0", "up");
    await inNode("route", "add", "default", "via", lab.options.gateway.split("/")[0]!);
    // Forwarding and bridge netfilter (per network namespace) are left to the node preparation.
  }

  private static async cgroupRoot(lab: Lab, cgroup: string): Promise<void> {
    await lab.record((s) => s.cgroups.push(cgroup));
    createCgroupRoot(cgroup);
  }

  static async start(lab: Lab, index: number, options: NodeOptions): Promise<LabNode> {
    const dir = path.join(lab.dir, "nodes", options.name);
    for (const d of ["upper", "work", "root"]) fs.mkdirSync(path.join(dir, d), { recursive: true });
    const lower = `${await ensurePackageLayer(PACKAGE_LAYERS.clusterNode)}:${await ensureBaseRoot()}`;
    const cgroup = `onprem-lab-${lab.id}-${options.name}`;
    const netns = `${lab.netns}n${index}`;
    LabNode.writeFiles(lab, dir, options, cgroup);
    await LabNode.network(lab, index, netns, options.address);
    await LabNode.cgroupRoot(lab, cgroup);

    const imageDirs = new Set(options.images.map((i) => path.dirname(i)));
    if (imageDirs.size > 1) throw new Error(`image tarballs must share one directory: ${[...imageDirs].join(", ")}`);
    const boot = { lower, images: [...imageDirs][0] ?? "" };
    const pid = await LabNode.bootInit(lab, options.name, dir, netns, boot);
    const node = new LabNode(lab, options.name, options.address, dir, netns, pid, boot);
    await node.booted();
    for (const image of options.images) await node.exec(`ctr -n k8s.io images import ${IMAGES_IN_NODE}/${path.basename(image)}`, { check: true });
    return node;
  }

  /** Starts boot.sh as the first process of new PID, mount and UTS namespaces in the node's network namespace; resolves to the node's PID 1. */
  private static async bootInit(lab: Lab, name: string, dir: string, netns: string, boot: { lower: string; images: string }): Promise<number> {
    const log = fs.openSync(path.join(dir, "boot.log"), "a");
    // Detached, with its output in a file: the node outlives this call and holds no pipe of ours.
    const unshare = spawn("nsenter", [`--net=/run/netns/${netns}`, "unshare", "--pid", "--fork", "--mount", "--uts", "--propagation", "private", "bash", BOOT], {
      // The system PATH, not the caller's: the node's init runs for the node's whole life, and a
      // shim directory in the caller's PATH (pyenv's takes a lock) once stalled a node's start.
      env: { PATH: PATH_IN_NODE, NODE_NAME: name, NODE_DIR: dir, LOWER: boot.lower, IMAGES: boot.images },
      stdio: ["ignore", log, log],
      detached: true,
    });
    unshare.unref();
    fs.closeSync(log);
    const children = `/proc/${unshare.pid}/task/${unshare.pid}/children`;
    let pid = 0;
    for (let i = 0; i < 100 && !pid; i++) {
      pid = Number(fs.existsSync(children) ? fs.readFileSync(children, "utf8").trim().split(" ")[0] : 0);
      if (!pid) await sleep(50);
    }
    if (!pid) throw new Error(`node ${name} did not start: ${fs.readFileSync(path.join(dir, "boot.log"), "utf8")}`);
    await lab.record((s) => s.nodePids.push(pid));
    return pid;
  }

  /**
   * A power cut and a boot: PID 1 killed ends every process of the node (its units, containers and
   * SSH sessions), then the node boots again from its files. Its disk stays (the upper directory,
   * containerd's, kubelet's and etcd's state) and /run and /tmp start empty, as on a restarted host;
   * unlike one, its network namespace (addresses, sysctls) is kept. Resolves once containerd is up.
   */
  async restart(): Promise<void> {
    const old = this.pid;
    process.kill(old, "SIGKILL");
    for (let i = 0; i < 200 && fs.existsSync(`/proc/${old}`); i++) await sleep(50);
    if (fs.existsSync(`/proc/${old}`)) throw new Error(`node ${this.name}: its PID 1 (${old}) did not end within 10 s of SIGKILL`);
    this.pid = await LabNode.bootInit(this.lab, this.name, this.dir, this.netns, this.boot);
    await this.booted();
  }

  /** Waits for the booted node's containerd (its init starts it first). */
  private booted(): Promise<void> {
    return this.waitFor("containerd's socket", "test -S /run/containerd/containerd.sock", 60);
  }

  /** Runs a bash command inside the node (all its namespaces and its root), as root with a clean environment. */
  async exec(command: string, options: { input?: string; check?: boolean; timeoutMs?: number } = {}): Promise<ProcessResult> {
    const r = await runProcess(
      "nsenter",
      ["-t", String(this.pid), "-m", "-u", "-n", "-p", "-r", "-w", "env", "-i", `PATH=${PATH_IN_NODE}`, "HOME=/root", "LANG=C.UTF-8", "bash", "-c", command],
      { input: options.input, allowFail: true, timeoutMs: options.timeoutMs },
    );
    if (options.check && r.status !== 0) throw new Error(`on ${this.name}: ${command} exited ${r.status}\n${r.output}`);
    return r;
  }

  /** kubectl with the node's admin.conf (control planes only). */
  kubectl(args: string): Promise<ProcessResult> {
    return this.exec(`kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=20s ${args}`);
  }

  /** Names of the etcd members, as etcdctl in this control plane's etcd container lists them. */
  async etcdMembers(): Promise<string[]> {
    const list = await this.exec(
      "crictl exec \"$(crictl ps --name '^etcd$' --state running --quiet | head -n 1)\" etcdctl --endpoints=https://127.0.0.1:2379 " +
        "--cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key " +
        "member list --write-out=simple",
      { check: true },
    );
    return list.stdout.split("\n").filter(Boolean).map((line) => line.split(", ")[2]!).sort();
  }

  /** Waits until every named Node reports Ready, asking through this control plane's admin.conf; `logs` adds their kubelets' logs to a timeout. */
  async waitNodesReady(names: string[], seconds: number, logs: () => string = () => ""): Promise<void> {
    const check = names
      .map((n) => `[ "$(kubectl --kubeconfig /etc/kubernetes/admin.conf get node ${n} -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]`)
      .join(" && ");
    try {
      await this.waitFor(`${names.join(", ")} Ready`, check, seconds);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${logs()}`);
    }
  }

  /** Polls `check` (a bash command) every second until it succeeds, for at most `seconds`. */
  async waitFor(what: string, check: string, seconds: number): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    let last: ProcessResult | undefined;
    while (Date.now() < deadline) {
      last = await this.exec(check);
      if (last.status === 0) return;
      await sleep(1000);
    }
    throw new Error(`${this.name}: ${what} not reached within ${seconds} s (${check}): ${last?.output ?? ""}\n${this.log("kubelet", 30)}`);
  }

  /** The end of a unit's log (containerd, kubelet), read from the overlay's upper directory. */
  log(unit: "containerd" | "kubelet", lines = 40): string {
    const file = path.join(this.dir, "upper", "var/log/onprem-lab", `${unit}.log`);
    if (!fs.existsSync(file)) return `(no ${unit} log)`;
    return `--- ${this.name} ${unit} (last ${lines} lines) ---\n${fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n")}`;
  }
}
