// The backups part of the add-ons section: etcd snapshots on a schedule, written off the node to an
// S3-compatible store or an NFS export, and Velero. Each schedule is checked in the dialect of the
// scheduler that reads it (both are robfig/cron: the CronJob controller and Velero).
import { z } from "zod";
import * as formats from "./formats";
import { checked, cron, httpUrl, veleroCron } from "./schema-primitives";

/** Objects in a ListObjectsV2 page; the snapshot job prunes from one page, so retention stays below it. */
export const MAX_SNAPSHOTS_RETAINED = 500;

const objectPrefix = checked(formats.objectPrefixProblem, "write the prefix as path segments of letters, digits, '.', '_' or '-' without leading or trailing '/', e.g. etcd/prod");

const s3TargetSchema = z
  .strictObject({
    url: httpUrl.describe("the store's S3 endpoint, e.g. https://s3.backup.example.internal:7070 (path-style requests: the bucket is a path below it)"),
    bucket: checked(formats.bucketProblem, "use the bucket's name as S3 knows it, e.g. etcd-snapshots").describe("bucket the snapshots go to (it must exist)"),
    region: checked(formats.singleLineProblem, "write the region on one line, e.g. us-east-1").default("us-east-1").describe("region the request signature names (SigV4); most on-prem stores accept us-east-1"),
    prefix: objectPrefix.optional().describe("key prefix inside the bucket; default: the cluster name, so clusters can share a bucket"),
  })
  .describe("S3-compatible store; the credentials are the secret `etcdSnapshotS3Credentials` (an AWS credentials file)");

const nfsTargetSchema = z
  .strictObject({
    server: checked(formats.nfsServerProblem, "write only the server's host name or address, e.g. 10.0.20.5, and the export in .path").describe("NFS server (host name or address)"),
    path: checked(formats.exportPathProblem, "write the exported directory as an absolute path without blanks, e.g. /srv/backup/etcd").describe("exported directory; the snapshots go to <path>/<prefix>/"),
    prefix: objectPrefix.optional().describe("directory below the export; default: the cluster name"),
  })
  .describe("NFS export mounted by the control plane taking the snapshot (needs the NFS client on the control planes)");

export const etcdSnapshotsSchema = z
  .strictObject({
    enabled: z.boolean(),
    schedule: cron.default("0 */6 * * *").describe("cron schedule of the snapshot CronJob, in the dialect of Kubernetes CronJobs (five fields or @daily etc., no time zone)"),
    retain: z.number().int().min(1).max(MAX_SNAPSHOTS_RETAINED).default(28).describe("snapshots kept at the target; older ones are deleted after each verified upload"),
    s3: s3TargetSchema.optional(),
    nfs: nfsTargetSchema.optional(),
  })
  .describe("etcd snapshots: taken on whichever control plane is healthy, verified with `etcdutl snapshot status`, written to s3 or nfs (without either they stay on the control plane that took them)");

export const backupsSchema = z
  .strictObject({
    etcdSnapshots: etcdSnapshotsSchema.optional(),
    velero: z
      .strictObject({
        enabled: z.boolean(),
        s3Url: httpUrl.optional(),
        bucket: checked(formats.bucketProblem, "use the bucket's name as S3 knows it, e.g. velero-backups").optional(),
        region: z.string().min(1).default("default"),
        schedule: veleroCron.default("0 2 * * *").describe("cron schedule of the whole-cluster backup (five fields or @daily etc.)"),
      })
      .optional(),
  })
  .describe("etcd snapshots and Velero");
