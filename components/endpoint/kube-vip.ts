// kube-vip static Pod for control planes (ARP mode with Lease-based leader election): the
// elected control plane answers ARP for the VIP, and the VIP moves when its Lease is lost.
// The manifest goes to /etc/kubernetes/manifests/ before kubeadm init/join so the VIP exists
// when kubeadm first talks to the control-plane endpoint.
//
// Environment variable names are those read by kube-vip v1.2.3 (pkg/kubevip/config_envvar.go).
// `address` replaces the deprecated `vip_address`, and since v1.2.x kube-vip refuses the
// legacy name without `vip_subnet` in ARP mode, so both `address` and `vip_subnet` are set.
import * as ipaddr from "ipaddr.js";
import { stringify } from "yaml";

export const KUBE_VIP_VERSION = "v1.2.3";
export const KUBE_VIP_DEFAULT_REGISTRY = "ghcr.io";
export const KUBE_VIP_IMAGE_REPOSITORY = "kube-vip/kube-vip";
export const KUBE_VIP_MANIFEST_PATH = "/etc/kubernetes/manifests/kube-vip.yaml";
/** kube-vip's default control-plane Lease name. */
export const KUBE_VIP_DEFAULT_LEASE_NAME = "plndr-cp-lock";

export const ADMIN_KUBECONFIG = "/etc/kubernetes/admin.conf";
export const SUPER_ADMIN_KUBECONFIG = "/etc/kubernetes/super-admin.conf";
/** Where kube-vip reads its kubeconfig inside the container (its --k8sConfigPath default). */
const IN_CONTAINER_KUBECONFIG = "/etc/kubernetes/admin.conf";

export interface KubeVipKubeconfigParams {
  kubernetesVersion: string;
  /** True only for the manifest of the first control plane while it runs `kubeadm init`. */
  firstControlPlaneInit: boolean;
}

/**
 * Host kubeconfig kube-vip must use (kube-vip issue 684). Since Kubernetes 1.29, kubeadm init
 * writes admin.conf for the group kubeadm:cluster-admins, whose ClusterRoleBinding exists only
 * after the apiserver is up — but the apiserver is reached through the VIP kube-vip has to
 * create first. During init on the first control plane kube-vip therefore needs
 * super-admin.conf (system:masters). Everywhere else (joins, and the first control plane once
 * init has finished: re-render its manifest then) it uses admin.conf; super-admin.conf exists
 * only on the first control plane and should not be used routinely.
 */
export function kubeVipKubeconfigHostPath(params: KubeVipKubeconfigParams): string {
  const match = /^v?1\.(\d+)\.\d+$/.exec(params.kubernetesVersion.trim());
  if (!match) throw new Error(`kubernetesVersion must look like 1.34.4, got "${params.kubernetesVersion}"`);
  const superAdminSplit = Number(match[1]) >= 29;
  return params.firstControlPlaneInit && superAdminSplit ? SUPER_ADMIN_KUBECONFIG : ADMIN_KUBECONFIG;
}

export interface KubeVipImageParams {
  /** Registry or mirror prefix, e.g. "registry.local/ghcr"; defaults to ghcr.io. */
  registry?: string;
  /** Defaults to the pinned KUBE_VIP_VERSION. */
  tag?: string;
}

export interface KubeVipLeaderElectionParams {
  leaseName?: string;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
}

export interface KubeVipManifestParams extends KubeVipKubeconfigParams {
  vip: string;
  /** Interface that carries the node subnet, e.g. "ens192". */
  interface: string;
  /** apiserver port behind the VIP; defaults to 6443. */
  port?: number;
  image?: KubeVipImageParams;
  leaderElection?: KubeVipLeaderElectionParams;
}

export function kubeVipImage(image: KubeVipImageParams = {}): string {
  const registry = (image.registry ?? KUBE_VIP_DEFAULT_REGISTRY).replace(/\/+$/, "");
  const tag = image.tag ?? KUBE_VIP_VERSION;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(tag)) throw new Error(`invalid image tag ${tag}`);
  if (!/^[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._-]+)*$/.test(registry)) throw new Error(`invalid registry ${registry}`);
  return `${registry}/${KUBE_VIP_IMAGE_REPOSITORY}:${tag}`;
}

function positiveInteger(value: number, what: string): string {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${what} must be a positive integer, got ${value}`);
  return String(value);
}

/** The Pod object; renderKubeVipManifest serialises it. */
export function kubeVipPod(params: KubeVipManifestParams): Record<string, unknown> {
  if (!ipaddr.isValid(params.vip.trim())) throw new Error(`vip ${params.vip} is not an IP address`);
  const vip = ipaddr.parse(params.vip.trim());
  if (!/^[A-Za-z0-9_.:-]{1,15}$/.test(params.interface)) throw new Error(`invalid interface name ${params.interface}`);
  const port = params.port ?? 6443;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid port ${port}`);
  const election = params.leaderElection ?? {};
  const leaseDuration = election.leaseDurationSeconds ?? 5;
  const renewDeadline = election.renewDeadlineSeconds ?? 3;
  const retryPeriod = election.retryPeriodSeconds ?? 1;
  // client-go leader election requires leaseDuration > renewDeadline > retryPeriod.
  if (!(leaseDuration > renewDeadline && renewDeadline > retryPeriod)) {
    throw new Error("leader election needs leaseDuration > renewDeadline > retryPeriod");
  }

  const env = [
    { name: "vip_arp", value: "true" },
    { name: "port", value: String(port) },
    { name: "vip_nodename", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
    { name: "vip_interface", value: params.interface },
    { name: "vip_subnet", value: vip.kind() === "ipv4" ? "32" : "128" },
    { name: "cp_enable", value: "true" },
    { name: "cp_namespace", value: "kube-system" },
    { name: "vip_leaderelection", value: "true" },
    { name: "vip_leasename", value: election.leaseName ?? KUBE_VIP_DEFAULT_LEASE_NAME },
    { name: "vip_leaseduration", value: positiveInteger(leaseDuration, "leaseDurationSeconds") },
    { name: "vip_renewdeadline", value: positiveInteger(renewDeadline, "renewDeadlineSeconds") },
    { name: "vip_retryperiod", value: positiveInteger(retryPeriod, "retryPeriodSeconds") },
    { name: "address", value: vip.toString() },
  ];

  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "kube-vip", namespace: "kube-system", labels: { "app.kubernetes.io/name": "kube-vip" } },
    spec: {
      hostNetwork: true,
      priorityClassName: "system-node-critical",
      // kube-vip talks to the local apiserver as https://kubernetes:<port>, a name kubeadm puts in its certificate.
      hostAliases: [{ ip: "127.0.0.1", hostnames: ["kubernetes"] }],
      containers: [
        {
          name: "kube-vip",
          image: kubeVipImage(params.image),
          imagePullPolicy: "IfNotPresent",
          args: ["manager"],
          env,
          securityContext: { capabilities: { add: ["NET_ADMIN", "NET_RAW"], drop: ["ALL"] } },
          volumeMounts: [{ name: "kubeconfig", mountPath: IN_CONTAINER_KUBECONFIG, readOnly: true }],
        },
      ],
      volumes: [
        {
          name: "kubeconfig",
          // type File: if the kubeconfig is not written yet the kubelet retries instead of
          // creating an empty directory in its place (the default for an unset type).
          hostPath: { path: kubeVipKubeconfigHostPath(params), type: "File" },
        },
      ],
    },
  };
}

export function renderKubeVipManifest(params: KubeVipManifestParams): string {
  return stringify(kubeVipPod(params), { lineWidth: 0 });
}
