// Real-node lab nodes as existing hosts for a stack (platform.type: existing): each node of the lab
// (node.ts) with its sshd on its own address and root's authorized key, the lab's package
// repository of the locally built kubeadm, kubelet and kubectl served from the switch namespace,
// and the control-plane images imported. Nothing of the cluster is there yet: a real `pulumi up`
// prepares the hosts and brings it up over SSH (test/engine/real-cluster.test.ts). The engine runs
// in the switch namespace (command()), the only place that reaches the nodes.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inNamespace } from "../lab/network";
import type { LabFacts } from "../lab/stack-config";
import { PINNED_KUBERNETES_VERSION } from "../tools/go-binaries";
import { runProcess } from "../tools/process";
import { nodeImages } from "./images";
import { Lab } from "./lab";
import type { LabNode } from "./node";
import { PACKAGED_KUBERNETES_VERSION, REPO_PATH, realPackageRepository } from "./package-repo";

export interface SshHost {
  name: string;
  role: "control-plane" | "worker";
  address: string;
}

const PREFIX = "10.251.0";
const CONTROL_PLANE_OCTETS = [100, 110, 111];
const WORKER_OCTETS = [101, 102, 103];

/** Only what decides the images: kubeadm's defaults for the pinned version (registry.k8s.io). */
const IMAGES_CONFIG = `apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: ${PINNED_KUBERNETES_VERSION}\n`;

export class SshHosts implements LabFacts {
  readonly subnet = `${PREFIX}.0/24`;
  readonly gateway = `${PREFIX}.1`;
  readonly vip = `${PREFIX}.99`;
  readonly sshUser = "root";
  readonly sshPort = 22;
  readonly interfaceName = "eth0";
  readonly kubernetesVersion = PACKAGED_KUBERNETES_VERSION;

  private constructor(
    readonly lab: Lab,
    readonly hosts: SshHost[],
    readonly packageRepository: string,
    private readonly keyDir: string,
  ) {}

  /** Starts one node per name (control planes .100, .110, .111; workers .101 on), each listening for SSH. */
  static async start(controlPlanes: string[], workers: string[]): Promise<SshHosts> {
    const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "ssh-hosts-"));
    await runProcess("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "onprem-k8s real-node lab", "-f", path.join(keyDir, "id_ed25519")]);
    const images = await nodeImages(IMAGES_CONFIG, keyDir);
    const packages = await realPackageRepository();
    const lab = await Lab.create({ gateway: `${PREFIX}.1/24`, hosts: {} });
    try {
      const url = await lab.serve(packages.directory);
      const hosts: SshHost[] = [
        ...controlPlanes.map((name, i) => ({ name, role: "control-plane" as const, address: `${PREFIX}.${CONTROL_PLANE_OCTETS[i]}` })),
        ...workers.map((name, i) => ({ name, role: "worker" as const, address: `${PREFIX}.${WORKER_OCTETS[i]}` })),
      ];
      const ssh = new SshHosts(lab, hosts, `${url}/${REPO_PATH}`, keyDir);
      for (const [i, host] of hosts.entries()) {
        await lab.addNode({
          name: host.name,
          address: host.address,
          podSubnet: `10.244.${i}.0/24`,
          images: host.role === "control-plane" ? images.controlPlane : images.worker,
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
