// What the storage add-ons install, as data (see plan.ts): the NFS provisioner and the in-cluster
// NFS server's parameters, vSphere CSI and the vSphere CPI it needs. Pure.
import ipaddr from "ipaddr.js";
import type { ClusterSpec } from "../../stacks/spec";
import { VSPHERE_CSI_RELEASE } from "./charts";
import { nfsProvisionerValues } from "./nfs/values";
import { vsphereCsiStorageClass } from "./storage-classes";
import type { HelmValues, Manifest } from "./types";
import { vsphereCpiValues } from "./vsphere-cpi/values";
import type { VsphereCsiConfigParams } from "./vsphere-csi/config";

/** The NFS server address: the external server, or the address of the in-cluster server node. */
export function nfsServerAddressOf(spec: ClusterSpec): string {
  const nfs = spec.addons.storage.nfs;
  if (nfs?.server) return nfs.server;
  const node = spec.nodes.find((n) => n.name === nfs?.serverNode);
  if (!node) throw new Error("addons.storage.nfs: needs server or a serverNode that names a node");
  return node.address;
}

export const NFS_STORAGE_CLASS = "nfs";
export const VSPHERE_STORAGE_CLASS = "vsphere";

export function nfsProvisionerValuesOf(spec: ClusterSpec): HelmValues {
  return nfsProvisionerValues({
    server: nfsServerAddressOf(spec),
    path: spec.addons.storage.nfs?.path ?? "/srv/nfs/k8s",
    storageClassName: NFS_STORAGE_CLASS,
    defaultStorageClass: spec.addons.storage.defaultClass,
    reclaimPolicy: "Delete",
    // A deleted claim's data is kept as archived-<name> until an operator removes it.
    archiveOnDelete: true,
    imageRegistry: spec.registries.imageRegistry,
  });
}

/** Environment of components/addons/nfs/server.sh for the in-cluster NFS server, or undefined. */
export function nfsServerEnvOf(spec: ClusterSpec): Record<string, string> | undefined {
  const nfs = spec.addons.storage.nfs;
  if (spec.addons.storage.type !== "nfs" || !nfs?.serverNode) return undefined;
  const [network, prefix] = ipaddr.parseCIDR(spec.network.subnet);
  const env: Record<string, string> = {
    NFS_EXPORT_PATH: nfs.path,
    // Only the node subnet may mount: pods reach the server through their node (kubelet mounts).
    NFS_EXPORT_CLIENTS: `${ipaddr.IPv4.networkAddressFromCIDR(`${network.toString()}/${prefix}`).toString()}/${prefix}`,
  };
  if (nfs.dataDisk) {
    env.NFS_DATA_DEVICE = nfs.dataDisk.device;
    env.NFS_ALLOW_SYSTEM_DISK = String(nfs.dataDisk.allowSystemDisk);
  }
  return env;
}

export const VSPHERE_CPI_CREDENTIALS_SECRET = "vsphere-cpi-credentials";

function vsphereOf(spec: ClusterSpec) {
  const vsphere = spec.platform.vsphere;
  if (!vsphere) throw new Error("platform.vsphere: vSphere storage needs the vSphere connection");
  return vsphere;
}

export function vsphereCpiValuesOf(spec: ClusterSpec): HelmValues {
  const vsphere = vsphereOf(spec);
  return vsphereCpiValues({
    vcenterHost: vsphere.server,
    datacenter: vsphere.datacenter,
    credentialsSecretName: VSPHERE_CPI_CREDENTIALS_SECRET,
    imageRegistry: spec.registries.imageRegistry,
  });
}

/** csi-vsphere.conf parameters without the password (the caller injects the secret). */
export function vsphereCsiConfigParamsOf(spec: ClusterSpec): Omit<VsphereCsiConfigParams, "password"> {
  const vsphere = vsphereOf(spec);
  return {
    clusterId: spec.name,
    vcenterHost: vsphere.server,
    user: vsphere.user,
    datacenters: [vsphere.datacenter],
    // Without allowUnverifiedSsl, vCenter's certificate is verified against the image's system CAs.
    tls: vsphere.allowUnverifiedSsl ? { insecure: true } : { caFile: "/etc/ssl/certs/ca-certificates.crt" },
  };
}

export function vsphereStorageClassOf(spec: ClusterSpec): Manifest {
  const csi = spec.addons.storage.vsphereCsi;
  const placement = csi?.storagePolicy
    ? { storagePolicyName: csi.storagePolicy }
    : csi?.datastoreUrl
      ? { datastoreUrl: csi.datastoreUrl }
      : undefined;
  if (!placement) throw new Error("addons.storage.vsphereCsi: set storagePolicy or datastoreUrl");
  return vsphereCsiStorageClass({ name: VSPHERE_STORAGE_CLASS, placement, isDefault: spec.addons.storage.defaultClass, reclaimPolicy: "Delete" });
}

/** The namespace of the vSphere CSI driver; its node plugin is privileged. */
export function vsphereCsiNamespace(): Manifest {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: VSPHERE_CSI_RELEASE.namespace, labels: { "pod-security.kubernetes.io/enforce": "privileged" } },
  };
}

export function vsphereCsiManifestUrl(): string {
  const repo = VSPHERE_CSI_RELEASE.sourceRepository.replace("https://github.com/", "https://raw.githubusercontent.com/");
  return `${repo}/${VSPHERE_CSI_RELEASE.version}/${VSPHERE_CSI_RELEASE.manifestPath}`;
}
