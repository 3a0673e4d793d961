// Derived facts of a validated description: every later layer reads these instead of
// re-deriving names, ports or MTUs on its own.
import type { ClusterConfig, Taint } from "./schema";
import { prefixLength } from "./network";

export type NodeRole = "control-plane" | "worker";

export interface NodeSpec {
  name: string;
  role: NodeRole;
  /** Worker pool name, or "control-plane". */
  pool: string;
  /** Position in its pool (0-based); the first control plane runs `kubeadm init`. */
  index: number;
  address: string;
  cpus: number;
  memoryMiB: number;
  diskGiB: number;
  dataDiskGiB?: number;
  labels: Record<string, string>;
  taints: Taint[];
}

export interface EndpointSpec {
  mode: ClusterConfig["endpoint"]["mode"];
  /** What clients dial: the DNS name when given, else the VIP. */
  host: string;
  port: number;
  vip?: string;
  dnsName?: string;
}

/** Bytes each encapsulation adds on top of the pod packet (outer Ethernet + IP + UDP + header). */
export const ENCAPSULATION_OVERHEAD: Record<ClusterConfig["addons"]["cni"]["mode"], number> = {
  vxlan: 50,
  geneve: 50,
  ipip: 20,
  native: 0,
};

export interface ClusterSpec extends ClusterConfig {
  nodes: NodeSpec[];
  controlPlanes: NodeSpec[];
  workers: NodeSpec[];
  apiEndpoint: EndpointSpec;
  /** Pod MTU the CNI is configured with. */
  cniMtu: number;
  /** Whether kube-proxy runs (off when Cilium replaces it). */
  kubeProxyEnabled: boolean;
  /** The no_proxy list every proxied component gets (empty without a proxy). */
  noProxy: string[];
}

export function defaultNodeName(cluster: string, pool: string, index: number): string {
  return `${cluster}-${pool}-${index + 1}`;
}

export function nodesOf(config: ClusterConfig): NodeSpec[] {
  const cp = config.controlPlane;
  const controlPlanes: NodeSpec[] = cp.addresses.map((address, index) => ({
    name: cp.names?.[index] ?? defaultNodeName(config.name, "cp", index),
    role: "control-plane",
    pool: "control-plane",
    index,
    address,
    cpus: cp.cpus,
    memoryMiB: cp.memoryMiB,
    diskGiB: cp.diskGiB,
    labels: {},
    taints: [],
  }));
  const workers: NodeSpec[] = config.workerPools.flatMap((pool) =>
    pool.addresses.map((address, index) => ({
      name: pool.names?.[index] ?? defaultNodeName(config.name, pool.name, index),
      role: "worker" as const,
      pool: pool.name,
      index,
      address,
      cpus: pool.cpus,
      memoryMiB: pool.memoryMiB,
      diskGiB: pool.diskGiB,
      dataDiskGiB: pool.dataDiskGiB,
      labels: pool.labels,
      taints: pool.taints,
    })),
  );
  return [...controlPlanes, ...workers];
}

export function apiEndpointOf(config: ClusterConfig): EndpointSpec {
  const { mode, vip, dnsName, port } = config.endpoint;
  return {
    mode,
    host: dnsName ?? vip ?? "",
    port: port ?? (mode === "keepalived-haproxy" ? 8443 : 6443),
    vip,
    dnsName,
  };
}

export function kubeProxyEnabledOf(config: ClusterConfig): boolean {
  if (config.kubernetes.kubeProxy !== undefined) return config.kubernetes.kubeProxy;
  return !cniReplacesKubeProxy(config);
}

export function cniReplacesKubeProxy(config: ClusterConfig): boolean {
  const cni = config.addons.cni;
  return cni.type === "cilium" && (cni.kubeProxyReplacement ?? true);
}

/** Calico's IPAM block size (IPPool blockSize): each node takes /26 blocks of the pod CIDR. */
export const CALICO_BLOCK_SIZE = 26;

/**
 * The mask of the block each node takes from the pod CIDR: Calico's block size, or Cilium's
 * cluster-pool mask size (a /24 per node, narrower only when the pod CIDR itself is that small).
 */
export function podBlockMaskOf(config: Pick<ClusterConfig, "addons" | "kubernetes">): number {
  if (config.addons.cni.type === "calico") return CALICO_BLOCK_SIZE;
  return Math.max(24, prefixLength(config.kubernetes.podCidr) + 1);
}

export function cniMtuOf(config: ClusterConfig): number {
  return config.addons.cni.mtu ?? config.network.mtu - ENCAPSULATION_OVERHEAD[config.addons.cni.mode];
}

/**
 * Everything cluster components must reach without the proxy (seed 000, T-035: kubelet talking
 * to the API through the proxy). The user's own entries come first, then what the cluster needs.
 */
export function requiredNoProxy(config: ClusterConfig): string[] {
  const endpoint = apiEndpointOf(config);
  return [
    "localhost",
    "127.0.0.1",
    endpoint.vip,
    endpoint.dnsName,
    config.network.subnet,
    ...nodesOf(config).flatMap((node) => [node.address, node.name]),
    config.kubernetes.podCidr,
    config.kubernetes.serviceCidr,
    ".svc",
    `.${config.kubernetes.clusterDomain}`,
  ].filter((entry): entry is string => Boolean(entry));
}

export function effectiveNoProxy(config: ClusterConfig): string[] {
  if (!config.proxy) return [];
  const entries = config.proxy.extendNoProxy
    ? [...config.proxy.noProxy, ...requiredNoProxy(config)]
    : config.proxy.noProxy;
  return [...new Set(entries)];
}

export function toClusterSpec(config: ClusterConfig): ClusterSpec {
  const nodes = nodesOf(config);
  return {
    ...config,
    nodes,
    controlPlanes: nodes.filter((node) => node.role === "control-plane"),
    workers: nodes.filter((node) => node.role === "worker"),
    apiEndpoint: apiEndpointOf(config),
    cniMtu: cniMtuOf(config),
    kubeProxyEnabled: kubeProxyEnabledOf(config),
    noProxy: effectiveNoProxy(config),
  };
}

/**
 * The same description with another Kubernetes version: what a node installed at that version
 * (or the cluster initialised at it) was rendered from (stacks/upgrade.ts).
 */
export function specAtVersion<T extends { kubernetes: { version: string } }>(spec: T, version: string): T {
  return version === spec.kubernetes.version ? spec : { ...spec, kubernetes: { ...spec.kubernetes, version } };
}
