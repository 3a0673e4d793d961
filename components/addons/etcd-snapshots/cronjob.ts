/**
 * etcd snapshots (seed 001; seed 003 phase 4.5): a CronJob whose Pod may run on any control plane
 * that has an etcd Pod (the scheduler picks a Ready one; each retry is a new Pod, placed anew). The
 * Pod only enters the host (chroot) and runs scripts/snapshot.sh there: the snapshot is taken with
 * the etcdctl of kubeadm's own etcd image, from the first healthy member, checked with etcdutl, and
 * sent off the node with the host's curl (SigV4) or to an NFS export. So the one extra image is a
 * pinned busybox for `chroot`, and the credentials reach the script as environment from a Secret.
 */
import { ETCD_SNAPSHOT_IMAGES } from "../charts";
import type { Manifest } from "../types";

/** Where snapshots go without an off-node target (kept on the control plane that took them). */
export const ETCD_SNAPSHOT_DIR = "/var/lib/etcd-snapshots";
export const ETCD_SNAPSHOT_NAMESPACE = "kube-system";
export const ETCD_SNAPSHOT_NAME = "etcd-snapshot";
/** Secret (key `credentials`: an AWS credentials file) the S3 upload signs with. */
export const ETCD_SNAPSHOT_CREDENTIALS_SECRET = "etcd-snapshot-s3-credentials";
/** ConfigMap holding snapshot.sh, which the Pod runs in the host. */
export const ETCD_SNAPSHOT_SCRIPT_CONFIGMAP = "etcd-snapshot-script";

export type EtcdSnapshotTarget =
  | { type: "s3"; url: string; bucket: string; region: string; prefix: string }
  | { type: "nfs"; server: string; path: string; prefix: string }
  | { type: "node"; dir: string };

export interface EtcdSnapshotParams {
  clusterName: string;
  /** Cron schedule as Kubernetes CronJobs read it, e.g. "0 *\/6 * * *". */
  schedule: string;
  /** Snapshots kept at the target. */
  retain: number;
  target: EtcdSnapshotTarget;
  /** Client URL of every etcd member (https://<control plane>:2379). */
  etcdEndpoints: string[];
  /** The text of scripts/snapshot.sh. */
  script: string;
  /** Registry of the busybox image (registries.imageRegistry). */
  shellRegistry?: string;
}

function shellImage(registry?: string): string {
  const ref = ETCD_SNAPSHOT_IMAGES.shell;
  return `${(registry ?? ref.defaultRegistry).replace(/\/+$/, "")}/${ref.repository}:${ref.tag}`;
}

/** snapshot.sh's environment for the target (the S3 credentials come from the Secret). */
export function targetEnv(target: EtcdSnapshotTarget): Record<string, string> {
  switch (target.type) {
    case "s3":
      return { TARGET: "s3", S3_URL: target.url, S3_BUCKET: target.bucket, S3_REGION: target.region, S3_PREFIX: target.prefix };
    case "nfs":
      return { TARGET: "nfs", NFS_SERVER: target.server, NFS_PATH: target.path, NFS_PREFIX: target.prefix };
    case "node":
      return { TARGET: "node", LOCAL_DIR: target.dir };
  }
}

/** The ConfigMap with the script and the CronJob (the credentials Secret is made from the Pulumi secret). */
export function etcdSnapshotManifests(p: EtcdSnapshotParams): Manifest[] {
  if (!Number.isInteger(p.retain) || p.retain < 1) throw new Error(`etcd snapshots: retain must be a positive integer, got ${p.retain}`);
  const labels = { "app.kubernetes.io/name": ETCD_SNAPSHOT_NAME, "app.kubernetes.io/part-of": "onprem-k8s" };
  const plain = { CLUSTER_NAME: p.clusterName, RETAIN: String(p.retain), ETCD_ENDPOINTS: p.etcdEndpoints.join(","), ...targetEnv(p.target) };
  const env: Record<string, unknown>[] = [
    { name: "PATH", value: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
    ...Object.entries(plain).map(([name, value]) => ({ name, value })),
    { name: "ETCD_SNAPSHOT_SCRIPT", valueFrom: { configMapKeyRef: { name: ETCD_SNAPSHOT_SCRIPT_CONFIGMAP, key: "snapshot.sh" } } },
  ];
  if (p.target.type === "s3") env.push({ name: "S3_CREDENTIALS", valueFrom: { secretKeyRef: { name: ETCD_SNAPSHOT_CREDENTIALS_SECRET, key: "credentials" } } });
  const configMap: Manifest = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: ETCD_SNAPSHOT_SCRIPT_CONFIGMAP, namespace: ETCD_SNAPSHOT_NAMESPACE, labels },
    data: { "snapshot.sh": p.script },
  };
  const cronJob: Manifest = {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: ETCD_SNAPSHOT_NAME, namespace: ETCD_SNAPSHOT_NAMESPACE, labels },
    spec: {
      schedule: p.schedule,
      concurrencyPolicy: "Forbid",
      // A missed run (all control planes down at the time) runs when one is back, within an hour.
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          // Each retry is a new Pod, which the scheduler may place on another control plane.
          backoffLimit: 3,
          activeDeadlineSeconds: 1800,
          template: {
            metadata: { labels },
            spec: {
              restartPolicy: "Never",
              // The host's network: etcd members, the store and the NFS server as the node reaches them.
              hostNetwork: true,
              dnsPolicy: "ClusterFirstWithHostNet",
              priorityClassName: "system-cluster-critical",
              nodeSelector: { "node-role.kubernetes.io/control-plane": "" },
              tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }],
              // Only where kubeadm's etcd static Pod is: the script runs etcdctl in it.
              affinity: {
                podAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: [
                    { labelSelector: { matchLabels: { component: "etcd", tier: "control-plane" } }, namespaces: ["kube-system"], topologyKey: "kubernetes.io/hostname" },
                  ],
                },
              },
              containers: [
                {
                  name: "snapshot",
                  image: shellImage(p.shellRegistry),
                  // The script's text is the argument bash -c runs in the host; $(VAR) is the kubelet's expansion.
                  command: ["chroot", "/host", "/bin/bash", "-c", "$(ETCD_SNAPSHOT_SCRIPT)", ETCD_SNAPSHOT_NAME],
                  env,
                  // crictl talks to containerd's socket; NFS needs mount.
                  securityContext: { privileged: true, runAsUser: 0 },
                  volumeMounts: [{ name: "host", mountPath: "/host" }],
                },
              ],
              volumes: [{ name: "host", hostPath: { path: "/", type: "Directory" } }],
            },
          },
        },
      },
    },
  };
  return [configMap, cronJob];
}
