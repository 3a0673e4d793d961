// Runs scripts/snapshot.sh for real in the Debian sandbox, as the etcd-snapshot CronJob's Pod runs
// it in the host (`bash -c <script>` with the environment the rendered CronJob gives it): a real
// etcd with kubeadm's own etcd certificates (`kubeadm init phase certs`), the real etcdctl and
// etcdutl of the etcd image behind a crictl stand-in (test/sandbox/etcd-image-standins), Debian's
// real curl signing with --aws-sigv4, and versitygw v1.8.0 as the S3-compatible store. The
// snapshot must land in the store, read back with `etcdutl snapshot status` holding the keys put
// into etcd, and the oldest beyond `retain` must go.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderEnvPrefix } from "../../remote/env";
import { stackSpec } from "../../../test/stack-spec";
import { NodeSandbox, PACKAGE_LAYERS, sandboxGate, sandboxUnavailableReason, type RunResult } from "../../../test/sandbox/node-sandbox";
import { ETCD_IMAGE_STANDINS, startEtcdMember, type EtcdMember } from "../../../test/sandbox/etcd-member";
import { freePort } from "../../../test/tools/free-port";
import { runProcess, sleep } from "../../../test/tools/process";
import { startS3Store, type S3Store } from "../../../test/tools/versitygw";
import { expectShellcheckClean } from "../../../test/tools/shell-checks";
import { ETCD_SNAPSHOT_SCRIPT, etcdSnapshotManifestsOf } from "../plan";

const BUCKET = "etcd-snapshots";
const CLUSTER = "nsx-prod";
const SNAPSHOT_NAME = /^etcd-snapshot-\d{8}T\d{6}Z-[A-Za-z0-9.-]+\.db$/;

const gate = sandboxGate(sandboxUnavailableReason());
if (gate.warning) console.warn(gate.warning);

describe("etcd snapshot sandbox availability", () => {
  it.runIf(gate.failure !== undefined)("is available (required under CI)", () => {
    throw new Error(gate.failure);
  });
});

it("snapshot.sh passes shellcheck", async () => {
  await expectShellcheckClean(ETCD_SNAPSHOT_SCRIPT);
});

/** The environment the CronJob's container gets, its ConfigMap and Secret references resolved. */
function cronJobEnv(manifests: Record<string, any>[], credentials: string): Record<string, string> {
  const cronJob = manifests.find((m) => m.kind === "CronJob")!;
  const configMap = manifests.find((m) => m.kind === "ConfigMap")!;
  const container = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
  const env: Record<string, string> = {};
  for (const e of container.env as { name: string; value?: string; valueFrom?: any }[]) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom.configMapKeyRef) env[e.name] = configMap.data[e.valueFrom.configMapKeyRef.key];
    else if (e.valueFrom.secretKeyRef) env[e.name] = credentials;
  }
  return env;
}

describe.runIf(gate.run)("etcd-snapshots/scripts/snapshot.sh against a real etcd and versitygw", () => {
  let sb: NodeSandbox;
  let store: S3Store;
  let etcd: EtcdMember;
  let etcdPort = 0;
  let deadPort = 0;
  let credentials = "";

  /** The CronJob's environment for the prod stack with its store, and test-only overrides. */
  function jobEnv(overrides: Record<string, string> = {}, retain = 3): Record<string, string> {
    const spec = stackSpec("prod", (c: any) => {
      c.addons.backups = { etcdSnapshots: { enabled: true, retain, s3: { url: `http://${store.endpoint}`, bucket: BUCKET } }, velero: { enabled: false } };
    });
    const env = cronJobEnv(etcdSnapshotManifestsOf(spec) as Record<string, any>[], credentials);
    // The sandbox's etcd listens on loopback: this host's member, not the stack's addresses.
    return { ...env, LOCAL_ENDPOINT: `https://127.0.0.1:${etcdPort}`, ETCD_ENDPOINTS: `https://127.0.0.1:${etcdPort}`, ...overrides };
  }

  /** What the CronJob's container runs in the host: `bash -c <script> etcd-snapshot` with its environment. */
  function runJob(env: Record<string, string>): Promise<RunResult> {
    const script = env.ETCD_SNAPSHOT_SCRIPT!;
    sb.writeFile("/var/lib/sandbox/snapshot.sh", script);
    const rest = Object.fromEntries(Object.entries(env).filter(([k]) => k !== "ETCD_SNAPSHOT_SCRIPT" && k !== "PATH"));
    return sb.exec(`${renderEnvPrefix(rest)}bash -c "$(cat /var/lib/sandbox/snapshot.sh)" etcd-snapshot`);
  }

  const stored = (): string[] => {
    const dir = path.join(store.root, BUCKET, CLUSTER);
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  };

  const put = (key: string, value: string) => etcd.ctl(["put", key, value]);

  beforeAll(async () => {
    sb = await NodeSandbox.create("etcd-snapshot", { packages: PACKAGE_LAYERS.labHost, standins: [ETCD_IMAGE_STANDINS] });
    etcd = await startEtcdMember(sb, "snapshot-host");
    etcdPort = Number(new URL(etcd.endpoint).port);
    deadPort = await freePort();
    store = await startS3Store();
    await store.createBucket(BUCKET);
    credentials = `[default]\naws_access_key_id = ${store.accessKeyId}\naws_secret_access_key = ${store.secretAccessKey}\n`;
    for (let i = 1; i <= 5; i++) await put(`/registry/configmaps/default/key-${i}`, `value-${i}`);
  }, 20 * 60_000);

  afterAll(async () => {
    await etcd?.stop();
    await store?.stop();
    await sb?.dispose();
  });

  it("takes a snapshot, stores it in the bucket under the cluster's prefix, and the stored object is a snapshot holding the keys", async () => {
    const r = await runJob(jobEnv());
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(new RegExp(`stored and read back: http://${store.endpoint.replace(/\./g, "\\.")}/${BUCKET}/${CLUSTER}/etcd-snapshot-`));
    const objects = stored();
    expect(objects).toHaveLength(1);
    expect(objects[0]).toMatch(SNAPSHOT_NAME);
    const status = await runProcess(etcd.etcdutl, ["snapshot", "status", path.join(store.root, BUCKET, CLUSTER, objects[0]!), "--write-out=json"]);
    expect(JSON.parse(status.stdout).totalKey).toBeGreaterThanOrEqual(5);
    // Nothing stays on the node: the staging directory goes with the run.
    expect(sb.exists("/var/lib/etcd/snapshot-staging")).toBe(false);
    // The keys never reach a command line: curl reads them on stdin.
    expect(sb.calls().join("\n")).not.toContain(store.secretAccessKey);
  });

  it("keeps the newest `retain` snapshots and leaves other objects in the bucket alone", async () => {
    const dir = path.join(store.root, BUCKET, CLUSTER);
    for (const old of ["etcd-snapshot-20240101T000000Z-k8s-master-1.db", "etcd-snapshot-20240102T000000Z-k8s-master-2.db", "etcd-snapshot-20240103T000000Z-k8s-master-3.db"]) fs.writeFileSync(path.join(dir, old), "old");
    fs.writeFileSync(path.join(dir, "notes.txt"), "not a snapshot");
    const before = stored().filter((f) => SNAPSHOT_NAME.test(f));
    await sleep(1100);
    const r = await runJob(jobEnv({}, 2));
    expect(r.status, r.output).toBe(0);
    const after = stored();
    const snapshots = after.filter((f) => SNAPSHOT_NAME.test(f));
    expect(snapshots).toHaveLength(2);
    // The new one and the previous run's; the three old ones went.
    expect(snapshots[0]).toBe(before.at(-1));
    expect(after).toContain("notes.txt");
    expect(r.output).toMatch(/deleted nsx-prod\/etcd-snapshot-20240101T000000Z-k8s-master-1\.db/);
    expect(r.output).toMatch(/3 old snapshot\(s\) deleted/);
  });

  it("takes the snapshot from the first healthy member when this host's is not", async () => {
    const dead = `https://127.0.0.1:${deadPort}`;
    await put("/registry/configmaps/default/fallback", "yes");
    await sleep(1100);
    const r = await runJob(jobEnv({ LOCAL_ENDPOINT: dead, ETCD_ENDPOINTS: `${dead},https://127.0.0.1:${etcdPort}` }, 10));
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain(`unhealthy members skipped:`);
    expect(r.output).toContain(`  ${dead}: `);
    expect(r.output).toMatch(new RegExp(`saved etcd-snapshot-\\S+ from https://127\\.0\\.0\\.1:${etcdPort} `));
  });

  it("fails naming every member when none is healthy, and stores nothing", async () => {
    const dead = `https://127.0.0.1:${deadPort}`;
    const before = stored();
    const r = await runJob(jobEnv({ LOCAL_ENDPOINT: dead, ETCD_ENDPOINTS: dead }));
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/FAILED on .*: no etcd member is healthy, so no consistent snapshot can be taken:/);
    expect(r.output).toContain(`  ${dead}: `);
    expect(stored()).toEqual(before);
  });

  it("fails with the store's answer when the credentials are wrong, and leaves nothing on the node", async () => {
    const before = stored();
    const r = await runJob({ ...jobEnv(), S3_CREDENTIALS: `[default]\naws_access_key_id = ${store.accessKeyId}\naws_secret_access_key = wrong-secret\n` });
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/SignatureDoesNotMatch/);
    expect(r.output).toMatch(/upload of nsx-prod\/etcd-snapshot-\S+ to http:\/\/\S+\/etcd-snapshots failed; the store answered:/);
    expect(stored()).toEqual(before);
    expect(sb.exists("/var/lib/etcd/snapshot-staging")).toBe(false);
  });

  it("refuses credentials without the keys, and a control plane without a running etcd container", async () => {
    const noKeys = await runJob({ ...jobEnv(), S3_CREDENTIALS: "[other]\naws_access_key_id = x\n" });
    expect(noKeys.status).toBe(1);
    expect(noKeys.output).toMatch(/etcdSnapshotS3Credentials has no aws_access_key_id and aws_secret_access_key under \[default\]/);
    etcd.setContainerRunning(false);
    try {
      const r = await runJob(jobEnv());
      expect(r.status).toBe(1);
      expect(r.output).toMatch(/no running etcd container on this control plane/);
    } finally {
      etcd.setContainerRunning(true);
    }
  });

  it("without an off-node target keeps the snapshots in a directory on the node, pruned the same way", async () => {
    const env: Record<string, string> = { ...jobEnv({}, 1), TARGET: "node", LOCAL_DIR: "/var/lib/etcd-snapshots" };
    delete env.S3_CREDENTIALS;
    for (let i = 0; i < 2; i++) {
      const r = await runJob(env);
      expect(r.status, r.output).toBe(0);
      await sleep(1100);
    }
    const kept = fs.readdirSync(sb.path("/var/lib/etcd-snapshots"));
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(SNAPSHOT_NAME);
    const status = await runProcess(etcd.etcdutl, ["snapshot", "status", sb.path(`/var/lib/etcd-snapshots/${kept[0]}`), "--write-out=json"]);
    expect(JSON.parse(status.stdout).totalKey).toBeGreaterThanOrEqual(6);
  });
});
