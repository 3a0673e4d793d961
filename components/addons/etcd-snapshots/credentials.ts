// The Secret the snapshot job signs its S3 requests with: the Pulumi secret etcdSnapshotS3Credentials,
// kept secret in the state, in the Secret and in the Pod's environment (never in a manifest artifact).
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { ClusterSpec } from "../../../stacks/spec";
import type { ClusterSecrets } from "../../context";
import { ETCD_SNAPSHOT_CREDENTIALS_SECRET, ETCD_SNAPSHOT_NAMESPACE } from "./cronjob";
import { etcdSnapshotTargetOf } from "./plan";

export function etcdSnapshotCredentials(spec: ClusterSpec, secrets: ClusterSecrets, opts: pulumi.CustomResourceOptions): pulumi.Resource[] {
  if (etcdSnapshotTargetOf(spec).type !== "s3") return [];
  const credentials = secrets.etcdSnapshotS3Credentials;
  if (!credentials) throw new Error("etcd snapshots to S3 need the secret `etcdSnapshotS3Credentials` (pulumi config set --secret etcdSnapshotS3Credentials < etcd-snapshot-credentials)");
  return [
    new k8s.core.v1.Secret(
      ETCD_SNAPSHOT_CREDENTIALS_SECRET,
      { metadata: { name: ETCD_SNAPSHOT_CREDENTIALS_SECRET, namespace: ETCD_SNAPSHOT_NAMESPACE }, stringData: { credentials: pulumi.secret(credentials) } },
      opts,
    ),
  ];
}
