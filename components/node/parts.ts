// What node preparation runs on one node, derived from the description alone: the ordered parts
// and each part's script parameters. Pure, so the chain, the triggers and the offline plan's
// artifacts are all computed (and tested) from the same data.
import { SUPPORTED_KUBERNETES_MINORS, type OsFamily as DescribedOsFamily } from "../../stacks/schema";
import { cniInterfaces, requiredPorts } from "../../stacks/ports";
import type { ClusterSpec, NodeSpec } from "../../stacks/spec";
import type { NodeScript } from "./bundle";
import {
  baseEnv,
  containerdEnv,
  firewallEnv,
  firewallPortsFor,
  firewallProtocolsFor,
  imagesEnv,
  kubernetesMinor,
  kubernetesPackagesEnv,
  kubernetesRepoUrl,
  proxyEnv,
  waitCloudInitEnv,
  type HostEntry,
  type OsFamily,
  type ScriptEnv,
} from "./params";
import { maskSecrets } from "../remote/env";

export interface PlannedPart {
  part: NodeScript;
  env: ScriptEnv;
}

export const PACKAGE_FAMILY: Record<DescribedOsFamily, OsFamily> = {
  ubuntu: "apt",
  debian: "apt",
  rhel: "dnf",
  redos: "dnf",
};

/**
 * The pause tag kubeadm's PauseVersion names per minor; containerd must pin the same image, or
 * kubeadm's preflight warns and offline mirrors miss it. Checked: 1.31 -> 3.10 (kubernetes#125112,
 * `kubeadm config images list` of 1.31.1), 1.34 -> 3.10.1 (cmd/kubeadm/app/constants of v1.34.4),
 * 1.36 -> 3.10.2. Typed by the supported minors, so adding a minor without its tag does not compile.
 */
export const PAUSE_IMAGE_TAGS: Record<(typeof SUPPORTED_KUBERNETES_MINORS)[number], string> = {
  "1.30": "3.9",
  "1.31": "3.10",
  "1.32": "3.10",
  "1.33": "3.10",
  "1.34": "3.10.1",
  "1.35": "3.10.1",
  "1.36": "3.10.2",
};

export const DEFAULT_IMAGE_REPOSITORY = "registry.k8s.io";

/** The sandbox image kubeadm of this version expects, from kubernetes.imageRepository when set. */
export function sandboxImage(version: string, imageRepository?: string): string {
  const minor = kubernetesMinor(version);
  const tag = (PAUSE_IMAGE_TAGS as Record<string, string>)[minor];
  if (!tag) throw new Error(`kubernetes.version: no pause image tag is recorded for Kubernetes ${minor}; supported: ${SUPPORTED_KUBERNETES_MINORS.join(", ")}`);
  return `${(imageRepository ?? DEFAULT_IMAGE_REPOSITORY).replace(/\/+$/, "")}/pause:${tag}`;
}

/** /etc/hosts block: every node by name, and the API DNS name on the VIP. */
export function hostsEntries(spec: Pick<ClusterSpec, "nodes" | "apiEndpoint">): HostEntry[] {
  const entries: HostEntry[] = [];
  const { vip, dnsName } = spec.apiEndpoint;
  if (vip && dnsName) entries.push({ ip: vip, names: [dnsName] });
  for (const node of spec.nodes) entries.push({ ip: node.address, names: [node.name] });
  return entries;
}

/** The ordered parts for one node. `waitForCloudInit` is off when the machine's ready step already waited. */
export function preparationParts(spec: ClusterSpec, node: NodeSpec, options: { waitForCloudInit: boolean }): PlannedPart[] {
  const family = PACKAGE_FAMILY[spec.os.family];
  const parts: PlannedPart[] = [];
  if (options.waitForCloudInit) parts.push({ part: "wait-cloud-init", env: waitCloudInitEnv() });
  parts.push({ part: "base", env: baseEnv({ hostname: node.name, hosts: hostsEntries(spec), timeServers: spec.network.ntpServers }) });
  parts.push({
    part: "proxy",
    env: spec.proxy
      ? proxyEnv({ mode: "present", httpProxy: spec.proxy.http, httpsProxy: spec.proxy.https, noProxy: spec.noProxy })
      : proxyEnv({ mode: "absent" }),
  });
  parts.push({
    part: "containerd",
    env: containerdEnv({
      sandboxImage: sandboxImage(spec.kubernetes.version, spec.kubernetes.imageRepository),
      registryMirrors: Object.fromEntries(Object.entries(spec.registries.containerdMirrors).map(([registry, url]) => [registry, [url]])),
    }),
  });
  parts.push({
    part: "kubernetes-packages",
    env: kubernetesPackagesEnv({
      version: spec.kubernetes.version,
      repoUrl: kubernetesRepoUrl(family, spec.kubernetes.version, spec.kubernetes.packageRepository),
    }),
  });
  // firewalld and SELinux are the dnf family's; apt-family images ship neither enabled.
  if (family === "dnf") {
    const keepalivedOnNode = spec.apiEndpoint.mode === "keepalived-haproxy" && node.role === "control-plane";
    const rules = requiredPorts(spec);
    parts.push({
      part: "firewall",
      env: firewallEnv({
        mode: spec.os.firewall,
        ports: firewallPortsFor(rules, node),
        selinuxMode: spec.os.selinux,
        haproxyOnNode: keepalivedOnNode,
        // VRRP where keepalived runs, IP-in-IP for Calico's ipip mode: no ports, the same list.
        protocols: firewallProtocolsFor(rules, node),
        podNetwork: { interfaces: cniInterfaces(spec.addons.cni), sources: [spec.kubernetes.podCidr] },
      }),
    });
  }
  // Last: init and the joins then find kubeadm's images present (kubeadm and containerd are in place).
  parts.push({
    part: "images",
    env: imagesEnv({ kubernetesVersion: spec.kubernetes.version, imageRepository: spec.kubernetes.imageRepository, role: node.role, kubeProxy: spec.kubeProxyEnabled }),
  });
  return parts;
}

/** Whether a part's parameters carry credentials (URL user:pass@), so they must travel as a Pulumi secret. */
export function carriesCredentials(env: ScriptEnv): boolean {
  return Object.values(env).some((value) => maskSecrets(value) !== value);
}
