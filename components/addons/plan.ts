/**
 * What the add-on layer installs for a description, as data: the Helm releases with the exact
 * values the program passes, and every manifest it renders itself. Pure (ClusterSpec in, plain
 * objects out) so tests check keys and schemas on what the program really applies; index.ts only
 * wires these into resources.
 */
import { CALICO_BLOCK_SIZE, podBlockMaskOf, type ClusterSpec } from "../../stacks/spec";
import { clusterDnsServiceIp, kubeletServerTlsBootstrap, kubeletUsesExternalCloudProvider, nodeLocalDnsBindsClusterDnsIp } from "../kubeadm/kubelet";
import { PINNED_CHARTS, gatewayApiCrdsUrl, type ChartId } from "./charts";
import { calicoFelixConfiguration, calicoValues, type CalicoValuesParams } from "./calico/values";
import { ciliumValues, type CiliumRouting } from "./cilium/values";
import { etcdSnapshotManifestsOf } from "./etcd-snapshots/plan";
import { gatewayObjects } from "./gateway-api/manifests";
import { ingressNginxValues } from "./ingress-nginx/values";
import { kubeletCsrApproverValues } from "./kubelet-csr-approver/values";
import { METALLB_NAMESPACE, metallbResources, metallbValues, type MetallbAdvertisement } from "./metallb/values";
import { metricsServerValues } from "./metrics-server/values";
import { nodeLocalDnsManifests, type NodeLocalDnsParams } from "./nodelocaldns/manifests";
import { nfsProvisionerValuesOf, vsphereCpiValuesOf, vsphereCsiNamespace, vsphereStorageClassOf } from "./storage-plan";
import type { HelmValues, Manifest, Toleration } from "./types";
import { TRAEFIK_ENTRYPOINTS, TRAEFIK_NAMESPACE, traefikValues } from "./traefik/values";
import { veleroValues } from "./velero/values";

// The kubelet settings kubeadm renders to match the add-ons (decided in the lower layer).
export { kubeletClusterDns, kubeletClusterDnsFollowsCache, kubeletServerTlsBootstrap, kubeletUsesExternalCloudProvider } from "../kubeadm/kubelet";

export type { Manifest } from "./types";
export { ETCD_SNAPSHOT_SCRIPT, etcdClientUrlsOf, etcdSnapshotManifestsOf, etcdSnapshotTargetOf } from "./etcd-snapshots/plan";
export {
  NFS_STORAGE_CLASS,
  VSPHERE_CPI_CREDENTIALS_SECRET,
  VSPHERE_STORAGE_CLASS,
  nfsProvisionerValuesOf,
  nfsServerAddressOf,
  nfsServerEnvOf,
  vsphereCpiValuesOf,
  vsphereCsiConfigParamsOf,
  vsphereCsiManifestUrl,
  vsphereCsiNamespace,
  vsphereStorageClassOf,
} from "./storage-plan";

/** Helm releases by the role they play; the role decides where in the graph they go. */
export type ReleaseName =
  | "cilium"
  | "tigera-operator"
  | "vsphere-cpi"
  | "metallb"
  | "ingress-nginx"
  | "traefik"
  | "nfs-subdir-external-provisioner"
  | "kubelet-csr-approver"
  | "metrics-server"
  | "velero";

export interface ReleasePlan {
  name: ReleaseName;
  chart: ChartId;
  namespace: string;
  values: HelmValues;
}

/** Where Helm gets a pinned chart: its default repository, or the site's mirror (HTTP or OCI). */
export function chartSource(chart: ChartId, chartRepository?: string): { chart: string; version: string; repo?: string } {
  const pinned = PINNED_CHARTS[chart];
  if (!chartRepository) return { chart: pinned.chart, version: pinned.version, repo: pinned.defaultRepositoryUrl };
  const base = chartRepository.replace(/\/+$/, "");
  if (base.startsWith("oci://")) return { chart: `${base}/${pinned.chart}`, version: pinned.version };
  return { chart: pinned.chart, version: pinned.version, repo: base };
}

export function ciliumRoutingOf(spec: ClusterSpec): CiliumRouting {
  const mode = spec.addons.cni.mode;
  if (mode === "vxlan" || mode === "geneve") return { mode: "tunnel", tunnelProtocol: mode };
  if (mode === "native") return { mode: "native", ipv4NativeRoutingCIDR: spec.kubernetes.podCidr, autoDirectNodeRoutes: true };
  throw new Error(`addons.cni.mode: Cilium has no ${mode} mode`);
}

export function ciliumValuesOf(spec: ClusterSpec): HelmValues {
  const values = ciliumValues({
    apiServerHost: spec.apiEndpoint.host,
    apiServerPort: spec.apiEndpoint.port,
    mtu: spec.cniMtu,
    routing: ciliumRoutingOf(spec),
    podCidr: spec.kubernetes.podCidr,
    podCidrMaskSize: podBlockMaskOf(spec),
    hubble: { relay: spec.addons.cni.hubble, ui: spec.addons.cni.hubble },
    environment: spec.profile,
    imageRegistry: spec.registries.imageRegistry,
  });
  // The builder assumes replacement; a description that keeps kube-proxy turns it off.
  values.kubeProxyReplacement = !spec.kubeProxyEnabled;
  return values;
}

export function calicoEncapsulationOf(spec: ClusterSpec): CalicoValuesParams["encapsulation"] {
  const mode = spec.addons.cni.mode;
  if (mode === "vxlan") return "VXLAN";
  if (mode === "ipip") return "IPIP";
  if (mode === "native") return "None";
  throw new Error(`addons.cni.mode: Calico has no ${mode} mode`);
}

export function calicoValuesOf(spec: ClusterSpec): HelmValues {
  return calicoValues({
    podCidr: spec.kubernetes.podCidr,
    blockSize: CALICO_BLOCK_SIZE,
    encapsulation: calicoEncapsulationOf(spec),
    mtu: spec.cniMtu,
    nodeAddressCidrs: [spec.network.subnet],
    imageRegistry: spec.registries.imageRegistry,
  });
}

/** Nodes carrying every label of a selector. */
function nodesMatching(spec: ClusterSpec, selector: Record<string, string>) {
  return spec.nodes.filter((node) => Object.entries(selector).every(([k, v]) => node.labels[k] === v));
}

export function metallbValuesOf(spec: ClusterSpec): HelmValues {
  const lb = spec.addons.loadBalancer;
  const selector = Object.keys(lb.nodeSelector).length > 0 ? lb.nodeSelector : undefined;
  // Speakers must tolerate the taints of the dedicated nodes they are pinned to (seed 000).
  const tolerations: Toleration[] = [];
  if (selector) {
    for (const taint of nodesMatching(spec, selector).flatMap((node) => node.taints)) {
      const toleration: Toleration = taint.value === undefined
        ? { key: taint.key, operator: "Exists", effect: taint.effect }
        : { key: taint.key, operator: "Equal", value: taint.value, effect: taint.effect };
      if (!tolerations.some((t) => JSON.stringify(t) === JSON.stringify(toleration))) tolerations.push(toleration);
    }
  }
  return metallbValues({
    mode: lb.mode,
    speakerNodeSelector: selector,
    speakerTolerations: tolerations.length > 0 ? tolerations : undefined,
    imageRegistry: spec.registries.imageRegistry,
  });
}

export function metallbAdvertisementOf(spec: ClusterSpec): MetallbAdvertisement {
  const lb = spec.addons.loadBalancer;
  const nodeSelectorLabels = Object.keys(lb.nodeSelector).length > 0 ? lb.nodeSelector : undefined;
  if (lb.mode === "l2") return { kind: "l2", nodeSelectorLabels };
  if (!lb.bgp) throw new Error("addons.loadBalancer.bgp: BGP mode needs localAsn and peers");
  return {
    kind: "bgp",
    myASN: lb.bgp.localAsn,
    peers: lb.bgp.peers.map((peer, i) => ({ name: `peer-${i + 1}`, peerAddress: peer.address, peerASN: peer.asn, nodeSelectorLabels })),
  };
}

export function metallbManifestsOf(spec: ClusterSpec): Manifest[] {
  return metallbResources({
    pools: spec.addons.loadBalancer.pools.map((pool) => ({ name: pool.name, addresses: pool.addresses, autoAssign: pool.autoAssign })),
    advertisement: metallbAdvertisementOf(spec),
  });
}

export function ingressNginxValuesOf(spec: ClusterSpec): HelmValues {
  const values = ingressNginxValues({
    loadBalancerIp: spec.addons.ingress.loadBalancerIP,
    environment: spec.profile,
    defaultIngressClass: true,
    imageRegistry: spec.registries.imageRegistry,
  });
  const replicas = spec.addons.ingress.replicas;
  if (replicas !== undefined) (values.controller as HelmValues).replicaCount = replicas;
  return values;
}

export function traefikValuesOf(spec: ClusterSpec): HelmValues {
  const ingress = spec.addons.ingress;
  return traefikValues({ loadBalancerIp: ingress.loadBalancerIP, environment: spec.profile, replicas: ingress.replicas, imageRegistry: spec.registries.imageRegistry });
}

/** The Gateway every application attaches its HTTPRoutes to, and the TLS Secret its HTTPS listener reads. */
export const INGRESS_GATEWAY = { className: "traefik", name: "traefik-gateway", namespace: TRAEFIK_NAMESPACE, tlsSecretName: "traefik-gateway-tls" } as const;

export function gatewayManifestsOf(spec: ClusterSpec): Manifest[] {
  return gatewayObjects({
    gatewayClassName: INGRESS_GATEWAY.className,
    controllerName: "traefik.io/gateway-controller",
    gatewayName: INGRESS_GATEWAY.name,
    namespace: INGRESS_GATEWAY.namespace,
    httpPort: TRAEFIK_ENTRYPOINTS.web,
    httpsPort: TRAEFIK_ENTRYPOINTS.websecure,
    tlsSecretName: INGRESS_GATEWAY.tlsSecretName,
    loadBalancerIp: spec.addons.ingress.loadBalancerIP,
  });
}

/** Where the Gateway API CRDs are applied from: the site's copy when described, else the pinned release. */
export function gatewayApiCrdsLocation(spec: ClusterSpec): string {
  return spec.addons.ingress.gatewayApiCrdsUrl ?? gatewayApiCrdsUrl();
}

export function kubeletCsrApproverValuesOf(spec: ClusterSpec): HelmValues {
  return kubeletCsrApproverValues({
    nodeNames: spec.nodes.map((n) => n.name),
    nodeIpPrefixes: [spec.network.subnet],
    environment: spec.profile,
    imageRegistry: spec.registries.imageRegistry,
  });
}

export function metricsServerValuesOf(spec: ClusterSpec): HelmValues {
  return metricsServerValues({
    environment: spec.profile,
    kubeletTls: spec.addons.metrics.insecureKubeletTls ? "insecure" : "verify",
    imageRegistry: spec.registries.imageRegistry,
  });
}

export const VELERO_NAMESPACE = "velero";
export const VELERO_CREDENTIALS_SECRET = "velero-s3-credentials";

export function veleroValuesOf(spec: ClusterSpec): HelmValues {
  const velero = spec.addons.backups.velero;
  if (!velero?.enabled || !velero.s3Url || !velero.bucket) throw new Error("addons.backups.velero: enabled needs s3Url and bucket");
  return veleroValues({
    s3Url: velero.s3Url,
    bucket: velero.bucket,
    region: velero.region,
    prefix: spec.name,
    credentialsSecretName: VELERO_CREDENTIALS_SECRET,
    schedule: velero.schedule,
    ttl: "720h",
    // Neither NFS nor vSphere CSI snapshots are set up for Velero: volumes go by file system backup.
    fileSystemBackup: true,
    imageRegistry: spec.registries.imageRegistry,
  });
}

/** NodeLocal DNSCache's parameters; whether it binds the kube-dns IP is kubeadm/kubelet.ts's call. */
export function nodeLocalDnsParamsOf(spec: ClusterSpec): NodeLocalDnsParams {
  return {
    clusterDomain: spec.kubernetes.clusterDomain,
    clusterDnsIp: clusterDnsServiceIp(spec.kubernetes.serviceCidr),
    bindClusterDnsIp: nodeLocalDnsBindsClusterDnsIp(spec),
    imageRegistry: spec.registries.imageRegistry,
  };
}

/** Every Helm release for the description, with the values the program passes. */
export function addonReleases(spec: ClusterSpec): ReleasePlan[] {
  const a = spec.addons;
  const releases: ReleasePlan[] = [];
  if (a.cni.type === "cilium") releases.push({ name: "cilium", chart: "cilium", namespace: "kube-system", values: ciliumValuesOf(spec) });
  else releases.push({ name: "tigera-operator", chart: "tigera-operator", namespace: "tigera-operator", values: calicoValuesOf(spec) });
  if (kubeletUsesExternalCloudProvider(spec)) releases.push({ name: "vsphere-cpi", chart: "vsphere-cpi", namespace: "kube-system", values: vsphereCpiValuesOf(spec) });
  if (a.loadBalancer.type === "metallb") releases.push({ name: "metallb", chart: "metallb", namespace: METALLB_NAMESPACE, values: metallbValuesOf(spec) });
  if (a.ingress.type === "ingress-nginx") releases.push({ name: "ingress-nginx", chart: "ingress-nginx", namespace: "ingress-nginx", values: ingressNginxValuesOf(spec) });
  if (a.ingress.type === "traefik") releases.push({ name: "traefik", chart: "traefik", namespace: TRAEFIK_NAMESPACE, values: traefikValuesOf(spec) });
  if (a.storage.type === "nfs") releases.push({ name: "nfs-subdir-external-provisioner", chart: "nfs-subdir-external-provisioner", namespace: "nfs-provisioner", values: nfsProvisionerValuesOf(spec) });
  if (kubeletServerTlsBootstrap(spec)) releases.push({ name: "kubelet-csr-approver", chart: "kubelet-csr-approver", namespace: "kube-system", values: kubeletCsrApproverValuesOf(spec) });
  if (a.metrics.enabled) releases.push({ name: "metrics-server", chart: "metrics-server", namespace: "kube-system", values: metricsServerValuesOf(spec) });
  if (a.backups.velero?.enabled) releases.push({ name: "velero", chart: "velero", namespace: VELERO_NAMESPACE, values: veleroValuesOf(spec) });
  return releases;
}

/** Manifests rendered here and applied by the program, by file name (secrets excluded). */
export function addonManifests(spec: ClusterSpec): Record<string, Manifest[]> {
  const a = spec.addons;
  const out: Record<string, Manifest[]> = {};
  if (a.cni.type === "calico" && a.cni.checksumOffloadWorkaround) out["calico-felixconfiguration"] = [calicoFelixConfiguration({ checksumOffloadBroken: true })];
  if (a.loadBalancer.type === "metallb") out["metallb-config"] = metallbManifestsOf(spec);
  if (a.ingress.type === "traefik") out["ingress-gateway"] = gatewayManifestsOf(spec);
  if (a.storage.type === "vsphere-csi") {
    out["vsphere-csi-namespace"] = [vsphereCsiNamespace()];
    out["vsphere-csi-storageclass"] = [vsphereStorageClassOf(spec)];
  }
  if (a.nodeLocalDns.enabled) out.nodelocaldns = nodeLocalDnsManifests(nodeLocalDnsParamsOf(spec));
  const snapshots = etcdSnapshotManifestsOf(spec);
  if (snapshots.length > 0) out["etcd-snapshots"] = snapshots;
  return out;
}
