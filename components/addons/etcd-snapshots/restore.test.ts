// The whole-cluster restore runbook's etcd commands, run for real as the rendered runbook has them:
// a control plane of one (the Debian sandbox in a network namespace of its own, so its etcd serves
// on the real 127.0.0.1:2379 the commands name), kubeadm's etcd certificates, a real etcd whose
// static Pod manifest a small kubelet stand-in follows (the process runs while
// /etc/kubernetes/manifests/etcd.yaml is there), the real etcdctl and etcdutl behind the crictl
// stand-in, Debian's curl and versitygw. The shipped snapshot script stores a snapshot; a key is
// deleted and another written; the runbook's steps list the snapshot, fetch, check and restore it,
// stop etcd, swap the data in and start it: the deleted key is back, the later one gone, the
// revision bumped. The steps that need an apiserver and kubelets (start the control-plane Pods,
// restart kubelet, nodes Ready) are left to the real-node lab (test/engine/day2/backups.ts).
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackSpec } from "../../../test/stack-spec";
import { ETCD_IMAGE_STANDINS, startEtcdMember, type EtcdMember } from "../../../test/sandbox/etcd-member";
import { NodeSandbox, PACKAGE_LAYERS, sandboxGate, sandboxUnavailableReason } from "../../../test/sandbox/node-sandbox";
import { runProcess, sleep, type ProcessResult } from "../../../test/tools/process";
import { startS3Store, type S3Store } from "../../../test/tools/versitygw";
import { renderEnvPrefix } from "../../remote/env";
import { etcdSnapshotManifestsOf } from "../plan";
import { RESTORE_CURL_CONFIG, clusterRestoreRunbook } from "./runbooks";

const gate = sandboxGate(sandboxUnavailableReason());
const BUCKET = "etcd-snapshots";
const PATH_IN_ROOT = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Steps that need the control-plane Pods and kubelets, which this sandbox does not run. */
const NEEDS_KUBERNETES = /start the apiserver|restart kubelet|every node Ready/;

describe.runIf(gate.run)("the whole-cluster restore runbook's etcd steps, run as rendered", () => {
  const ns = `etcd-restore-${process.pid}`;
  const inNs = (argv: string[]) => ["ip", "netns", "exec", ns, ...argv];
  let sb: NodeSandbox;
  let etcd: EtcdMember;
  let store: S3Store;
  let kubelet: ReturnType<typeof setInterval> | undefined;
  let following = Promise.resolve();

  const spec = () =>
    stackSpec("poc", (c) => {
      c.controlPlane = { ...c.controlPlane, names: ["cp-restore"], addresses: [c.controlPlane.addresses[0]] };
      c.addons.backups = { etcdSnapshots: { enabled: true, retain: 5, s3: { url: "http://127.0.0.1:7070", bucket: BUCKET } }, velero: { enabled: false } };
    });

  /** A bash script as root in the sandbox's root, in the namespace, with a clean environment. */
  async function inHost(script: string, env: Record<string, string> = {}): Promise<ProcessResult> {
    const [command, ...args] = inNs(["chroot", sb.root, "/usr/bin/env", "-i", `PATH=${PATH_IN_ROOT}`, "HOME=/root", "LANG=C.UTF-8", "bash", "-c", `${renderEnvPrefix(env)}bash -euo pipefail -s`]);
    return runProcess(command!, args, { input: script, allowFail: true, timeoutMs: 300_000 });
  }

  beforeAll(async () => {
    await runProcess("ip", ["netns", "add", ns]);
    await runProcess("ip", ["-n", ns, "link", "set", "lo", "up"]);
    sb = await NodeSandbox.create("etcd-restore", { packages: PACKAGE_LAYERS.labHost, standins: [ETCD_IMAGE_STANDINS] });
    etcd = await startEtcdMember(sb, spec().controlPlanes[0]!.name, { wrap: inNs, clientPort: 2379, peerPort: 2380, dataDir: sb.path("/var/lib/etcd") });
    for (const pod of ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]) sb.writeFile(`/etc/kubernetes/manifests/${pod}.yaml`, `# ${pod}\n`);
    // kubelet's part: the etcd process runs while its manifest is in /etc/kubernetes/manifests.
    kubelet = setInterval(() => {
      following = following.then(async () => {
        const wanted = sb.exists("/etc/kubernetes/manifests/etcd.yaml");
        if (wanted && !etcd.running()) await etcd.start();
        if (!wanted && etcd.running()) await etcd.kill();
      });
    }, 500);
    store = await startS3Store({ listen: { address: "127.0.0.1", port: 7070, wrap: inNs } });
    await store.createBucket(BUCKET);
  }, 20 * 60_000);

  afterAll(async () => {
    if (kubelet) clearInterval(kubelet);
    await following.catch(() => {});
    await etcd?.stop();
    await store?.stop();
    await sb?.dispose();
    await runProcess("ip", ["netns", "del", ns], { allowFail: true });
  });

  it("brings a deleted key back and drops a later one", async () => {
    const credentials = `[default]\naws_access_key_id = ${store.accessKeyId}\naws_secret_access_key = ${store.secretAccessKey}\n`;
    await etcd.ctl(["put", "/registry/configmaps/default/restore-probe", "before-snapshot"]);

    // The shipped job's script, with the CronJob's environment.
    const cronJob = etcdSnapshotManifestsOf(spec()).find((m) => m.kind === "CronJob") as any;
    const env: Record<string, string> = {};
    for (const e of cronJob.spec.jobTemplate.spec.template.spec.containers[0].env) if (e.value !== undefined && e.name !== "PATH") env[e.name] = e.value;
    const script = etcdSnapshotManifestsOf(spec()).find((m) => m.kind === "ConfigMap") as any;
    const taken = await inHost(script.data["snapshot.sh"], { ...env, S3_CREDENTIALS: credentials });
    expect(taken.status, taken.output).toBe(0);
    const snapshot = /saved (etcd-snapshot-\S+\.db)/.exec(taken.output)![1]!;

    await etcd.ctl(["del", "/registry/configmaps/default/restore-probe"]);
    await etcd.ctl(["put", "/registry/configmaps/default/after-snapshot", "later"]);
    const before = JSON.parse(await etcd.ctl(["endpoint", "status", "--write-out=json"]))[0].Status.header.revision as number;

    // The runbook asks for the store's key on every control plane first.
    sb.writeFile(RESTORE_CURL_CONFIG, `user = "${store.accessKeyId}:${store.secretAccessKey}"\n`);
    const runbook = clusterRestoreRunbook(spec());
    const ran: string[] = [];
    for (const [i, step] of runbook.steps.entries()) {
      if (NEEDS_KUBERNETES.test(step.title)) continue;
      const r = await inHost(`${step.commands.join("\n")}\n`, { SNAPSHOT: snapshot });
      expect(r.status, `step ${i + 1} "${step.title}":\n${r.output}`).toBe(0);
      if (i === 0) expect(r.stdout.split("\n")).toContain(snapshot);
      ran.push(step.title);
    }
    expect(ran).toHaveLength(5);
    await following;
    expect(etcd.running()).toBe(true);
    expect(sb.exists("/var/lib/etcd/member.before-restore/snap")).toBe(true);
    expect(await etcd.ctl(["get", "/registry/configmaps/default/restore-probe", "--print-value-only"])).toBe("before-snapshot\n");
    expect(await etcd.ctl(["get", "/registry/configmaps/default/after-snapshot", "--print-value-only"])).toBe("");
    const after = JSON.parse(await etcd.ctl(["endpoint", "status", "--write-out=json"]))[0].Status.header.revision as number;
    // Bumped far past every revision the old cluster handed out, so watchers start over.
    expect(after).toBeGreaterThan(before + 999_000_000);
    // Every control-plane manifest but etcd's waits in the hold directory for the next step.
    expect(fs.readdirSync(sb.path("/etc/kubernetes/restore-hold")).sort()).toEqual(["kube-apiserver.yaml", "kube-controller-manager.yaml", "kube-scheduler.yaml"]);
    await sleep(0);
  }, 10 * 60_000);
});
