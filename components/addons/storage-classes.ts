/** StorageClass manifests for the two storage back ends. */
import { VSPHERE_CSI_RELEASE } from "./charts";

const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

export interface VsphereStorageClassParams {
  name: string;
  /** An SPBM policy name, or a datastore URL ("ds:///vmfs/volumes/<uuid>/"). */
  placement: { storagePolicyName: string } | { datastoreUrl: string };
  isDefault: boolean;
  reclaimPolicy: "Delete" | "Retain";
  fsType?: "ext4" | "xfs";
}

export function vsphereCsiStorageClass(p: VsphereStorageClassParams): Record<string, unknown> {
  const parameters: Record<string, string> = { "csi.storage.k8s.io/fstype": p.fsType ?? "ext4" };
  if ("storagePolicyName" in p.placement) parameters.storagepolicyname = p.placement.storagePolicyName;
  else parameters.datastoreurl = p.placement.datastoreUrl;
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: p.name, annotations: { [DEFAULT_CLASS_ANNOTATION]: String(p.isDefault) } },
    provisioner: VSPHERE_CSI_RELEASE.provisioner,
    parameters,
    reclaimPolicy: p.reclaimPolicy,
    allowVolumeExpansion: true,
    // Bind where the pod lands, so zone/host topology is respected.
    volumeBindingMode: "WaitForFirstConsumer",
  };
}

export interface NfsStorageClassParams {
  name: string;
  /** The provisioner name the nfs-subdir-external-provisioner release registers. */
  provisionerName: string;
  isDefault: boolean;
  reclaimPolicy: "Delete" | "Retain";
  archiveOnDelete: boolean;
  mountOptions?: string[];
}

/** For an NFS class managed apart from the chart (the chart can also create its own). */
export function nfsStorageClass(p: NfsStorageClassParams): Record<string, unknown> {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: p.name, annotations: { [DEFAULT_CLASS_ANNOTATION]: String(p.isDefault) } },
    provisioner: p.provisionerName,
    parameters: { archiveOnDelete: String(p.archiveOnDelete) },
    reclaimPolicy: p.reclaimPolicy,
    allowVolumeExpansion: true,
    volumeBindingMode: "Immediate",
    ...(p.mountOptions ? { mountOptions: p.mountOptions } : {}),
  };
}
