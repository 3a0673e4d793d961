// The snapshot CronJob as the API server validates it, and what its Pod is told for each target.
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { stackSpec } from "../../../test/stack-spec";
import { validateManifests } from "../../../test/tools/kube-validate";
import { etcdSnapshotManifestsOf } from "../plan";
import { ETCD_SNAPSHOT_CREDENTIALS_SECRET, etcdSnapshotManifests } from "./cronjob";

const toYaml = (docs: unknown[]): string => docs.map((d) => `---\n${stringify(d)}`).join("");
const S3 = { url: "https://s3.backup.example.internal:7070/", bucket: "etcd-snapshots" };

function podOf(manifests: Record<string, any>[]) {
  const cronJob = manifests.find((m) => m.kind === "CronJob")!;
  return { cronJob, pod: cronJob.spec.jobTemplate.spec.template.spec };
}
const envOf = (pod: any): Record<string, unknown> => Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe("etcd snapshot CronJob", () => {
  it("is valid for the API server, runs only where an etcd Pod is, and enters the host to run the script from its ConfigMap", async () => {
    const spec = stackSpec("prod", (c) => (c.addons.backups = { ...c.addons.backups, etcdSnapshots: { enabled: true, s3: S3 } }));
    const manifests = etcdSnapshotManifestsOf(spec) as Record<string, any>[];
    expect((await validateManifests(toYaml(manifests), { kubernetesVersion: spec.kubernetes.version })).ok).toBe(true);
    const { cronJob, pod } = podOf(manifests);
    expect(cronJob.spec).toMatchObject({ schedule: "0 */6 * * *", concurrencyPolicy: "Forbid" });
    expect(pod.nodeSelector).toEqual({ "node-role.kubernetes.io/control-plane": "" });
    expect(pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]).toMatchObject({ labelSelector: { matchLabels: { component: "etcd" } }, topologyKey: "kubernetes.io/hostname" });
    // Not pinned to a host: no nodeName, no hostname selector.
    expect(pod.nodeName).toBeUndefined();
    expect(JSON.stringify(pod.nodeSelector)).not.toContain("hostname");
    expect(pod.containers[0].command).toEqual(["chroot", "/host", "/bin/bash", "-c", "$(ETCD_SNAPSHOT_SCRIPT)", "etcd-snapshot"]);
    expect(pod.containers[0].image).toBe("docker.io/library/busybox:1.37.0");
    const configMap = manifests.find((m) => m.kind === "ConfigMap")!;
    expect(configMap.data["snapshot.sh"]).toMatch(/^#!\/usr\/bin\/env bash/);
    const env = envOf(pod);
    expect(env).toMatchObject({
      CLUSTER_NAME: spec.name,
      TARGET: "s3",
      S3_URL: "https://s3.backup.example.internal:7070",
      S3_BUCKET: "etcd-snapshots",
      S3_REGION: "us-east-1",
      S3_PREFIX: spec.name,
      RETAIN: "28",
      ETCD_ENDPOINTS: spec.controlPlanes.map((cp) => `https://${cp.address}:2379`).join(","),
      S3_CREDENTIALS: { secretKeyRef: { name: ETCD_SNAPSHOT_CREDENTIALS_SECRET, key: "credentials" } },
    });
    // No secret in the manifests: they become a plan artifact.
    expect(JSON.stringify(manifests)).not.toMatch(/aws_secret_access_key\s*=\s*\S/);
  });

  it("mounts nothing secret for NFS or the node, and says where the snapshots go", () => {
    const nfs = envOf(podOf(etcdSnapshotManifestsOf(stackSpec("prod", (c) => (c.addons.backups = { ...c.addons.backups, etcdSnapshots: { enabled: true, nfs: { server: "10.0.20.5", path: "/srv/backup", prefix: "etcd" } } }))) as any).pod);
    expect(nfs).toMatchObject({ TARGET: "nfs", NFS_SERVER: "10.0.20.5", NFS_PATH: "/srv/backup", NFS_PREFIX: "etcd" });
    expect(nfs.S3_CREDENTIALS).toBeUndefined();
    const node = envOf(podOf(etcdSnapshotManifestsOf(stackSpec("prod", (c) => (c.addons.backups = { ...c.addons.backups, etcdSnapshots: { enabled: true } }))) as any).pod);
    expect(node).toMatchObject({ TARGET: "node", LOCAL_DIR: "/var/lib/etcd-snapshots" });
    expect(etcdSnapshotManifestsOf(stackSpec("poc"))).toEqual([]);
  });

  it("takes the busybox image from the site's registry, and refuses a retention below one", () => {
    const mirrored = stackSpec("prod", (c) => {
      c.addons.backups = { ...c.addons.backups, etcdSnapshots: { enabled: true, s3: S3 } };
      c.registries = { ...(c.registries ?? {}), imageRegistry: "registry.mirror.local:5000" };
    });
    expect(podOf(etcdSnapshotManifestsOf(mirrored) as any).pod.containers[0].image).toBe("registry.mirror.local:5000/library/busybox:1.37.0");
    expect(() => etcdSnapshotManifests({ clusterName: "x", schedule: "@daily", retain: 0, target: { type: "node", dir: "/d" }, etcdEndpoints: [], script: "" })).toThrow(/retain/);
  });
});
