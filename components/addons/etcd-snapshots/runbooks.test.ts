// The restore runbooks name the real hosts, addresses, store and paths of the description, and every
// command block is valid bash.
import { describe, expect, it } from "vitest";
import { stackSpec } from "../../../test/stack-spec";
import { runProcess } from "../../../test/tools/process";
import { ArtifactSink } from "../../artifacts";
import type { ClusterContext } from "../../context";
import { renderRestoreRunbooks } from "../runbooks";
import { veleroNamespaceRunbook } from "../velero/runbook";
import { RESTORE_DIR, clusterRestoreRunbook, controlPlaneRestoreRunbooks, runbookMarkdown, type Runbook } from "./runbooks";

const S3 = { url: "https://s3.backup.example.internal:7070", bucket: "etcd-snapshots", prefix: "etcd/nsx-prod" };
const withS3 = () => stackSpec("prod", (c) => (c.addons.backups = { ...c.addons.backups, etcdSnapshots: { enabled: true, s3: S3 } }));

async function expectBashParses(runbook: Runbook): Promise<void> {
  for (const step of runbook.steps) {
    const r = await runProcess("bash", ["-n"], { input: step.commands.join("\n"), allowFail: true });
    expect(r.status, `${step.title}: ${r.stderr}`).toBe(0);
  }
}

describe("whole-cluster restore from an etcd snapshot", () => {
  it("restores every control plane's member under its own name and address, from the store the description names", async () => {
    const spec = withS3();
    const runbook = clusterRestoreRunbook(spec);
    const text = runbookMarkdown(runbook);
    const initialCluster = spec.controlPlanes.map((cp) => `${cp.name}=https://${cp.address}:2380`).join(",");
    expect(runbook.steps[0]!.commands[0]).toContain(`"${S3.url}/${S3.bucket}?list-type=2&prefix=etcd%2Fnsx-prod%2Fetcd-snapshot-"`);
    for (const cp of spec.controlPlanes) {
      const restore = runbook.steps.find((s) => s.on !== "operator" && s.on.node === cp.name && s.title.includes("restore it into a new data directory"))!;
      expect(restore.on).toEqual({ node: cp.name, address: cp.address });
      expect(restore.commands.join("\n")).toContain(`"${S3.url}/${S3.bucket}/${S3.prefix}/$SNAPSHOT"`);
      expect(restore.commands.join("\n")).toContain(`etcdutl snapshot restore ${RESTORE_DIR}/snapshot.db --name ${cp.name} --initial-cluster ${initialCluster} --initial-advertise-peer-urls https://${cp.address}:2380 --data-dir ${RESTORE_DIR}/data`);
      expect(text).toContain(`Run on ${cp.name} (${cp.address}), as root:`);
      expect(text).toContain(`curl --silent --show-error --insecure --max-time 5 https://${cp.address}:6443/readyz`);
    }
    // Every node's kubelet restarts; the end check counts them all through the endpoint's kubeconfig.
    for (const node of spec.nodes) expect(runbook.steps.some((s) => s.on !== "operator" && s.on.node === node.name && s.commands.includes("systemctl restart kubelet"))).toBe(true);
    expect(runbook.steps.at(-1)!.commands.join("\n")).toContain(`-eq ${spec.nodes.length} ]`);
    // Stages in order: all restored, all stopped, all swapped, etcd healthy, control planes back, kubelets.
    const stage = (s: { title: string }) => ["restore it into", "stop etcd", "swap in", "every member is healthy", "start the apiserver", "restart kubelet", "every node Ready"].findIndex((t) => s.title.includes(t));
    const stages = runbook.steps.slice(1).map(stage);
    expect(stages).toEqual([...stages].sort((a, b) => a - b));
    expect(stages).not.toContain(-1);
    await expectBashParses(runbook);
  });

  it("fetches from the NFS export, or lists the snapshots kept on each control plane without a target", async () => {
    const nfs = clusterRestoreRunbook(stackSpec("prod", (c) => (c.addons.backups = { ...c.addons.backups, etcdSnapshots: { enabled: true, nfs: { server: "10.0.20.5", path: "/srv/backup" } } })));
    expect(nfs.steps[1]!.commands).toContain("mountpoint -q /mnt/etcd-snapshots || mount -t nfs -o ro 10.0.20.5:/srv/backup /mnt/etcd-snapshots");
    expect(nfs.steps[1]!.commands).toContain(`cp /mnt/etcd-snapshots/nsx-prod/"$SNAPSHOT" ${RESTORE_DIR}/snapshot.db`);
    await expectBashParses(nfs);
    const spec = stackSpec("prod", (c) => (c.addons.backups = { ...c.addons.backups, etcdSnapshots: { enabled: true } }));
    const local = clusterRestoreRunbook(spec);
    for (const cp of spec.controlPlanes) expect(local.steps[0]!.commands).toContain(`ssh ${spec.ssh.user}@${cp.address} sudo ls -1 /var/lib/etcd-snapshots/ | sed 's/^/${cp.name}: /'`);
    await expectBashParses(local);
  });
});

describe("one lost control plane", () => {
  it("removes its Node and member from another control plane and rebuilds it; the first one goes by the whole-cluster restore", async () => {
    const spec = withS3();
    const runbooks = controlPlaneRestoreRunbooks(spec);
    expect(runbooks).toHaveLength(spec.controlPlanes.length);
    spec.controlPlanes.forEach((lost, i) => {
      const runbook = runbooks[i]!;
      expect(runbook.title).toBe(`Restore control plane ${lost.name} (${lost.address})`);
      const removal = runbook.steps[0]!;
      expect(removal.on !== "operator" && removal.on.node).not.toBe(lost.name);
      expect(removal.commands.join("\n")).toContain(`delete node ${lost.name} --ignore-not-found`);
      expect(removal.commands.join("\n")).toContain(`awk -F', ' '$3 == "${lost.name}" {print $1}'`);
      expect(runbook.steps[1]!.on).toEqual({ node: lost.name, address: lost.address });
      expect(runbook.steps[2]!.commands[0]).toContain(`::${lost.name}-${i === 0 ? "init" : "join"}$`);
    });
    expect(runbooks[0]!.steps[2]!.note).toMatch(/whole-cluster restore/);
    for (const r of runbooks) await expectBashParses(r);
  });
});

describe("a namespace from Velero", () => {
  it("restores from the chart's schedule in Velero's namespace, naming the store; none without Velero", async () => {
    const spec = stackSpec("prod");
    const runbook = veleroNamespaceRunbook(spec)!;
    const text = runbookMarkdown(runbook);
    const velero = spec.addons.backups.velero!;
    expect(text).toContain(`${velero.s3Url}/${velero.bucket}/${spec.name}/`);
    expect(text).toContain('velero --namespace velero restore create "$RESTORE" --from-schedule velero-cluster-daily --include-namespaces "$NAMESPACE" --wait');
    await expectBashParses(runbook);
    expect(veleroNamespaceRunbook(stackSpec("poc"))).toBeUndefined();
  });
});

it("renders the runbooks as plan artifacts", () => {
  const artifacts = new ArtifactSink();
  renderRestoreRunbooks({ spec: withS3(), artifacts } as unknown as ClusterContext);
  expect(artifacts.list().map((a) => [a.kind, a.path])).toEqual([
    ["runbook", "runbooks/restore-cluster-from-snapshot.md"],
    ["runbook", "runbooks/restore-control-plane.md"],
    ["runbook", "runbooks/restore-namespace-velero.md"],
  ]);
});
