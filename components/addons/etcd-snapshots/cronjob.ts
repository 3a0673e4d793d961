/**
 * etcd snapshots (seed 001): a CronJob on the control planes that saves a snapshot with etcdctl
 * over the local etcd client port, using kubeadm's etcd healthcheck client certificate, into
 * hostPath /var/lib/etcd-snapshots, and keeps the newest `retain` files.
 */
import { ETCD_SNAPSHOT_IMAGES } from "../charts";

export const ETCD_SNAPSHOT_DIR = "/var/lib/etcd-snapshots";
const PKI = "/etc/kubernetes/pki/etcd";

export interface EtcdSnapshotParams {
  /** Cron schedule, e.g. "0 *\/6 * * *". */
  schedule: string;
  /** Snapshots kept on the node that took them. */
  retain: number;
  /** Registry of etcdctl (the control-plane image mirror, kubernetes.imageRepository). */
  etcdctlRegistry?: string;
  /** Registry of the shell image (registries.imageRegistry). */
  shellRegistry?: string;
}

function image(ref: { defaultRegistry: string; repository: string; tag: string }, registry?: string): string {
  return `${(registry ?? ref.defaultRegistry).replace(/\/+$/, "")}/${ref.repository}:${ref.tag}`;
}

/** Names the fresh snapshot by time and prunes the oldest beyond RETAIN (busybox sh). */
export const ROTATE_SCRIPT = [
  "set -eu",
  `cd ${ETCD_SNAPSHOT_DIR}`,
  'name="etcd-$(date -u +%Y%m%dT%H%M%SZ).db"',
  'mv .incoming.db "$name"',
  'echo "saved $name"',
  'ls -1 etcd-*.db | sort -r | tail -n "+$((RETAIN + 1))" | while read -r old; do rm -f -- "$old"; echo "pruned $old"; done',
].join("\n");

export function etcdSnapshotCronJob(p: EtcdSnapshotParams): Record<string, unknown> {
  if (!Number.isInteger(p.retain) || p.retain < 1) throw new Error(`etcd snapshots: retain must be a positive integer, got ${p.retain}`);
  const volumeMounts = [
    { name: "etcd-certs", mountPath: PKI, readOnly: true },
    { name: "snapshots", mountPath: ETCD_SNAPSHOT_DIR },
  ];
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "etcd-snapshot", namespace: "kube-system", labels: { "app.kubernetes.io/name": "etcd-snapshot" } },
    spec: {
      schedule: p.schedule,
      concurrencyPolicy: "Forbid",
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 900,
          template: {
            metadata: { labels: { "app.kubernetes.io/name": "etcd-snapshot" } },
            spec: {
              restartPolicy: "OnFailure",
              // etcd listens on 127.0.0.1:2379 of each control plane.
              hostNetwork: true,
              priorityClassName: "system-cluster-critical",
              nodeSelector: { "node-role.kubernetes.io/control-plane": "" },
              tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }],
              securityContext: { runAsUser: 0 },
              // etcdctl's image is distroless: it writes a fixed name; the shell step names and prunes.
              initContainers: [
                {
                  name: "snapshot",
                  image: image(ETCD_SNAPSHOT_IMAGES.etcdctl, p.etcdctlRegistry),
                  command: [
                    "etcdctl",
                    "--endpoints=https://127.0.0.1:2379",
                    `--cacert=${PKI}/ca.crt`,
                    `--cert=${PKI}/healthcheck-client.crt`,
                    `--key=${PKI}/healthcheck-client.key`,
                    "snapshot",
                    "save",
                    `${ETCD_SNAPSHOT_DIR}/.incoming.db`,
                  ],
                  env: [{ name: "ETCDCTL_API", value: "3" }],
                  volumeMounts,
                },
              ],
              containers: [
                {
                  name: "rotate",
                  image: image(ETCD_SNAPSHOT_IMAGES.shell, p.shellRegistry),
                  command: ["/bin/sh", "-c", ROTATE_SCRIPT],
                  env: [{ name: "RETAIN", value: String(p.retain) }],
                  volumeMounts: [{ name: "snapshots", mountPath: ETCD_SNAPSHOT_DIR }],
                },
              ],
              volumes: [
                { name: "etcd-certs", hostPath: { path: PKI, type: "Directory" } },
                { name: "snapshots", hostPath: { path: ETCD_SNAPSHOT_DIR, type: "DirectoryOrCreate" } },
              ],
            },
          },
        },
      },
    },
  };
}
