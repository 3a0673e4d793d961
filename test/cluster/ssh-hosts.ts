// Real-node lab nodes as existing hosts for a stack (platform.type: existing): each node of the lab
// (node.ts) with its sshd on its own address and root's authorized key, the lab's package
// repository of the locally built kubeadm, kubelet and kubectl served from the switch namespace,
// and the control-plane images imported. Nothing of the cluster is there yet: a real `pulumi up`
// prepares the hosts and brings it up over SSH (test/engine/day2/journey.ts). The engine runs
// in the switch namespace (command()), the only place that reaches the nodes.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inNamespace } from "../lab/network";
import type { LabFacts } from "../lab/stack-config";
import { runProcess } from "../tools/process";
import { imageTarball, nodeImages } from "./images";
import { Lab } from "./lab";
import type { LabNode } from "./node";
import { PACKAGED_KUBERNETES_VERSION, REPO_PATH, realPackageRepository } from "./package-repo";

export interface SshHost {
  name: string;
  role: "control-plane" | "worker";
  address: string;
}

const PREFIX = "10.251.0";
const CONTROL_PLANE_OCTETS = [100, 110, 111, 112, 113];
const WORKER_OCTETS = [101, 102, 103];

/** Only what decides the images: kubeadm's defaults for a version (registry.k8s.io). */
const imagesConfig = (version: string) => `apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: v${version}\n`;

export interface SshHostsOptions {
  /**
   * The Kubernetes versions whose control-plane images the control planes carry, the one the
   * stack deploys first (default: the pinned one alone). The package repository carries them all.
   */
  kubernetesVersions?: string[];
  /** More images every node imports (e.g. the day-2 journey's workload, images.ts WORKLOAD_IMAGE). */
  extraImages?: string[];
}

export class SshHosts implements LabFacts {
  readonly subnet = `${PREFIX}.0/24`;
  readonly gateway = `${PREFIX}.1`;
  readonly vip = `${PREFIX}.99`;
  readonly sshUser = "root";
  readonly sshPort = 22;
  readonly interfaceName = "eth0";

  private constructor(
    readonly lab: Lab,
    readonly hosts: SshHost[],
    readonly packageRepository: string,
    private readonly keyDir: string,
    /** The version the stack deploys (kubernetes.version). */
    readonly kubernetesVersion: string,
  ) {}

  /** Starts one node per name (control planes .100, .110, .111, .112, .113; workers .101 on), each listening for SSH. */
  static async start(controlPlanes: string[], workers: string[], options: SshHostsOptions = {}): Promise<SshHosts> {
    const versions = options.kubernetesVersions ?? [PACKAGED_KUBERNETES_VERSION];
    const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "ssh-hosts-"));
    await runProcess("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "onprem-k8s real-node lab", "-f", path.join(keyDir, "id_ed25519")]);
    const images = { controlPlane: new Set<string>(), worker: new Set<string>() };
    for (const version of versions) {
      // That version's own kubeadm: it names the etcd, CoreDNS and pause its init and upgrade use.
      const forVersion = await nodeImages(imagesConfig(version), keyDir, version);
      for (const tarball of forVersion.controlPlane) images.controlPlane.add(tarball);
      for (const tarball of forVersion.worker) images.worker.add(tarball);
    }
    for (const ref of options.extraImages ?? []) {
      const tarball = await imageTarball(ref);
      images.controlPlane.add(tarball);
      images.worker.add(tarball);
    }
    const packages = await realPackageRepository(options.kubernetesVersions);
    const lab = await Lab.create({ gateway: `${PREFIX}.1/24`, hosts: {} });
    try {
      const url = await lab.serve(packages.directory);
      const hosts: SshHost[] = [
        ...controlPlanes.map((name, i) => ({ name, role: "control-plane" as const, address: `${PREFIX}.${CONTROL_PLANE_OCTETS[i]}` })),
        ...workers.map((name, i) => ({ name, role: "worker" as const, address: `${PREFIX}.${WORKER_OCTETS[i]}` })),
      ];
      const ssh = new SshHosts(lab, hosts, `${url}/${REPO_PATH}`, keyDir, versions[0]!);
      for (const [i, host] of hosts.entries()) {
        await lab.addNode({
          name: host.name,
          address: host.address,
          podSubnet: `10.244.${i}.0/24`,
          images: [...(host.role === "control-plane" ? images.controlPlane : images.worker)],
          authorizedKey: ssh.publicKey,
        });
      }
      for (const node of lab.nodes) await node.waitFor("sshd", `ss -Htln 'sport = :22' | grep -q .`, 30);
      return ssh;
    } catch (err) {
      await lab.dispose();
      throw err;
    }
  }

  get privateKey(): string {
    return fs.readFileSync(path.join(this.keyDir, "id_ed25519"), "utf8");
  }

  get publicKey(): string {
    return fs.readFileSync(path.join(this.keyDir, "id_ed25519.pub"), "utf8").trim();
  }

  /** argv run in the lab's switch namespace (where the gateway is, and so the nodes' only peer). */
  command(argv: readonly string[]): string[] {
    return inNamespace(this.lab.netns, argv);
  }

  node(name: string): LabNode {
    return this.lab.node(name);
  }

  async dispose(): Promise<void> {
    await this.lab.dispose();
    fs.rmSync(this.keyDir, { recursive: true, force: true });
  }
}
