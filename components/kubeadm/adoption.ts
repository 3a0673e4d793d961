// Adoption of a hand-built single-master cluster (docs/adoption.md), the pure part: what the
// running control plane's report (scripts/adopt-inspect.sh) holds, the kubeadm configuration that
// re-issues its apiserver certificate and gives kubeadm-config the endpoint (scripts/adopt-endpoint.sh),
// and the rollback commands of each phase (a plan artifact). The YAML is edited with the yaml
// library, never with sed, and refused where adoption cannot go (an external etcd).
import { parseDocument, stringify } from "yaml";
import type { ClusterSpec } from "../../stacks/spec";
import type { AdoptionReport } from "../context";
import { CONTAINERD_CRI_SOCKET, DEFAULT_API_SERVER_BIND_PORT, formatApiEndpoint } from "./config";

/** The marker lines of scripts/lib.sh (ADOPTION_BEGIN / ADOPTION_END). */
export const ADOPTION_BEGIN = "=== onprem-k8s adoption:";
export const ADOPTION_END = "=== end of adoption item ===";

/** The files the stack takes over, under /etc/kubernetes/pki. */
export const ADOPTED_PKI_FILES = ["ca.crt", "ca.key", "sa.key", "sa.pub", "front-proxy-ca.crt", "front-proxy-ca.key", "etcd/ca.crt", "etcd/ca.key"] as const;
export type AdoptedPkiFile = (typeof ADOPTED_PKI_FILES)[number];

export type { AdoptionReport } from "../context";

/** The items between the markers of adopt-inspect.sh's output; throws naming what is missing. */
export function parseAdoptionReport(stdout: string): AdoptionReport {
  const items = new Map<string, string>();
  const lines = stdout.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith(`${ADOPTION_BEGIN} `)) continue;
    const name = lines[i]!.slice(ADOPTION_BEGIN.length + 1).trim();
    const end = lines.indexOf(ADOPTION_END, i + 1);
    if (end < 0) throw new Error(`the adoption report's item ${name} has no end line`);
    items.set(name, `${lines.slice(i + 1, end).join("\n")}\n`);
    i = end;
  }
  const missing = [...ADOPTED_PKI_FILES, "ClusterConfiguration"].filter((name) => !items.has(name));
  if (missing.length > 0) throw new Error(`the adoption report lacks ${missing.join(", ")}`);
  return {
    pki: Object.fromEntries(ADOPTED_PKI_FILES.map((file) => [file, items.get(file)!])),
    clusterConfiguration: items.get("ClusterConfiguration")!,
  };
}

/** What the apiserver certificate must carry for the endpoint: its host, the VIP, its DNS name. */
export function endpointSans(spec: ClusterSpec): string[] {
  return [...new Set([spec.apiEndpoint.host, spec.apiEndpoint.vip, spec.apiEndpoint.dnsName].filter((san): san is string => !!san))];
}

/** The running cluster's ClusterConfiguration with the endpoint: controlPlaneEndpoint and the SANs added (its own kept). */
export function adoptedClusterConfiguration(spec: ClusterSpec, clusterConfiguration: string): string {
  const doc = parseDocument(clusterConfiguration);
  if (doc.errors.length > 0) throw new Error(`the cluster's ClusterConfiguration is not YAML: ${doc.errors[0]!.message}`);
  const config = (doc.toJS() ?? {}) as Record<string, any>;
  if (config.kind !== "ClusterConfiguration") throw new Error(`kubeadm-config holds kind ${String(config.kind)}, not ClusterConfiguration`);
  if (config.etcd?.external) {
    throw new Error(`the cluster uses an external etcd (${(config.etcd.external.endpoints ?? []).join(", ")}): adoption takes over a stacked etcd only`);
  }
  const sans = [...new Set([...((config.apiServer?.certSANs as string[] | undefined) ?? []), ...endpointSans(spec)])];
  const adopted = { ...config, controlPlaneEndpoint: formatApiEndpoint(spec.apiEndpoint), apiServer: { ...(config.apiServer ?? {}), certSANs: sans } };
  return stringify(adopted, { lineWidth: 0 });
}

/**
 * The --config of `kubeadm init phase certs apiserver` and `init phase upload-config kubeadm` on
 * the adopted control plane: its InitConfiguration (name and advertise address go into the
 * certificate) and the adopted ClusterConfiguration.
 */
export function adoptionKubeadmConfig(spec: ClusterSpec, clusterConfiguration: string): string {
  const cluster = adoptedClusterConfiguration(spec, clusterConfiguration);
  const apiVersion = String((parseDocument(cluster).toJS() as Record<string, unknown>).apiVersion);
  const node = spec.controlPlanes[0]!;
  const init = {
    apiVersion,
    kind: "InitConfiguration",
    nodeRegistration: { name: node.name, criSocket: CONTAINERD_CRI_SOCKET },
    localAPIEndpoint: { advertiseAddress: node.address, bindPort: DEFAULT_API_SERVER_BIND_PORT },
  };
  return `${stringify(init, { lineWidth: 0 })}---\n${cluster}`;
}

/** The rollback commands of each phase (plan artifact adoption/rollback.md), newest phase first to undo. */
export function adoptionRollback(spec: ClusterSpec): string {
  const adoption = spec.adoption;
  if (!adoption) throw new Error("the description adopts no cluster");
  const first = spec.controlPlanes[0]!;
  const backup = adoption.backupDir;
  const direct = `https://${first.address}:${DEFAULT_API_SERVER_BIND_PORT}`;
  const existing = spec.nodes.map((n) => n.name).join(" ");
  return [
    `# Rolling back the adoption of ${first.name}`,
    "",
    "Undo the phases in reverse order, from the last one that ran. Every command runs as root; the",
    `backups are in ${backup} on each node (the program never overwrites them once written).`,
    "",
    "## 5. New control planes and workers joined",
    "",
    "Remove them from the description and run `pulumi up`: they leave one at a time, the last first (docs/growth.md).",
    "",
    "## 4. Kubeconfigs moved to the endpoint (each node)",
    "",
    "```sh",
    `# on each of: ${existing}`,
    `for f in ${backup}/kubeconfigs/*.conf; do cp -p "$f" /etc/kubernetes/; done`,
    "systemctl restart kubelet",
    "# control plane only: restart the controller-manager and scheduler on their old kubeconfigs",
    "mv /etc/kubernetes/manifests/kube-controller-manager.yaml /etc/kubernetes/manifests/kube-scheduler.yaml /root/ && sleep 20 && mv /root/kube-controller-manager.yaml /root/kube-scheduler.yaml /etc/kubernetes/manifests/",
    "```",
    "",
    `## 3. The endpoint in the cluster (on ${first.name})`,
    "",
    "```sh",
    `kubectl --kubeconfig /etc/kubernetes/admin.conf --server ${direct} -n kube-public create configmap cluster-info --from-file=kubeconfig=${backup}/configmaps/kube-public-cluster-info-kubeconfig --dry-run=client -o yaml | kubectl --kubeconfig /etc/kubernetes/admin.conf --server ${direct} apply -f -`,
    `kubectl --kubeconfig /etc/kubernetes/admin.conf --server ${direct} -n kube-system create configmap kube-proxy --from-file=kubeconfig.conf=${backup}/configmaps/kube-system-kube-proxy-kubeconfig.conf --dry-run=client -o yaml | kubectl --kubeconfig /etc/kubernetes/admin.conf --server ${direct} apply -f -   # where kube-proxy runs`,
    `kubectl --kubeconfig /etc/kubernetes/admin.conf --server ${direct} -n kube-system rollout restart daemonset kube-proxy`,
    `kubeadm init phase upload-config kubeadm --config ${backup}/ClusterConfiguration.yaml`,
    `cp -p ${backup}/pki/apiserver.crt ${backup}/pki/apiserver.key /etc/kubernetes/pki/`,
    "mv /etc/kubernetes/manifests/kube-apiserver.yaml /root/ && sleep 20 && mv /root/kube-apiserver.yaml /etc/kubernetes/manifests/",
    "```",
    "",
    `## 2. The endpoint in front (on ${first.name})`,
    "",
    spec.apiEndpoint.mode === "keepalived-haproxy"
      ? "```sh\nsystemctl disable --now keepalived haproxy\n```"
      : spec.apiEndpoint.mode === "kube-vip"
        ? "```sh\nrm -f /etc/kubernetes/manifests/kube-vip.yaml\n```"
        : "The external load balancer is the site's: nothing was installed on the node.",
    "",
    "## 1. The CAs read into the stack",
    "",
    "Nothing changed on the node. The stack holds copies of the CAs and the service-account key as",
    "secrets: `pulumi destroy` of an adopting stack must not run (it would reset the nodes); remove",
    "the stack's state instead (`pulumi stack rm --force`) once every phase above is undone.",
    "",
  ].join("\n");
}
