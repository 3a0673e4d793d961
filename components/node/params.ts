// Parameter contract of the node-preparation scripts (components/node/scripts/*.sh).
// Pure: typed inputs -> environment variables (all strings); components/remote/env.ts quotes
// them. List formats: HOSTS_ENTRIES and REGISTRY_MIRRORS are newline-joined lines;
// PROXY_NO_PROXY, TIME_SERVERS and FIREWALL_PORTS are comma-joined.
import { maskSecrets, type ScriptEnv } from "../remote/env";
import { ruleApplies, type PortRole, type PortRule } from "../../stacks/ports";

export type OsFamily = "apt" | "dnf";
export type SelinuxMode = "enforcing" | "permissive" | "disabled";
// The sandbox and the scripts' tests take the environment type from here.
export type { ScriptEnv } from "../remote/env";

export interface WaitCloudInitParams {
  timeoutSeconds?: number;
}

export interface HostEntry {
  ip: string;
  names: string[];
}

export interface BaseParams {
  hostname: string;
  /** All nodes and the API name; written as a managed block in /etc/hosts. */
  hosts: HostEntry[];
  timeSync?: "chrony" | "timesyncd" | "none";
  timeServers?: string[];
}

export interface ProxyParams {
  mode: "present" | "absent";
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string[];
}

export interface ContainerdParams {
  source?: "distro" | "repo";
  repoUrl?: string;
  repoKeyUrl?: string;
  sandboxImage: string;
  /** registry host -> mirror endpoints, e.g. { "docker.io": ["https://mirror:5000"] } */
  registryMirrors?: Record<string, string[]>;
}

export interface KubernetesPackagesParams {
  /** Exact version, e.g. "1.30.14". */
  version: string;
  repoUrl?: string;
  /** ASCII-armored signing key as data (wins over repoKeyUrl). */
  repoKey?: string;
  repoKeyUrl?: string;
  repoRetries?: number;
  repoRetryDelaySeconds?: number;
}

export interface ImagesParams {
  /** Exact version, e.g. "1.34.4": kubeadm lists the images of this version. */
  kubernetesVersion: string;
  /** kubernetes.imageRepository (a mirror of registry.k8s.io), when set. */
  imageRepository?: string;
  /** A control plane pulls every image kubeadm lists; a worker the pause image (every Pod's sandbox). */
  role: NodeRole;
  /** Whether the cluster runs kube-proxy (not where Cilium replaces it). */
  kubeProxy: boolean;
  /** More images to pull, e.g. add-on images the description names. */
  extraImages?: string[];
}

export interface FirewallParams {
  mode: "firewalld" | "disabled";
  ports: string[];
  zone?: string;
  selinuxMode?: string;
  haproxyOnNode?: boolean;
  /** IP protocols to accept by name, e.g. ["vrrp"] where keepalived runs, ["ipip"] for Calico IP-in-IP. */
  protocols?: string[];
  /**
   * The CNI's interfaces (firewalld wildcards such as cali+) and the pod CIDR: a zone of their own
   * that accepts pod traffic, and policies that forward to and from it.
   */
  podNetwork?: { interfaces: string[]; sources: string[] };
}

/** Drop undefined entries so a script sees its own default. */
function compact(env: Record<string, string | undefined>): ScriptEnv {
  const out: ScriptEnv = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

function noNewline(field: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`${field}: must be a single line, got ${JSON.stringify(maskSecrets(value))}`);
  return value;
}

function noComma(field: string, values: string[]): string[] {
  for (const v of values) if (v.includes(",") || /\s/.test(v)) throw new Error(`${field}: entry ${JSON.stringify(v)} must not contain commas or spaces`);
  return values;
}

export function waitCloudInitEnv(p: WaitCloudInitParams = {}): ScriptEnv {
  return compact({ CLOUD_INIT_TIMEOUT_SECONDS: p.timeoutSeconds?.toString() });
}

export function baseEnv(p: BaseParams): ScriptEnv {
  const lines = p.hosts.map((h, i) => {
    if (h.names.length === 0) throw new Error(`hosts[${i}].names: at least one name is required for ${h.ip}`);
    return [h.ip, ...h.names].map((v) => noNewline(`hosts[${i}]`, v)).join(" ");
  });
  return compact({
    NODE_HOSTNAME: noNewline("hostname", p.hostname),
    HOSTS_ENTRIES: lines.join("\n"),
    TIME_SYNC: p.timeSync,
    TIME_SERVERS: p.timeServers && noComma("timeServers", p.timeServers).join(","),
  });
}

export function proxyEnv(p: ProxyParams): ScriptEnv {
  if (p.mode === "absent") return { PROXY_MODE: "absent" };
  if (!p.httpProxy) throw new Error("proxy.httpProxy: required when proxy mode is present");
  return compact({
    PROXY_MODE: "present",
    PROXY_HTTP: noNewline("proxy.httpProxy", p.httpProxy),
    PROXY_HTTPS: p.httpsProxy && noNewline("proxy.httpsProxy", p.httpsProxy),
    PROXY_NO_PROXY: noComma("proxy.noProxy", p.noProxy ?? []).join(","),
  });
}

export function containerdEnv(p: ContainerdParams): ScriptEnv {
  const mirrors = Object.entries(p.registryMirrors ?? {}).map(
    ([registry, urls]) => `${noNewline("registryMirrors", registry)}=${noComma(`registryMirrors.${registry}`, urls).join(",")}`,
  );
  return compact({
    CONTAINERD_SOURCE: p.source,
    CONTAINERD_REPO_URL: p.repoUrl,
    CONTAINERD_REPO_KEY_URL: p.repoKeyUrl,
    SANDBOX_IMAGE: noNewline("sandboxImage", p.sandboxImage),
    REGISTRY_MIRRORS: mirrors.length ? mirrors.join("\n") : undefined,
  });
}

export function kubernetesPackagesEnv(p: KubernetesPackagesParams): ScriptEnv {
  if (!/^\d+\.\d+\.\d+$/.test(p.version)) throw new Error(`kubernetes.version: "${p.version}" is not <major>.<minor>.<patch>, e.g. 1.30.14`);
  return compact({
    KUBERNETES_VERSION: p.version,
    KUBERNETES_REPO_URL: p.repoUrl,
    KUBERNETES_REPO_KEY: p.repoKey,
    KUBERNETES_REPO_KEY_URL: p.repoKeyUrl,
    KUBERNETES_REPO_RETRIES: p.repoRetries?.toString(),
    KUBERNETES_REPO_RETRY_DELAY_SECONDS: p.repoRetryDelaySeconds?.toString(),
  });
}

export function imagesEnv(p: ImagesParams): ScriptEnv {
  if (!/^\d+\.\d+\.\d+$/.test(p.kubernetesVersion)) throw new Error(`kubernetes.version: "${p.kubernetesVersion}" is not <major>.<minor>.<patch>, e.g. 1.34.4`);
  for (const image of p.extraImages ?? []) {
    if (!/^[^\s]+$/.test(image)) throw new Error(`image "${image}": an image reference has no whitespace`);
  }
  return compact({
    IMAGES_KUBERNETES_VERSION: p.kubernetesVersion,
    IMAGES_REPOSITORY: p.imageRepository,
    IMAGES_ROLE: p.role,
    IMAGES_KUBE_PROXY: String(p.kubeProxy),
    IMAGES_EXTRA: p.extraImages?.length ? p.extraImages.join(" ") : undefined,
  });
}

export function firewallEnv(p: FirewallParams): ScriptEnv {
  for (const port of p.ports) {
    if (!/^\d+(-\d+)?\/(tcp|udp)$/.test(port)) throw new Error(`firewall.ports: "${port}" is not <port>[-<port>]/<tcp|udp>`);
  }
  for (const protocol of p.protocols ?? []) {
    if (!/^[a-z][a-z0-9-]*$/.test(protocol)) throw new Error(`firewall.protocols: "${protocol}" is not a protocol name such as vrrp`);
  }
  for (const name of p.podNetwork?.interfaces ?? []) {
    if (!/^[A-Za-z0-9_.-]{1,14}\+?$/.test(name)) throw new Error(`firewall.podNetwork.interfaces: "${name}" is not an interface name (a trailing + matches a prefix)`);
  }
  for (const source of p.podNetwork?.sources ?? []) {
    if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(source)) throw new Error(`firewall.podNetwork.sources: "${source}" is not an IPv4 CIDR`);
  }
  return compact({
    FIREWALL_MODE: p.mode,
    FIREWALL_PORTS: p.ports.join(","),
    FIREWALL_PROTOCOLS: p.protocols?.length ? p.protocols.join(",") : undefined,
    FIREWALL_POD_INTERFACES: p.podNetwork ? noComma("firewall.podNetwork.interfaces", p.podNetwork.interfaces).join(",") : undefined,
    FIREWALL_POD_SOURCES: p.podNetwork ? noComma("firewall.podNetwork.sources", p.podNetwork.sources).join(",") : undefined,
    FIREWALL_ZONE: p.zone,
    SELINUX_MODE: p.selinuxMode === undefined ? undefined : normaliseSelinuxMode(p.selinuxMode),
    HAPROXY_ON_NODE: p.haproxyOnNode ? "true" : "false",
  });
}

export function normaliseSelinuxMode(value: string, field = "selinux.mode"): SelinuxMode {
  const mode = String(value).trim().toLowerCase();
  if (mode === "enforcing" || mode === "permissive" || mode === "disabled") return mode;
  throw new Error(`${field}: invalid SELinux mode ${JSON.stringify(value)}; expected Enforcing, Permissive or Disabled (case-insensitive)`);
}

export type NodeRole = Exclude<PortRole, "any">;

/**
 * firewalld entries a node must accept, sorted, e.g. ["10250/tcp", "6443/tcp"].
 * The rules come from stacks/ports.ts requiredPorts(spec), the one port list shared with the
 * NSX rules and checklists, so the node firewall cannot disagree with them.
 */
export function firewallPortsFor(rules: PortRule[], node: { role: NodeRole; name: string }): string[] {
  const ports = new Set<string>();
  for (const rule of rules) {
    if (!ruleApplies(rule, node) || !(rule.protocol === "tcp" || rule.protocol === "udp")) continue;
    const entry = `${rule.port}/${rule.protocol}`;
    if (!/^\d+(-\d+)?\/(tcp|udp)$/.test(entry)) throw new Error(`port rule "${rule.purpose}": ${JSON.stringify(entry)} is not <port>[-<port>]/<tcp|udp>`);
    ports.add(entry);
  }
  return [...ports].sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b));
}

/** IP protocols (no ports) the node must accept, from the same list: vrrp, ipip. */
export function firewallProtocolsFor(rules: PortRule[], node: { role: NodeRole; name: string }): string[] {
  const protocols = rules.filter((rule) => ruleApplies(rule, node) && rule.protocol !== "tcp" && rule.protocol !== "udp").map((rule) => rule.protocol);
  return [...new Set(protocols)].sort();
}

/** "1.30" from "1.30", "v1.30" or "1.30.14". */
export function kubernetesMinor(version: string): string {
  const m = /^v?(\d+)\.(\d+)(\.\d+)?$/.exec(version.trim());
  if (!m) throw new Error(`kubernetes.version: "${version}" is not a Kubernetes version like 1.30 or 1.30.14`);
  return `${m[1]}.${m[2]}`;
}

/**
 * pkgs.k8s.io repository URL for the minor, or the same layout under a mirror root
 * (e.g. "https://mirror.local/k8s" -> "https://mirror.local/k8s/core:/stable:/v1.30/deb/").
 */
export function kubernetesRepoUrl(family: OsFamily, minor: string, mirror?: string): string {
  const root = (mirror ?? "https://pkgs.k8s.io").replace(/\/+$/, "");
  return `${root}/core:/stable:/v${kubernetesMinor(minor)}/${family === "apt" ? "deb" : "rpm"}/`;
}

/** Where pkgs.k8s.io (and a mirror of it) publishes the signing key for that repository. */
export function kubernetesRepoKeyUrl(family: OsFamily, repoUrl: string): string {
  const base = repoUrl.endsWith("/") ? repoUrl : `${repoUrl}/`;
  return family === "apt" ? `${base}Release.key` : `${base}repodata/repomd.xml.key`;
}
