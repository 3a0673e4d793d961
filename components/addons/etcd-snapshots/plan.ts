// What the etcd snapshots of a description are, as data (the CronJob's target, the members it may
// take a snapshot from, its manifests); addons/index.ts wires them, the runbooks name the same.
import * as fs from "node:fs";
import * as path from "node:path";
import type { ClusterSpec } from "../../../stacks/spec";
import type { Manifest } from "../types";
import { ETCD_SNAPSHOT_DIR, etcdSnapshotManifests, type EtcdSnapshotTarget } from "./cronjob";

/** The script the snapshot CronJob runs in the host (components/addons/etcd-snapshots/scripts). */
export const ETCD_SNAPSHOT_SCRIPT = path.join(__dirname, "scripts", "snapshot.sh");

/** Where the snapshots go: the described store or export (below the prefix, the cluster name by default), else the node. */
export function etcdSnapshotTargetOf(spec: ClusterSpec): EtcdSnapshotTarget {
  const snapshots = spec.addons.backups.etcdSnapshots;
  if (snapshots?.s3) return { type: "s3", url: snapshots.s3.url.replace(/\/+$/, ""), bucket: snapshots.s3.bucket, region: snapshots.s3.region, prefix: snapshots.s3.prefix ?? spec.name };
  if (snapshots?.nfs) return { type: "nfs", server: snapshots.nfs.server, path: snapshots.nfs.path, prefix: snapshots.nfs.prefix ?? spec.name };
  return { type: "node", dir: ETCD_SNAPSHOT_DIR };
}

/** Client URL of every etcd member: kubeadm's stacked etcd listens on each control plane's address. */
export function etcdClientUrlsOf(spec: ClusterSpec): string[] {
  return spec.controlPlanes.map((cp) => `https://${cp.address}:2379`);
}

export function etcdSnapshotManifestsOf(spec: ClusterSpec): Manifest[] {
  const snapshots = spec.addons.backups.etcdSnapshots;
  if (!snapshots?.enabled) return [];
  return etcdSnapshotManifests({
    clusterName: spec.name,
    schedule: snapshots.schedule,
    retain: snapshots.retain,
    target: etcdSnapshotTargetOf(spec),
    etcdEndpoints: etcdClientUrlsOf(spec),
    script: fs.readFileSync(ETCD_SNAPSHOT_SCRIPT, "utf8"),
    shellRegistry: spec.registries.imageRegistry,
  });
}

