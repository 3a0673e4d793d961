// A planned stack's cluster brought up for real in the lab: one lab node per planned node (its name
// and address from the stack), and the program's own steps (planned-steps.ts) run on the node each
// step connects to: base, proxy, containerd, kubernetes-packages (from the lab's repository of the
// locally built binaries, package-repo.ts), images (present: the lab imports them), pki, endpoint, init, token, join, membership, and their
// deletes.
// The API endpoint: keepalived + haproxy run for real (the endpoint steps); kube-vip cannot (its
// module is not on the Go module proxy, so no image), and the lab's stand-in for it is the VIP as
// a second address on the first control plane. The endpoint's name resolves to the VIP through the
// /etc/hosts block the base step writes.
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { artifactAt, type PlanResult } from "../harness";
import type { ClusterSpec, NodeSpec } from "../../stacks/spec";
import { kubernetesRepoUrl } from "../../components/node/params";
import type { ProcessResult } from "../tools/process";
import { nodeImages } from "./images";
import { Lab } from "./lab";
import type { LabNode } from "./node";
import { realPackageRepository, REPO_PATH } from "./package-repo";
import { caCertificateOverrides, plannedStep, stepParameters, withOverrides } from "./planned-steps";

export type StepKind = "base" | "proxy" | "containerd" | "kubernetes-packages" | "images" | "pki" | "endpoint" | "init" | "token" | "join" | "membership";
/** Node preparation, in the program's order (components/node/parts.ts; the apt family's parts). */
const PREPARATION: StepKind[] = ["base", "proxy", "containerd", "kubernetes-packages", "images"];

export class PlannedCluster {
  private caOverrides: Record<string, string> | undefined;

  private constructor(
    readonly plan: PlanResult,
    readonly spec: ClusterSpec,
    readonly lab: Lab,
    private readonly workDir: string,
    /** The packages step's repository parameters, pointing at the lab's own. */
    private readonly repository: Record<string, string>,
    /** Images of a control plane (kubeadm's list for the init config); a worker gets the sandbox image only. */
    private readonly images: { controlPlane: string[]; worker: string[] },
  ) {}

  static async start(plan: PlanResult, spec: ClusterSpec): Promise<PlannedCluster> {
    const workDir = await fs.mkdtemp(path.join(os.tmpdir(), "planned-cluster-"));
    const initConfig = artifactAt(plan, `kubeadm/${spec.controlPlanes[0]!.name}.yaml`);
    const images = await nodeImages(initConfig, workDir);
    const packages = await realPackageRepository();
    // No /etc/hosts entries from the lab: the program's base step writes them (prepare()).
    const hosts: Record<string, string> = {};
    const gateway = `${spec.network.gateway}/${spec.network.subnet.split("/")[1]}`;
    const lab = await Lab.create({ gateway, hosts });
    const repository = {
      KUBERNETES_REPO_URL: kubernetesRepoUrl("apt", spec.kubernetes.version, `${await lab.serve(packages.directory)}/${REPO_PATH}`),
      KUBERNETES_REPO_KEY: packages.key,
    };
    return new PlannedCluster(plan, spec, lab, workDir, repository, images);
  }

  nodeSpec(name: string): NodeSpec {
    const found = this.spec.nodes.find((n) => n.name === name);
    if (!found) throw new Error(`the stack has no node ${name}`);
    return found;
  }

  /** Starts the lab node for a planned node (pods in 10.244.<position>.0/24 of the stack's pod range). */
  async startNode(name: string): Promise<LabNode> {
    const spec = this.nodeSpec(name);
    const position = this.spec.nodes.indexOf(spec);
    const podSubnet = this.spec.kubernetes.podCidr.replace(/^(\d+\.\d+)\.\d+\.\d+\/\d+$/, `$1.${position}.0/24`);
    const node = await this.lab.addNode({
      name,
      address: spec.address,
      podSubnet,
      images: spec.role === "control-plane" ? this.images.controlPlane : this.images.worker,
    });
    if (spec === this.spec.controlPlanes[0] && this.spec.apiEndpoint.mode === "kube-vip") await this.vip(true);
    return node;
  }

  /** Real CA certificates for the plan's CA keys (every pki step places the same CAs). */
  private async caCertificates(): Promise<Record<string, string>> {
    const pki = plannedStep(this.plan, `${this.spec.controlPlanes[0]!.name}-pki`);
    this.caOverrides ??= await caCertificateOverrides(this.plan, pki.stdin, this.workDir);
    return this.caOverrides;
  }

  /**
   * The node's preparation as planned: base (hostname, /etc/hosts with the endpoint and every node,
   * swap, kernel modules, sysctls, chrony), proxy, containerd (the lab's unit runs it on a copy of
   * its config with two edits, see node-root/etc/onprem-lab/units/containerd), kubernetes-packages.
   * With `again`, each step runs a second time right after the first, and that run's output is
   * returned too: a step that changes something the second time is not idempotent.
   */
  async prepare(name: string, options: { again?: boolean } = {}): Promise<{ output: string; again: string }> {
    let output = "";
    let again = "";
    for (const kind of PREPARATION) {
      output += await this.mustStep(name, kind);
      if (options.again) again += await this.mustStep(name, kind);
    }
    return { output, again };
  }

  /** What the lab changes in a step's parameters (see planned-steps.ts). */
  private async overrides(kind: StepKind, stdin: string): Promise<Record<string, string>> {
    if (kind === "pki") return this.caCertificates();
    if (kind === "kubernetes-packages") return this.repository;
    if (kind === "join") {
      // The fallback's discovery kubeconfig embeds the CA certificate: the real one, as in pki.
      const { DISCOVERY_KUBECONFIG: discovery } = await stepParameters(stdin, ["DISCOVERY_KUBECONFIG"]);
      if (!discovery) return {};
      const ca = Buffer.from((await this.caCertificates()).PKI_CA_CRT!).toString("base64");
      return { DISCOVERY_KUBECONFIG: discovery.replace(/certificate-authority-data: \S+/, `certificate-authority-data: ${ca}`) };
    }
    return {};
  }

  /**
   * Runs node `name`'s planned step of this kind on the lab node it connects to. `parameters`
   * overrides more of the step's parameters, for a test that says why.
   */
  async step(name: string, kind: StepKind, action: "create" | "delete" = "create", parameters: Record<string, string> = {}): Promise<ProcessResult> {
    const step = plannedStep(this.plan, `${name}-${kind}`);
    const target = this.spec.nodes.find((n) => n.address === step.host);
    if (!target) throw new Error(`${step.name} connects to ${step.host}, which is no node of the stack`);
    const commandLine = action === "create" ? step.create : step.delete;
    if (!commandLine) throw new Error(`${step.name} has no ${action} command`);
    const stdin = withOverrides(step.stdin, { ...(await this.overrides(kind, step.stdin)), ...parameters });
    return this.lab.node(target.name).exec(commandLine, { input: stdin, timeoutMs: 10 * 60_000 });
  }

  /** Like step(), but a non-zero exit throws with the step's output. */
  async mustStep(name: string, kind: StepKind, action: "create" | "delete" = "create", parameters: Record<string, string> = {}): Promise<string> {
    const r = await this.step(name, kind, action, parameters);
    if (r.status !== 0) throw new Error(`${name}-${kind} (${action}) exited ${r.status}:\n${r.output}`);
    return r.output;
  }

  /** Lab nodes (by name) whose eth0 holds the VIP now. */
  async vipHolders(): Promise<string[]> {
    const holders: string[] = [];
    for (const node of this.lab.nodes) {
      const addresses = await node.exec("ip -o -4 addr show dev eth0");
      if (addresses.stdout.includes(` ${this.spec.apiEndpoint.vip}/`)) holders.push(node.name);
    }
    return holders;
  }

  /** The lab's stand-in for kube-vip: the VIP on the first control plane's eth0, or gone (the endpoint down). */
  async vip(up: boolean): Promise<void> {
    const node = this.lab.node(this.spec.controlPlanes[0]!.name);
    await node.exec(`ip addr ${up ? "add" : "del"} ${this.spec.apiEndpoint.vip}/32 dev eth0`, { check: true });
  }

  /** kubectl through the first control plane's admin.conf. */
  async kubectl(args: string): Promise<ProcessResult> {
    return this.lab.node(this.spec.controlPlanes[0]!.name).kubectl(args);
  }

  /** Names of the etcd members, as the first control plane's etcd lists them. */
  etcdMembers(): Promise<string[]> {
    return this.lab.node(this.spec.controlPlanes[0]!.name).etcdMembers();
  }

  /** Names of the registered Nodes. */
  async nodeNames(): Promise<string[]> {
    const r = await this.kubectl("get nodes -o jsonpath='{.items[*].metadata.name}'");
    if (r.status !== 0) throw new Error(r.output);
    return r.stdout.split(" ").filter(Boolean).sort();
  }

  /** Waits until every named Node reports Ready. */
  waitReady(names: string[], seconds = 180): Promise<void> {
    const logs = () => names.map((n) => this.lab.nodes.find((node) => node.name === n)?.log("kubelet", 20) ?? "").join("\n");
    return this.lab.node(this.spec.controlPlanes[0]!.name).waitNodesReady(names, seconds, logs);
  }

  /** Ends the lab (idempotent). */
  async dispose(): Promise<void> {
    await this.lab.dispose();
    await fs.rm(this.workDir, { recursive: true, force: true });
  }
}
