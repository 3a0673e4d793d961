/**
 * Pinned add-on charts. Versions are exact; the repository URL and image registry are defaults an
 * offline site replaces with its mirror (chart museum / OCI registry and a container registry).
 */
import cilium from "./chart-keys/cilium-1.20.0.json";
import ingressNginx from "./chart-keys/ingress-nginx-4.15.1.json";
import kubeletCsrApprover from "./chart-keys/kubelet-csr-approver-1.2.14.json";
import metallb from "./chart-keys/metallb-0.16.1.json";
import metricsServer from "./chart-keys/metrics-server-3.13.1.json";
import nfs from "./chart-keys/nfs-subdir-external-provisioner-4.0.18.json";
import tigeraOperator from "./chart-keys/tigera-operator-v3.30.3.json";
import traefik from "./chart-keys/traefik-41.3.0.json";
import velero from "./chart-keys/velero-12.1.0.json";
import vsphereCpi from "./chart-keys/vsphere-cpi-1.34.0.json";
import { GATEWAY_API_CRDS } from "../../stacks/schema-addons";
import type { ValuesKeyList } from "./chart-keys";

export interface PinnedChart {
  chart: string;
  version: string;
  /** Application version the chart deploys by default. */
  appVersion: string;
  defaultRepositoryUrl: string;
  /** Registry host of the chart's default images; builders take an override for a mirror. */
  defaultImageRegistry: string;
  /** Where the values.yaml behind the key list was read. */
  valuesSource: string;
  keys: ValuesKeyList;
  /**
   * The chart's release line follows the Kubernetes minor (1.34.x for Kubernetes 1.34): on a
   * version change the release moves after the control planes' upgrade (components/kubeadm/upgrade.ts).
   */
  followsKubernetesMinor?: true;
}

export type ChartId =
  | "cilium"
  | "tigera-operator"
  | "metallb"
  | "ingress-nginx"
  | "traefik"
  | "nfs-subdir-external-provisioner"
  | "metrics-server"
  | "velero"
  | "vsphere-cpi"
  | "kubelet-csr-approver";

const keyList = (data: unknown): ValuesKeyList => data as ValuesKeyList;

export const PINNED_CHARTS: Record<ChartId, PinnedChart> = {
  cilium: {
    chart: "cilium",
    version: "1.20.0",
    appVersion: "1.20.0",
    defaultRepositoryUrl: "https://helm.cilium.io/",
    defaultImageRegistry: "quay.io",
    valuesSource: cilium.source,
    keys: keyList(cilium),
  },
  "tigera-operator": {
    chart: "tigera-operator",
    // The newest release whose values.yaml the search index holds; the index stores tigera/operator
    // v1.38.6 CRDs for the same release. Bump with scripts/chart-keys.ts when a newer one is read.
    version: "v3.30.3",
    appVersion: "v3.30.3",
    defaultRepositoryUrl: "https://docs.tigera.io/calico/charts",
    defaultImageRegistry: "quay.io",
    valuesSource: tigeraOperator.source,
    keys: keyList(tigeraOperator),
  },
  metallb: {
    chart: "metallb",
    version: "0.16.1",
    appVersion: "v0.16.1",
    defaultRepositoryUrl: "https://metallb.github.io/metallb",
    defaultImageRegistry: "quay.io",
    valuesSource: metallb.source,
    keys: keyList(metallb),
  },
  "ingress-nginx": {
    chart: "ingress-nginx",
    version: "4.15.1",
    appVersion: "1.15.1",
    defaultRepositoryUrl: "https://kubernetes.github.io/ingress-nginx",
    defaultImageRegistry: "registry.k8s.io",
    valuesSource: ingressNginx.source,
    keys: keyList(ingressNginx),
  },
  // Gateway API implementation (Traefik v3.7.11, pure Go); the chart's key list was made from its
  // values.yaml read at tag v41.3.0 (no helm pull here), see components/addons/README.md.
  traefik: {
    chart: "traefik",
    version: "41.3.0",
    appVersion: "v3.7.11",
    defaultRepositoryUrl: "https://traefik.github.io/charts",
    defaultImageRegistry: "docker.io",
    valuesSource: traefik.source,
    keys: keyList(traefik),
  },
  "nfs-subdir-external-provisioner": {
    chart: "nfs-subdir-external-provisioner",
    version: "4.0.18",
    appVersion: "4.0.2",
    defaultRepositoryUrl: "https://kubernetes-sigs.github.io/nfs-subdir-external-provisioner/",
    defaultImageRegistry: "registry.k8s.io",
    valuesSource: nfs.source,
    keys: keyList(nfs),
  },
  "metrics-server": {
    chart: "metrics-server",
    version: "3.13.1",
    appVersion: "0.8.1",
    defaultRepositoryUrl: "https://kubernetes-sigs.github.io/metrics-server/",
    defaultImageRegistry: "registry.k8s.io",
    valuesSource: metricsServer.source,
    keys: keyList(metricsServer),
  },
  velero: {
    chart: "velero",
    version: "12.1.0",
    appVersion: "1.18.1",
    defaultRepositoryUrl: "https://vmware-tanzu.github.io/helm-charts",
    defaultImageRegistry: "docker.io",
    valuesSource: velero.source,
    keys: keyList(velero),
  },
  // vSphere cloud provider (CPI): sets node providerIDs and zone labels, which vSphere CSI needs.
  "vsphere-cpi": {
    chart: "vsphere-cpi",
    version: "1.34.0",
    appVersion: "1.34.0",
    defaultRepositoryUrl: "https://kubernetes.github.io/cloud-provider-vsphere",
    defaultImageRegistry: "registry.k8s.io",
    valuesSource: vsphereCpi.source,
    keys: keyList(vsphereCpi),
    followsKubernetesMinor: true,
  },
  // Approves kubelet serving-certificate CSRs (serverTLSBootstrap), so metrics-server verifies kubelets.
  "kubelet-csr-approver": {
    chart: "kubelet-csr-approver",
    version: "1.2.14",
    appVersion: "v1.2.14",
    defaultRepositoryUrl: "https://postfinance.github.io/kubelet-csr-approver",
    defaultImageRegistry: "ghcr.io",
    valuesSource: kubeletCsrApprover.source,
    keys: keyList(kubeletCsrApprover),
  },
};

/**
 * vSphere CSI has no Helm chart from its maintainers: the release ships plain manifests. We apply
 * the pinned release's manifest and render only what is ours (the csi-vsphere.conf Secret and the
 * StorageClass). The manifest's images are rewritten to the mirror registry when one is set.
 */
export const VSPHERE_CSI_RELEASE = {
  version: "v3.7.3",
  manifestPath: "manifests/vanilla/vsphere-csi-driver.yaml",
  sourceRepository: "https://github.com/kubernetes-sigs/vsphere-csi-driver",
  namespace: "vmware-system-csi",
  configSecretName: "vsphere-config-secret",
  configFileName: "csi-vsphere.conf",
  provisioner: "csi.vsphere.vmware.com",
  defaultImageRegistry: "registry.k8s.io",
} as const;

/**
 * The Gateway API CRDs (standard channel) of the release Traefik implements, applied from the
 * release's standard-install.yaml before Traefik starts (the chart no longer ships them). An
 * offline site serves a copy of the same file (`addons.ingress.gatewayApiCrdsUrl`).
 */
export const GATEWAY_API_RELEASE = {
  version: GATEWAY_API_CRDS.version,
  sourceRepository: "https://github.com/kubernetes-sigs/gateway-api",
  installFile: "standard-install.yaml",
} as const;

export function gatewayApiCrdsUrl(): string {
  return `${GATEWAY_API_RELEASE.sourceRepository}/releases/download/${GATEWAY_API_RELEASE.version}/${GATEWAY_API_RELEASE.installFile}`;
}

/** NodeLocal DNSCache image, from kubernetes/dns releases. */
export const NODE_LOCAL_DNS_IMAGE = {
  defaultRegistry: "registry.k8s.io",
  repository: "dns/k8s-dns-node-cache",
  tag: "1.26.7",
} as const;

/**
 * The etcd snapshot CronJob's one image: busybox, whose `chroot` enters the host, where the
 * snapshot script runs etcdctl and etcdutl in kubeadm's own etcd container (etcd-snapshots/).
 */
export const ETCD_SNAPSHOT_IMAGES = {
  shell: { defaultRegistry: "docker.io", repository: "library/busybox", tag: "1.37.0" },
} as const;

/** Velero's S3-compatible object store plugin paired with Velero 1.18. */
export const VELERO_AWS_PLUGIN_IMAGE = {
  defaultRegistry: "docker.io",
  repository: "velero/velero-plugin-for-aws",
  tag: "v1.14.2",
} as const;

/** Replaces the registry host of an image reference ("quay.io/cilium/cilium" -> "mirror/cilium/cilium"). */
export function withRegistry(imageRepository: string, registry: string | undefined): string {
  if (!registry) return imageRepository;
  const [first, ...rest] = imageRepository.split("/");
  const hasRegistryHost = rest.length > 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  const path = hasRegistryHost ? rest.join("/") : imageRepository;
  return `${registry.replace(/\/+$/, "")}/${path}`;
}
