// Renders kubeadm configuration files (multi-document YAML) from typed parameters.
//
// - The first control plane gets InitConfiguration + ClusterConfiguration + KubeletConfiguration
//   (+ KubeProxyConfiguration only when kube-proxy runs).
// - Other control planes and workers get a JoinConfiguration. Control-plane joins carry a
//   `controlPlane` section WITHOUT certificateKey: Pulumi pre-places the shared PKI in
//   /etc/kubernetes/pki, so nothing depends on `--upload-certs` and its 2-hour TTL.
// - The bootstrap token is rendered as the placeholder `${KUBEADM_TOKEN}` (see ../remote/placeholders.ts);
//   the node script substitutes it from an environment variable, so the token never appears
//   in a rendered artifact.
import * as ipaddr from "ipaddr.js";
import { stringify } from "yaml";
import { secretPlaceholder } from "../remote/placeholders";
import { KUBEADM_TOKEN_ENV } from "./placeholders";
import { kubeadmApiVersion, parseKubernetesVersion, type KubeadmApiVersion } from "./version";
import { componentSection, type Arg, type ControlPlaneComponentsParams } from "./config-components";

export { kubeadmApiVersion, parseKubernetesVersion, type KubeadmApiVersion } from "./version";
export type { ControlPlaneComponentsParams, HostPathMount } from "./config-components";

export const KUBEADM_TOKEN_PLACEHOLDER = secretPlaceholder(KUBEADM_TOKEN_ENV);

export const CONTAINERD_CRI_SOCKET = "unix:///run/containerd/containerd.sock";
export const DEFAULT_API_SERVER_BIND_PORT = 6443;
export const DEFAULT_BOOTSTRAP_TOKEN_TTL = "24h0m0s";

export interface ApiEndpoint {
  /** IP address or DNS name. */
  host: string;
  port: number;
}

export interface NodeTaint {
  key: string;
  value?: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

export interface KubeadmNodeParams {
  /** Node name registered in the API; must match the VM's hostname plan. */
  name: string;
  /** The node's primary address: kubelet --node-ip, and the apiserver advertise address on control planes. */
  address: string;
  /** Defaults to containerd's socket. */
  criSocket?: string;
  /**
   * Undefined keeps kubeadm's default (control-plane taint on control planes, none on workers);
   * an empty list removes every taint (e.g. control planes that also run workloads).
   */
  taints?: NodeTaint[];
  /** Further kubelet flags without the leading "--"; node-ip is always set from `address`. */
  kubeletExtraArgs?: Record<string, string>;
}

export interface KubeadmNetworkingParams {
  podSubnet: string;
  serviceSubnet: string;
  /** Defaults to kubeadm's "cluster.local". */
  dnsDomain?: string;
}

export type KubeProxyParams =
  | { enabled: true; mode?: "iptables" | "ipvs" | "nftables" }
  /** The CNI replaces kube-proxy (e.g. Cilium kubeProxyReplacement): kubeadm skips the addon. */
  | { enabled: false };

export interface KubeletParams {
  /** Kubelet requests its serving certificate from the API (needs an approver, e.g. for metrics-server). */
  serverTLSBootstrap?: boolean;
  /** Overrides the DNS servers handed to pods, e.g. the NodeLocal DNSCache link-local address. */
  clusterDNS?: string[];
}

export interface KubeadmInitParams {
  kubernetesVersion: string;
  clusterName?: string;
  /** Where every kubeconfig points: the VIP (or its DNS name) and the endpoint's port. */
  controlPlaneEndpoint: ApiEndpoint;
  /** The VIP address and its DNS name; both go into the apiserver certificate. */
  vip?: string;
  vipDnsName?: string;
  /** Addresses of every control plane, so each apiserver is reachable directly with TLS. */
  controlPlaneAddresses: string[];
  extraCertSans?: string[];
  node: KubeadmNodeParams;
  /** Port the local apiserver binds; defaults to 6443. */
  apiServerBindPort?: number;
  networking: KubeadmNetworkingParams;
  /** Registry mirror for control-plane images, e.g. "registry.example.com/k8s". */
  imageRepository?: string;
  kubeProxy: KubeProxyParams;
  kubelet?: KubeletParams;
  /** Lifetime of the bootstrap token created at init; defaults to 24h0m0s. */
  bootstrapTokenTtl?: string;
  /** Flags and mounts of the apiserver, controller-manager, scheduler and etcd (components/kubeadm/hardening.ts). */
  components?: ControlPlaneComponentsParams;
  /**
   * No bootstrap token: the configuration kubeadm's phases read on a running control plane
   * (settings.ts) rewrite manifests and upload the configuration; they create no token.
   */
  withoutBootstrapToken?: boolean;
}

export interface KubeadmJoinParams {
  kubernetesVersion: string;
  /** API endpoint used for discovery and TLS bootstrap (the control-plane endpoint). */
  apiServerEndpoint: ApiEndpoint;
  /** `sha256:<hex>` pins of the cluster CA, from discoveryTokenCaCertHash. */
  caCertHashes: string[];
  /**
   * File discovery instead of token discovery: a kubeconfig at this path on the node carries the
   * cluster CA and the apiserver to use, and the bootstrap token goes in `tlsBootstrapToken`.
   * Used by the endpoint fallback: with token discovery kubeadm would take the server for the
   * TLS bootstrap from the cluster-info ConfigMap (the controlPlaneEndpoint, i.e. the VIP that
   * does not answer), while a discovery file's server is kept for the whole join.
   */
  discoveryFile?: string;
  node: KubeadmNodeParams;
  /** Present for control-plane joins: this node runs an apiserver and an etcd member. */
  controlPlane?: {
    /** Port the local apiserver binds; defaults to 6443. */
    apiServerBindPort?: number;
  };
}

/** Canonical form for comparison: compressed IPv6, lower-case DNS names. */
function canonicalHost(host: string): string {
  const trimmed = host.trim();
  if (ipaddr.isValid(trimmed)) return ipaddr.parse(trimmed).toString();
  return trimmed.toLowerCase();
}

/** host:port, with IPv6 literals bracketed as kubeadm expects. */
export function formatApiEndpoint(endpoint: ApiEndpoint): string {
  if (!Number.isInteger(endpoint.port) || endpoint.port < 1 || endpoint.port > 65535) {
    throw new Error(`invalid port ${endpoint.port} for API endpoint ${endpoint.host}`);
  }
  const host = canonicalHost(endpoint.host);
  const bracketed = ipaddr.IPv6.isValid(host) && !ipaddr.IPv4.isValid(host) ? `[${host}]` : host;
  return `${bracketed}:${endpoint.port}`;
}

/**
 * apiserver certificate SANs: the endpoint host, VIP, its DNS name, every control-plane address,
 * then extras; deduplicated in that order. kubeadm adds the node's own names and the
 * kubernetes Service IP by itself.
 */
export function apiServerCertSans(params: Pick<
  KubeadmInitParams,
  "controlPlaneEndpoint" | "vip" | "vipDnsName" | "controlPlaneAddresses" | "extraCertSans"
>): string[] {
  const all = [
    params.controlPlaneEndpoint.host,
    params.vip,
    params.vipDnsName,
    ...params.controlPlaneAddresses,
    ...(params.extraCertSans ?? []),
  ].filter((san): san is string => san !== undefined && san.trim() !== "");
  return [...new Set(all.map(canonicalHost))];
}


function kubeletExtraArgs(apiVersion: KubeadmApiVersion, node: KubeadmNodeParams): Arg[] | Record<string, string> {
  const extra = node.kubeletExtraArgs ?? {};
  if ("node-ip" in extra) throw new Error(`node ${node.name}: set node-ip through node.address, not kubeletExtraArgs`);
  const args: Arg[] = [
    { name: "node-ip", value: canonicalHost(node.address) },
    ...Object.keys(extra)
      .sort()
      .map((name) => ({ name, value: extra[name]! })),
  ];
  // v1beta4 made extra args an ordered list of {name, value}; v1beta3 takes a map.
  if (apiVersion === "kubeadm.k8s.io/v1beta4") return args;
  return Object.fromEntries(args.map((arg) => [arg.name, arg.value]));
}

function nodeRegistration(apiVersion: KubeadmApiVersion, node: KubeadmNodeParams): Record<string, unknown> {
  if (!node.name.trim()) throw new Error("node name must not be empty");
  if (!ipaddr.isValid(node.address.trim())) throw new Error(`node ${node.name}: address ${node.address} is not an IP address`);
  const registration: Record<string, unknown> = {
    name: node.name,
    criSocket: node.criSocket ?? CONTAINERD_CRI_SOCKET,
    kubeletExtraArgs: kubeletExtraArgs(apiVersion, node),
  };
  if (node.taints !== undefined) {
    registration.taints = node.taints.map((taint) => ({
      key: taint.key,
      ...(taint.value !== undefined ? { value: taint.value } : {}),
      effect: taint.effect,
    }));
  }
  return registration;
}

function localApiEndpoint(node: KubeadmNodeParams, bindPort: number | undefined): Record<string, unknown> {
  return { advertiseAddress: canonicalHost(node.address), bindPort: bindPort ?? DEFAULT_API_SERVER_BIND_PORT };
}

function renderDocuments(documents: Record<string, unknown>[]): string {
  return documents.map((doc) => stringify(doc, { lineWidth: 0 })).join("---\n");
}

/** kubeadm's phase name for the kube-proxy addon, skipped when the CNI replaces kube-proxy. */
export const KUBE_PROXY_ADDON_PHASE = "addon/kube-proxy";

/** Config for `kubeadm init --config` on the first control plane. */
export function renderKubeadmInitConfig(params: KubeadmInitParams): string {
  const version = parseKubernetesVersion(params.kubernetesVersion);
  const apiVersion = kubeadmApiVersion(params.kubernetesVersion);

  const init: Record<string, unknown> = {
    apiVersion,
    kind: "InitConfiguration",
    ...(params.withoutBootstrapToken
      ? {}
      : {
          bootstrapTokens: [
            {
              token: KUBEADM_TOKEN_PLACEHOLDER,
              ttl: params.bootstrapTokenTtl ?? DEFAULT_BOOTSTRAP_TOKEN_TTL,
              usages: ["signing", "authentication"],
              groups: ["system:bootstrappers:kubeadm:default-node-token"],
            },
          ],
        }),
    nodeRegistration: nodeRegistration(apiVersion, params.node),
    localAPIEndpoint: localApiEndpoint(params.node, params.apiServerBindPort),
  };
  if (!params.kubeProxy.enabled) init.skipPhases = [KUBE_PROXY_ADDON_PHASE];

  const cluster: Record<string, unknown> = {
    apiVersion,
    kind: "ClusterConfiguration",
    ...(params.clusterName ? { clusterName: params.clusterName } : {}),
    kubernetesVersion: version.tag,
    controlPlaneEndpoint: formatApiEndpoint(params.controlPlaneEndpoint),
    ...(params.imageRepository ? { imageRepository: params.imageRepository } : {}),
    networking: {
      podSubnet: params.networking.podSubnet,
      serviceSubnet: params.networking.serviceSubnet,
      ...(params.networking.dnsDomain ? { dnsDomain: params.networking.dnsDomain } : {}),
    },
    apiServer: { certSANs: apiServerCertSans(params), ...componentSection(apiVersion, params.components?.apiServer?.extraArgs, params.components?.apiServer?.extraVolumes) },
  };
  const components = params.components ?? {};
  const controllerManager = componentSection(apiVersion, components.controllerManager?.extraArgs);
  if (Object.keys(controllerManager).length > 0) cluster.controllerManager = controllerManager;
  const scheduler = componentSection(apiVersion, components.scheduler?.extraArgs);
  if (Object.keys(scheduler).length > 0) cluster.scheduler = scheduler;
  const etcd = componentSection(apiVersion, components.etcd?.extraArgs);
  if (Object.keys(etcd).length > 0) cluster.etcd = { local: etcd };

  const kubelet: Record<string, unknown> = {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    // containerd on systemd hosts uses the systemd cgroup driver; kubelet must match it.
    cgroupDriver: "systemd",
    // kubeadm's defaults, stated so no change of them goes unnoticed: no anonymous requests to
    // :10250, every request authorised by the apiserver, client certificates rotated.
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true } },
    authorization: { mode: "Webhook" },
    rotateCertificates: true,
    ...(params.kubelet?.serverTLSBootstrap ? { serverTLSBootstrap: true } : {}),
    ...(params.kubelet?.clusterDNS?.length ? { clusterDNS: params.kubelet.clusterDNS.map(canonicalHost) } : {}),
  };

  const documents = [init, cluster, kubelet];
  if (params.kubeProxy.enabled) {
    documents.push({
      apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
      kind: "KubeProxyConfiguration",
      clusterCIDR: params.networking.podSubnet,
      ...(params.kubeProxy.mode ? { mode: params.kubeProxy.mode } : {}),
    });
  }
  return renderDocuments(documents);
}

const CA_CERT_HASH = /^sha256:[0-9a-f]{64}$/;

/** Config for `kubeadm join --config` on further control planes (with `controlPlane`) and workers. */
export function renderKubeadmJoinConfig(params: KubeadmJoinParams): string {
  parseKubernetesVersion(params.kubernetesVersion);
  const apiVersion = kubeadmApiVersion(params.kubernetesVersion);
  // Joining without a CA pin would trust whoever answers at the endpoint.
  if (params.caCertHashes.length === 0) throw new Error("caCertHashes must pin at least one CA");
  for (const hash of params.caCertHashes) {
    if (!CA_CERT_HASH.test(hash)) throw new Error(`caCertHash ${hash} is not sha256:<64 hex digits>`);
  }

  if (params.discoveryFile !== undefined && !params.discoveryFile.startsWith("/")) {
    throw new Error(`discoveryFile ${params.discoveryFile} must be an absolute path on the node`);
  }
  const discovery =
    params.discoveryFile !== undefined
      ? { file: { kubeConfigPath: params.discoveryFile }, tlsBootstrapToken: KUBEADM_TOKEN_PLACEHOLDER }
      : {
          bootstrapToken: {
            apiServerEndpoint: formatApiEndpoint(params.apiServerEndpoint),
            token: KUBEADM_TOKEN_PLACEHOLDER,
            caCertHashes: [...params.caCertHashes],
          },
        };
  const join: Record<string, unknown> = {
    apiVersion,
    kind: "JoinConfiguration",
    nodeRegistration: nodeRegistration(apiVersion, params.node),
    discovery,
  };
  if (params.controlPlane) {
    // No certificateKey: certificates are already on disk, placed by Pulumi before the join.
    join.controlPlane = { localAPIEndpoint: localApiEndpoint(params.node, params.controlPlane.apiServerBindPort) };
  }
  return renderDocuments([join]);
}
