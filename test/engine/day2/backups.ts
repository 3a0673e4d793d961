// The journey's backups (components/addons/etcd-snapshots): versitygw v1.8.0 listens on the lab's
// gateway address (the nodes' only peer, like the package mirror); the description gets an S3
// target and `pulumi up` takes it (the secret etcdSnapshotS3Credentials set as the README says).
// The lab's kubernetes provider is the stand-in that records only, so the objects it recorded (the
// snapshot ConfigMap and CronJob from the state, the credentials Secret) are applied to the real
// cluster with kubectl; the shipped CronJob's Job then takes a snapshot that must land in the store
// and pass `etcdutl snapshot status`. A key is deleted, the whole cluster is restored from that
// snapshot by running the rendered runbook's commands on the hosts they name, and the key reads
// back with every node Ready.
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";
import { parse, stringify } from "yaml";
import { RESTORE_CURL_CONFIG, clusterRestoreRunbook } from "../../../components/addons/etcd-snapshots/runbooks";
import { ETCD_SNAPSHOT_CREDENTIALS_SECRET } from "../../../components/addons/etcd-snapshots/cronjob";
import { addonManifests } from "../../../components/addons/plan";
import { CLUSTER_KEY } from "../../../stacks/config-keys";
import type { ClusterSpec } from "../../../stacks/spec";
import { formatProblems, validateCluster } from "../../../stacks/validate";
import { etcdutlBinary } from "../../tools/go-binaries";
import { runProcess } from "../../tools/process";
import { startS3Store, type S3Store } from "../../tools/versitygw";
import type { JourneyContext, JourneyPhase } from "./context";

const BUCKET = "etcd-snapshots";
const STORE_PORT = 7070;
const PROBE_KEY = "backup-probe";
const SNAPSHOT_NAME = /etcd-snapshot-\d{8}T\d{6}Z-[a-z0-9.-]+\.db/;

let store: S3Store | undefined;
let snapshot = "";

/** The stack's description as the program validates it now (its stack file). */
export function currentSpec(ctx: JourneyContext, secrets: string[] = []): ClusterSpec {
  const cluster = parse(fs.readFileSync(ctx.stack.file(), "utf8")).config[CLUSTER_KEY];
  const result = validateCluster(cluster, { secretsPresent: new Set(["sshPrivateKey", ...secrets]) as never, planMode: false });
  if (!result.ok) throw new Error(formatProblems(result.problems));
  return result.spec;
}

const credentialsFile = (s: S3Store) => `[default]\naws_access_key_id = ${s.accessKeyId}\naws_secret_access_key = ${s.secretAccessKey}\n`;

// (A step's stdin is a socket here, which /dev/stdin cannot open: input goes through cat.)
async function kubectl(ctx: JourneyContext, args: string, input?: string): Promise<string> {
  const r = await ctx.first().exec(`kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=30s ${args}`, { input });
  if (r.status !== 0) throw new Error(`kubectl ${args} exited ${r.status}:\n${r.output}`);
  return r.stdout;
}

/**
 * The objects the program's etcd-snapshots ConfigGroup carries for `spec` (components/addons/plan.ts,
 * which the program passes to the provider as they are). The engine's state keeps no inputs of a
 * provider-side component such as ConfigGroup, so they come from the same function, not the state.
 */
function plannedObjects(spec: ClusterSpec): Record<string, unknown>[] {
  const objects = addonManifests(spec)["etcd-snapshots"];
  if (!objects) throw new Error("the plan renders no etcd-snapshots manifests for the journey's description");
  return objects as Record<string, unknown>[];
}

export const backupPhases: JourneyPhase[] = [
  {
    name: "backups: the shipped snapshot job writes a snapshot to versitygw that passes etcdutl snapshot status",
    minutes: 20,
    async run(ctx) {
      const { hosts, editDescription, upWithEvents, workspace, stack, report } = ctx;
      store = await startS3Store({ listen: { address: hosts.gateway, port: STORE_PORT, wrap: (argv) => hosts.command(argv) } });
      await store.createBucket(BUCKET);
      const url = `http://${hosts.gateway}:${STORE_PORT}`;
      editDescription((cluster) => (cluster.addons.backups = { etcdSnapshots: { enabled: true, retain: 3, s3: { url, bucket: BUCKET } } }));
      await workspace.pulumiOk(["config", "set", "--secret", "etcdSnapshotS3Credentials", "-s", stack.name], { input: credentialsFile(store) });
      await upWithEvents();
      const spec = currentSpec(ctx, ["etcdSnapshotS3Credentials"]);

      // The program's objects for this description, applied for real; the Secret as the program makes it.
      await kubectl(ctx, `-n kube-system create secret generic ${ETCD_SNAPSHOT_CREDENTIALS_SECRET} --from-file=credentials=<(cat)`, credentialsFile(store));
      const objects = plannedObjects(spec);
      expect(objects.map((o) => o.kind)).toEqual(["ConfigMap", "CronJob"]);
      await kubectl(ctx, "apply -f -", objects.map((o) => `---\n${stringify(o)}`).join(""));
      await kubectl(ctx, `create configmap ${PROBE_KEY} --from-literal=value=before-snapshot`);

      const started = Date.now();
      await kubectl(ctx, "-n kube-system create job --from=cronjob/etcd-snapshot etcd-snapshot-journey");
      const waited = await ctx.first().exec("kubectl --kubeconfig /etc/kubernetes/admin.conf -n kube-system wait --for=condition=complete job/etcd-snapshot-journey --timeout=300s");
      const logs = (await ctx.first().exec("kubectl --kubeconfig /etc/kubernetes/admin.conf -n kube-system logs job/etcd-snapshot-journey --all-containers")).output;
      if (waited.status !== 0) {
        const describe = (await ctx.first().exec("kubectl --kubeconfig /etc/kubernetes/admin.conf -n kube-system describe job/etcd-snapshot-journey; kubectl --kubeconfig /etc/kubernetes/admin.conf -n kube-system get pods -o wide -l app.kubernetes.io/name=etcd-snapshot")).output;
        throw new Error(`the snapshot Job did not complete:\n${logs}\n${describe}`);
      }
      report(`backups: the snapshot Job completed in ${Math.round((Date.now() - started) / 1000)} s`);
      expect(logs).toMatch(new RegExp(`stored and read back: ${url}/${BUCKET}/${spec.name}/etcd-snapshot-`));

      const dir = path.join(store.root, BUCKET, spec.name);
      const stored = fs.readdirSync(dir).filter((f) => SNAPSHOT_NAME.test(f));
      expect(stored).toHaveLength(1);
      snapshot = stored[0]!;
      const status = await runProcess(await etcdutlBinary(), ["snapshot", "status", path.join(dir, snapshot), "--write-out=json"]);
      const parsed = JSON.parse(status.stdout) as { totalKey: number; revision: number };
      report(`backups: ${snapshot} in versitygw: ${parsed.totalKey} keys at revision ${parsed.revision}`);
      expect(parsed.totalKey).toBeGreaterThan(100);
    },
  },
  {
    name: "backups: a deleted key comes back when the rendered runbook restores the whole cluster from that snapshot",
    minutes: 25,
    async run(ctx) {
      const { hosts, controlPlanes, workers, report } = ctx;
      if (!store || !snapshot) throw new Error("no snapshot from the phase before");
      const spec = currentSpec(ctx, ["etcdSnapshotS3Credentials"]);
      await kubectl(ctx, `delete configmap ${PROBE_KEY}`);
      expect((await ctx.first().exec(`kubectl --kubeconfig /etc/kubernetes/admin.conf get configmap ${PROBE_KEY}`)).status).not.toBe(0);

      // What the runbook asks of the reader first: the store's key on every control plane.
      for (const cp of controlPlanes) {
        await hosts.node(cp).exec(`(umask 077 && cat > ${RESTORE_CURL_CONFIG})`, { input: `user = "${store.accessKeyId}:${store.secretAccessKey}"\n`, check: true });
      }
      const runbook = clusterRestoreRunbook(spec);
      const started = Date.now();
      for (const [i, step] of runbook.steps.entries()) {
        if (step.on === "operator") throw new Error(`step ${i + 1} runs on the operator's machine: ${step.title}`);
        const r = await hosts.node(step.on.node).exec(`SNAPSHOT='${snapshot}' bash -euo pipefail -s`, { input: `${step.commands.join("\n")}\n`, timeoutMs: 10 * 60_000 });
        if (r.status !== 0) throw new Error(`runbook step ${i + 1} "${step.title}" failed on ${step.on.node} (exit ${r.status}):\n${r.output.slice(-4000)}`);
        // The listing names the snapshot the job took.
        if (i === 0) expect(r.stdout.split("\n")).toContain(snapshot);
      }
      report(`backups: the whole-cluster restore by the runbook's ${runbook.steps.length} steps took ${Math.round((Date.now() - started) / 1000)} s`);
      expect((await kubectl(ctx, `get configmap ${PROBE_KEY} -o jsonpath={.data.value}`)).trim()).toBe("before-snapshot");
      await ctx.first().waitNodesReady([...controlPlanes, ...workers], 300);
      expect(await ctx.first().etcdMembers()).toEqual([...controlPlanes].sort());
      await store.stop();
      store = undefined;
    },
  },
];
