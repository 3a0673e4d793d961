// The backups part of the description: each bad input refused with its field, value, problem and
// fix; the target's secret required outside the plan; a snapshot that stays on its node warned about.
import { describe, expect, it } from "vitest";
import { readStackFile } from "./stack-file";
import { formatProblems, validateCluster, type Problem } from "./validate";

const TODAY = "2026-06-01";
const planMode = { secretsPresent: new Set<never>(), planMode: true, today: TODAY };
const S3 = { url: "https://s3.backup.example.internal:7070", bucket: "etcd-snapshots" };

function base(): Record<string, any> {
  const cluster = structuredClone(readStackFile("poc").cluster) as Record<string, any>;
  cluster.addons.ingress.type = "traefik";
  return cluster;
}

function problemsOf(snapshots: unknown, edit: (c: Record<string, any>) => void = () => {}, ctx: Record<string, unknown> = planMode): Problem[] {
  const cluster = base();
  cluster.addons.backups = { etcdSnapshots: snapshots };
  edit(cluster);
  const result = validateCluster(cluster, ctx as typeof planMode);
  return result.ok ? result.warnings : result.problems;
}

const at = (problems: Problem[], path: string) => problems.filter((p) => p.path === path);

describe("cluster.addons.backups.etcdSnapshots", () => {
  it.each([
    ["a schedule in Quartz syntax", { enabled: true, schedule: "0 2 L * *", s3: S3 }, "cluster.addons.backups.etcdSnapshots.schedule", /'L' in day-of-month is Quartz\/Jenkins syntax, which Kubernetes and Velero \(robfig\/cron\) do not read/, /five fields/],
    ["7 as Sunday", { enabled: true, schedule: "0 2 * * 7", s3: S3 }, "cluster.addons.backups.etcdSnapshots.schedule", /7 as Sunday/, /five fields/],
    ["a time zone, which CronJobs refuse inside the schedule", { enabled: true, schedule: "CRON_TZ=UTC 0 2 * * *", s3: S3 }, "cluster.addons.backups.etcdSnapshots.schedule", /time zone inside the schedule/, /five fields/],
    ["retention above one listing", { enabled: true, retain: 501, s3: S3 }, "cluster.addons.backups.etcdSnapshots.retain", /500/, /./],
    ["an s3 URL without scheme", { enabled: true, s3: { ...S3, url: "s3.backup.example.internal:7070" } }, "cluster.addons.backups.etcdSnapshots.s3.url", /http:\/\/ or https:\/\//, /./],
    ["an upper-case bucket", { enabled: true, s3: { ...S3, bucket: "Snapshots" } }, "cluster.addons.backups.etcdSnapshots.s3.bucket", /S3 bucket names/, /e\.g\. etcd-snapshots/],
    ["a prefix with a leading slash", { enabled: true, s3: { ...S3, prefix: "/etcd/prod" } }, "cluster.addons.backups.etcdSnapshots.s3.prefix", /leading or trailing '\/'/, /e\.g\. etcd\/prod/],
    ["a prefix climbing out", { enabled: true, nfs: { server: "10.0.20.5", path: "/srv/backup", prefix: "etcd/../other" } }, "cluster.addons.backups.etcdSnapshots.nfs.prefix", /'\.' or '\.\.' as a segment/, /path segments/],
    ["an NFS server written as host:/path", { enabled: true, nfs: { server: "10.0.20.5:/srv/backup", path: "/srv/backup" } }, "cluster.addons.backups.etcdSnapshots.nfs.server", /mount syntax host:\/path/, /the export in \.path/],
    ["both targets", { enabled: true, s3: S3, nfs: { server: "10.0.20.5", path: "/srv/backup" } }, "cluster.addons.backups.etcdSnapshots", /both s3 and nfs are set/, /keep one of cluster\.addons\.backups\.etcdSnapshots\.s3 and \.nfs/],
  ])("refuses %s with field, value, problem and fix", (_name, snapshots, path, message, fix) => {
    const problems = problemsOf(snapshots);
    const found = at(problems, path);
    expect(found.length, formatProblems(problems)).toBeGreaterThan(0);
    expect(found[0]!.severity).toBe("error");
    expect(found[0]!.problem).toMatch(message);
    expect(found[0]!.fix).toMatch(fix);
  });

  it("accepts a store, with the region and the prefix defaulted", () => {
    const cluster = base();
    cluster.addons.backups = { etcdSnapshots: { enabled: true, s3: S3 } };
    const result = validateCluster(cluster, planMode);
    expect(result.ok, result.ok ? "" : formatProblems(result.problems)).toBe(true);
    if (!result.ok) return;
    expect(result.spec.addons.backups.etcdSnapshots).toMatchObject({ schedule: "0 */6 * * *", retain: 28, s3: { ...S3, region: "us-east-1" } });
    expect(result.warnings.filter((w) => w.path.includes("etcdSnapshots"))).toEqual([]);
  });

  it("warns that snapshots without a target stay on the control plane that took them", () => {
    const found = at(problemsOf({ enabled: true }), "cluster.addons.backups.etcdSnapshots");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: "warning" });
    expect(found[0]!.problem).toMatch(/stay on the control plane that took them/);
    expect(found[0]!.fix).toMatch(/\.s3 \(url, bucket; the secret etcdSnapshotS3Credentials\) or \.nfs \(server, path\)/);
  });

  it("refuses S3 on RHEL 8, whose curl has no --aws-sigv4, and points to NFS", () => {
    const found = at(problemsOf({ enabled: true, s3: S3 }, (c) => (c.os = { family: "rhel", version: "8" })), "cluster.addons.backups.etcdSnapshots.s3");
    expect(found[0]?.problem).toMatch(/curl 7\.61/);
    expect(found[0]?.fix).toMatch(/NFS export \(cluster\.addons\.backups\.etcdSnapshots\.nfs\)/);
  });

  it("needs the secret etcdSnapshotS3Credentials outside the plan, and tells how to set it from a file", () => {
    const problems = problemsOf({ enabled: true, s3: S3 }, () => {}, { secretsPresent: new Set(["sshPrivateKey"]), planMode: false, today: TODAY });
    const found = at(problems, "onprem-k8s:etcdSnapshotS3Credentials");
    expect(found).toHaveLength(1);
    expect(found[0]!.fix).toBe("pulumi config set --secret etcdSnapshotS3Credentials < etcd-snapshot-credentials");
    expect(at(problemsOf({ enabled: true, nfs: { server: "10.0.20.5", path: "/srv/backup" } }, () => {}, { secretsPresent: new Set(["sshPrivateKey"]), planMode: false, today: TODAY }), "onprem-k8s:etcdSnapshotS3Credentials")).toEqual([]);
  });
});
