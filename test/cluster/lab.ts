// The real-node lab: Kubernetes nodes as namespaces on this machine (node.ts), wired to one private
// bridge in a network namespace of the lab's own, with no uplink: nothing a node sends can leave
// the machine. One lab runs at a time (a machine-wide lock: two would fight over the host sysctls
// kubelet rewrites, and each takes 1.5+ GiB). Everything the lab leaves on the host is recorded in
// its run directory (state.json), so a run that died is cleaned up by the next one: node
// processes, network namespaces, cgroups, the host sysctls kubelet changed, the nodes' files.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { toolCache } from "../tools/cache";
import { pidAlive, withLock } from "../tools/lock";
import { runProcess, sleep } from "../tools/process";
import { removeCgroupRoot } from "./cgroups";
import { serveDirectory } from "../lab/mirror";
import { LabNode, type NodeOptions } from "./node";

const LAB_DIR = toolCache("cluster-lab");
const RUNS_DIR = path.join(LAB_DIR, "runs");
/** Global sysctls kubelet sets (protectKernelDefaults false); put back when the lab goes. */
const HOST_SYSCTLS = ["vm/overcommit_memory", "vm/panic_on_oom", "kernel/panic", "kernel/panic_on_oops", "kernel/keys/root_maxkeys", "kernel/keys/root_maxbytes"];

export interface LabState {
  netns: string[];
  cgroups: string[];
  /** PID 1 of each node (on the host's side). */
  nodePids: number[];
  /** The lab's own servers (the package repository's). */
  serverPids?: number[];
  sysctls: Record<string, string>;
}

export interface LabOptions {
  /** The bridge's address and prefix, e.g. 192.168.100.1/24: the nodes' gateway. */
  gateway: string;
  /** Name -> address lines every node's /etc/hosts gets (the API endpoint's name, the nodes). */
  hosts: Record<string, string>;
}

const ip = (...args: string[]) => runProcess("ip", args);

/** Undoes what a lab recorded in `state`; safe to run twice. */
async function teardown(state: LabState): Promise<void> {
  const pids = [...state.nodePids, ...(state.serverPids ?? [])];
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  for (let i = 0; i < 100 && pids.some(pidAlive); i++) await sleep(100);
  for (const ns of state.netns) await runProcess("ip", ["netns", "delete", ns], { allowFail: true });
  for (const cgroup of state.cgroups) await removeCgroupRoot(cgroup);
  for (const [key, value] of Object.entries(state.sysctls)) {
    try {
      fs.writeFileSync(path.join("/proc/sys", key), value);
    } catch {
      // a sysctl this kernel does not have
    }
  }
}

/** Tears down the runs of lab processes that died without cleaning up. */
async function cleanStaleRuns(): Promise<void> {
  if (!fs.existsSync(RUNS_DIR)) return;
  for (const id of fs.readdirSync(RUNS_DIR)) {
    const pid = Number(id.split("-")[0]);
    if (pid && pidAlive(pid)) continue;
    const stateFile = path.join(RUNS_DIR, id, "state.json");
    if (fs.existsSync(stateFile)) await teardown(JSON.parse(fs.readFileSync(stateFile, "utf8")) as LabState);
    await fs.promises.rm(path.join(RUNS_DIR, id), { recursive: true, force: true });
  }
}

/** Holds the machine-wide lab lock until the returned function is called. */
function holdLabLock(): Promise<() => void> {
  return new Promise((acquired, failed) => {
    withLock(path.join(LAB_DIR, "lab.lockdir"), () => new Promise<void>((release) => acquired(release)), { waitLimitMs: 30 * 60_000, staleAfterMs: 3 * 60 * 60_000 }).catch(failed);
  });
}

export class Lab {
  readonly nodes: LabNode[] = [];
  private started = 0;
  private disposed = false;
  private readonly state: LabState = { netns: [], cgroups: [], nodePids: [], sysctls: {} };

  private constructor(
    readonly id: string,
    readonly dir: string,
    readonly options: LabOptions,
    private readonly release: () => void,
  ) {}

  /** The switch's network namespace. */
  get netns(): string {
    return `olab${this.id}`;
  }

  static async create(options: LabOptions): Promise<Lab> {
    const release = await holdLabLock();
    try {
      await cleanStaleRuns();
      const id = randomBytes(2).toString("hex");
      const dir = path.join(RUNS_DIR, `${process.pid}-${id}`);
      fs.mkdirSync(dir, { recursive: true });
      const lab = new Lab(id, dir, options, release);
      for (const key of HOST_SYSCTLS) {
        const file = path.join("/proc/sys", key);
        if (fs.existsSync(file)) lab.state.sysctls[key] = fs.readFileSync(file, "utf8").trim();
      }
      await lab.record((s) => s.netns.push(lab.netns));
      await ip("netns", "add", lab.netns);
      await ip("-n", lab.netns, "link", "set", "lo", "up");
      await ip("-n", lab.netns, "link", "add", "br0", "type", "bridge");
      await ip("-n", lab.netns, "addr", "add", options.gateway, "dev", "br0");
      await ip("-n", lab.netns, "link", "set", "br0", "up");
      return lab;
    } catch (err) {
      release();
      throw err;
    }
  }

  /** Updates state.json before the host is changed, so a crash in between still cleans it up. */
  async record(change: (state: LabState) => void): Promise<void> {
    change(this.state);
    await fs.promises.writeFile(path.join(this.dir, "state.json"), JSON.stringify(this.state, null, 2));
  }

  /** Starts a node: its root, network, cgroup root, containerd and kubelet supervisor. */
  async addNode(options: NodeOptions): Promise<LabNode> {
    // Numbered on the call, not on completion: nodes may start in parallel.
    const node = await LabNode.start(this, ++this.started, options);
    this.nodes.push(node);
    return node;
  }

  /**
   * Serves `directory` over HTTP on the gateway's address, port 80 (from the switch namespace, so
   * only the nodes reach it); returns its URL.
   */
  async serve(directory: string): Promise<string> {
    const address = this.options.gateway.split("/")[0]!;
    const pid = await serveDirectory(this.netns, directory, address, path.join(this.dir, "http.log"));
    await this.record((s) => (s.serverPids ??= []).push(pid));
    return `http://${address}`;
  }

  node(name: string): LabNode {
    const found = this.nodes.find((n) => n.name === name);
    if (!found) throw new Error(`no lab node ${name}`);
    return found;
  }

  /** Resident memory of every process of the lab's nodes (each node's PID 1 and its descendants, containers included), in MiB. */
  rssMiB(): number {
    const children = new Map<number, number[]>();
    const rss = new Map<number, number>();
    for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).map(Number)) {
      try {
        const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
        const parent = Number(/PPid:\s+(\d+)/.exec(status)?.[1]);
        children.set(parent, [...(children.get(parent) ?? []), pid]);
        rss.set(pid, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0));
      } catch {
        // the process ended meanwhile
      }
    }
    let kib = 0;
    const pending = this.nodes.map((n) => n.pid);
    while (pending.length > 0) {
      const pid = pending.pop()!;
      kib += rss.get(pid) ?? 0;
      pending.push(...(children.get(pid) ?? []));
    }
    return Math.round(kib / 1024);
  }

  /** What of this lab is still on the host: empty once it is disposed. */
  leftovers(): string[] {
    const left: string[] = [];
    for (const ns of this.state.netns) if (fs.existsSync(path.join("/run/netns", ns))) left.push(`network namespace ${ns}`);
    for (const pid of this.state.nodePids) if (pidAlive(pid)) left.push(`node process ${pid}`);
    for (const pid of this.state.serverPids ?? []) if (pidAlive(pid)) left.push(`server process ${pid}`);
    for (const cgroup of this.state.cgroups) {
      for (const hierarchy of fs.readdirSync("/sys/fs/cgroup")) if (fs.existsSync(path.join("/sys/fs/cgroup", hierarchy, cgroup))) left.push(`cgroup ${hierarchy}/${cgroup}`);
    }
    for (const [key, value] of Object.entries(this.state.sysctls)) {
      const now = fs.readFileSync(path.join("/proc/sys", key), "utf8").trim();
      if (now !== value) left.push(`sysctl ${key} = ${now} (was ${value})`);
    }
    if (fs.existsSync(this.dir)) left.push(`run directory ${this.dir}`);
    return left;
  }

  /** Ends every node and undoes everything the lab did on the host; a second call does nothing. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    try {
      await teardown(this.state);
      await fs.promises.rm(this.dir, { recursive: true, force: true });
    } finally {
      this.release();
    }
  }
}
