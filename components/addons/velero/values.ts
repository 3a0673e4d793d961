import { VELERO_AWS_PLUGIN_IMAGE, withRegistry } from "../charts";
import type { HelmValues } from "../types";

export interface VeleroValuesParams {
  /** S3-compatible endpoint, e.g. "https://minio.backup.example:9000". */
  s3Url: string;
  bucket: string;
  region: string;
  /** Object key prefix inside the bucket, so several clusters can share one. */
  prefix?: string;
  /** Secret (in Velero's namespace) holding key "cloud" in AWS credentials-file format; never inline. */
  credentialsSecretName: string;
  /** Cron schedule of the whole-cluster backup. */
  schedule: string;
  /** Retention of each scheduled backup, e.g. "720h". */
  ttl: string;
  /** Back up pod volumes with the node agent (file system backup), for storage without snapshots. */
  fileSystemBackup: boolean;
  /** PEM CA bundle of the object store when it uses a private CA. */
  caCertPem?: string;
  imageRegistry?: string;
}

export function veleroValues(p: VeleroValuesParams): HelmValues {
  const pluginImage = `${withRegistry(
    `${VELERO_AWS_PLUGIN_IMAGE.defaultRegistry}/${VELERO_AWS_PLUGIN_IMAGE.repository}`,
    p.imageRegistry,
  )}:${VELERO_AWS_PLUGIN_IMAGE.tag}`;
  const location: HelmValues = {
    name: "default",
    provider: "aws",
    bucket: p.bucket,
    default: true,
    config: { region: p.region, s3Url: p.s3Url, s3ForcePathStyle: "true" },
  };
  if (p.prefix) location.prefix = p.prefix;
  if (p.caCertPem) location.caCert = Buffer.from(p.caCertPem).toString("base64");
  const values: HelmValues = {
    initContainers: [
      {
        name: "velero-plugin-for-aws",
        image: pluginImage,
        imagePullPolicy: "IfNotPresent",
        volumeMounts: [{ mountPath: "/target", name: "plugins" }],
      },
    ],
    credentials: { useSecret: true, existingSecret: p.credentialsSecretName },
    configuration: { backupStorageLocation: [location], volumeSnapshotLocation: [] },
    // Volume snapshots need a provider plugin for the storage; file system backup covers PVs instead.
    snapshotsEnabled: false,
    deployNodeAgent: p.fileSystemBackup,
    schedules: {
      "cluster-daily": {
        disabled: false,
        schedule: p.schedule,
        useOwnerReferencesInBackup: false,
        template: { ttl: p.ttl, defaultVolumesToFsBackup: p.fileSystemBackup },
      },
    },
  };
  if (p.imageRegistry) {
    values.image = { repository: withRegistry("docker.io/velero/velero", p.imageRegistry) };
    values.kubectl = { image: { repository: withRegistry("registry.k8s.io/kubectl", p.imageRegistry) } };
  }
  return values;
}
