// The parameters of the control plane's steps, from the description alone: kubeadm's init and
// join configurations, the join fallback, and the labels and taints a membership sets. Pure.
import type { ClusterSpec, NodeSpec } from "../../stacks/spec";
import { DEFAULT_API_SERVER_BIND_PORT, renderKubeadmInitConfig, renderKubeadmJoinConfig, type KubeadmInitParams, type KubeadmNodeParams } from "./config";
import { controlPlaneComponentsOf } from "./hardening";
import { renderDiscoveryKubeconfig } from "./kubeconfig";
import { kubeletClusterDns, kubeletServerTlsBootstrap, kubeletUsesExternalCloudProvider } from "./kubelet";

/** Lifetime a token step gives the bootstrap token when it (re)creates it. */
export const BOOTSTRAP_TOKEN_TTL_SECONDS = 2 * 60 * 60;

/** Where a join that falls back writes its discovery file (removed again when the join ends). */
export const DISCOVERY_FALLBACK_KUBECONFIG_PATH = "/run/onprem-k8s-discovery-fallback.conf";

/** Kubelet flags every node gets: kubernetes.kubelet.extraArgs, `cloud-provider: external` when an out-of-tree CPI runs. */
export function kubeletExtraArgsOf(spec: ClusterSpec): Record<string, string> | undefined {
  const args: Record<string, string> = { ...(spec.kubernetes.kubelet?.extraArgs ?? {}) };
  if (kubeletUsesExternalCloudProvider(spec)) args["cloud-provider"] = "external";
  return Object.keys(args).length > 0 ? args : undefined;
}

export function kubeadmNodeParams(spec: ClusterSpec, node: NodeSpec): KubeadmNodeParams {
  const kubeletExtraArgs = kubeletExtraArgsOf(spec);
  return {
    name: node.name,
    address: node.address,
    // Workers carry their pool's taints; control planes keep kubeadm's default taint.
    ...(node.role === "worker" ? { taints: node.taints } : {}),
    ...(kubeletExtraArgs ? { kubeletExtraArgs } : {}),
  };
}

export function initConfigOf(spec: ClusterSpec): string {
  const first = spec.controlPlanes[0];
  if (!first) throw new Error("a cluster needs at least one control plane");
  return renderKubeadmInitConfig(initParamsOf(spec, first));
}

/**
 * What kubeadm's phases read on a running control plane (settings.ts): the cluster's
 * configuration with this control plane's own registration and advertise address, no token.
 */
export function phaseConfigOf(spec: ClusterSpec, node: NodeSpec): string {
  if (node.role !== "control-plane") throw new Error(`${node.name} is not a control plane`);
  return renderKubeadmInitConfig({ ...initParamsOf(spec, node), withoutBootstrapToken: true });
}

function initParamsOf(spec: ClusterSpec, node: NodeSpec): KubeadmInitParams {
  return {
    kubernetesVersion: spec.kubernetes.version,
    clusterName: spec.name,
    controlPlaneEndpoint: { host: spec.apiEndpoint.host, port: spec.apiEndpoint.port },
    vip: spec.apiEndpoint.vip,
    vipDnsName: spec.apiEndpoint.dnsName,
    // The first control plane's own address only: kubeadm puts each apiserver's own advertise
    // address into its certificate, and a list of every control plane would change init's
    // parameters (and re-run it) whenever one is added or removed (docs/growth.md). The settings
    // steps' phase configuration keeps the same list: the ClusterConfiguration they upload is init's.
    controlPlaneAddresses: [spec.controlPlanes[0]!.address],
    node: kubeadmNodeParams(spec, node),
    networking: { podSubnet: spec.kubernetes.podCidr, serviceSubnet: spec.kubernetes.serviceCidr, dnsDomain: spec.kubernetes.clusterDomain },
    imageRepository: spec.kubernetes.imageRepository,
    kubeProxy: spec.kubeProxyEnabled ? { enabled: true } : { enabled: false },
    kubelet: { serverTLSBootstrap: kubeletServerTlsBootstrap(spec), clusterDNS: [kubeletClusterDns(spec)] },
    components: controlPlaneComponentsOf(spec),
  };
}

/** The JoinConfiguration through the API endpoint, or with `discoveryFile` the fallback's. */
export function joinConfigOf(spec: ClusterSpec, node: NodeSpec, discoveryHash: string, discoveryFile?: string): string {
  return renderKubeadmJoinConfig({
    kubernetesVersion: spec.kubernetes.version,
    apiServerEndpoint: { host: spec.apiEndpoint.host, port: spec.apiEndpoint.port },
    caCertHashes: [discoveryHash],
    node: kubeadmNodeParams(spec, node),
    ...(discoveryFile !== undefined ? { discoveryFile } : {}),
    ...(node.role === "control-plane" ? { controlPlane: {} } : {}),
  });
}

/**
 * Both ways a node can join (seed 000, T-039), as join.sh's parameters: through the API endpoint
 * (KUBEADM_CONFIG), or, when the endpoint does not answer from the node but the first control
 * plane's apiserver does, through that apiserver (KUBEADM_CONFIG_FALLBACK with file discovery of
 * DISCOVERY_KUBECONFIG). controlPlaneEndpoint stays the endpoint in the cluster's configuration;
 * only the server this join talks to changes. Public (the token stays a placeholder).
 */
export function joinParametersOf(spec: ClusterSpec, node: NodeSpec, discoveryHash: string, caCertPem: string): Record<string, string> {
  const first = spec.controlPlanes[0];
  if (!first) throw new Error("a cluster needs at least one control plane");
  if (node.name === first.name) throw new Error(`${node.name} is the first control plane: it runs kubeadm init, not join`);
  return {
    KUBEADM_CONFIG: joinConfigOf(spec, node, discoveryHash),
    FALLBACK_API_HOST: first.address,
    KUBEADM_CONFIG_FALLBACK: joinConfigOf(spec, node, discoveryHash, DISCOVERY_FALLBACK_KUBECONFIG_PATH),
    DISCOVERY_KUBECONFIG: renderDiscoveryKubeconfig({ clusterName: spec.name, server: { host: first.address, port: DEFAULT_API_SERVER_BIND_PORT }, caCertPem }),
    DISCOVERY_KUBECONFIG_PATH: DISCOVERY_FALLBACK_KUBECONFIG_PATH,
  };
}

/** Labels the API must set after a join (kubelets may not set node-role.kubernetes.io/* themselves). */
export function nodeLabelsParam(node: NodeSpec): string {
  return Object.entries(node.labels)
    .map(([key, value]) => `${key}=${value}`)
    .join("\n");
}

/** Taints as `kubectl taint` takes them, one `key[=value]:effect` a line. */
export function nodeTaintsParam(node: NodeSpec): string {
  return node.taints.map((taint) => `${taint.key}${taint.value !== undefined ? `=${taint.value}` : ""}:${taint.effect}`).join("\n");
}

/**
 * The apiservers a step on the running cluster (an upgrade step, a settings step) probes when it
 * fails (CONTROL_PLANE_ADDRESSES): the first control plane's and the node's own, a worker's the
 * first's alone. Never every control plane: adding or removing one would change the parameters of
 * every such step and run them all again (docs/growth.md).
 */
export function runningClusterProbes(spec: ClusterSpec, node: string): string {
  const first = spec.controlPlanes[0];
  if (!first) throw new Error("a cluster needs at least one control plane");
  const own = spec.controlPlanes.find((cp) => cp.name === node);
  return [...new Set([first.address, ...(own ? [own.address] : [])])].join(",");
}
