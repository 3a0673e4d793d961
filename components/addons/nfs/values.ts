import { withRegistry } from "../charts";
import type { HelmValues } from "../types";

export interface NfsProvisionerValuesParams {
  server: string;
  /** Exported directory; each volume becomes a subdirectory of it. */
  path: string;
  storageClassName: string;
  defaultStorageClass: boolean;
  reclaimPolicy: "Delete" | "Retain";
  /** Keep a deleted volume's data as archived-<name> (only meaningful with Delete). */
  archiveOnDelete: boolean;
  mountOptions?: string[];
  imageRegistry?: string;
}

export function nfsProvisionerValues(p: NfsProvisionerValuesParams): HelmValues {
  const values: HelmValues = {
    nfs: { server: p.server, path: p.path, ...(p.mountOptions ? { mountOptions: p.mountOptions } : {}) },
    storageClass: {
      create: true,
      name: p.storageClassName,
      defaultClass: p.defaultStorageClass,
      reclaimPolicy: p.reclaimPolicy,
      archiveOnDelete: p.archiveOnDelete,
      allowVolumeExpansion: true,
    },
  };
  if (p.imageRegistry) {
    values.image = {
      repository: withRegistry("registry.k8s.io/sig-storage/nfs-subdir-external-provisioner", p.imageRegistry),
    };
  }
  return values;
}
