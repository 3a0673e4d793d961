// settings.sh run as the program ships it (the planned poc stack's <cp>-settings steps: their
// command line and stdin) in Debian sandboxes with the control-plane stand-ins: kubeadm's `init
// phase` rewrites a manifest from the configuration it is given (its extraArgs/extraVolumes carried
// along), crictl's container ids change when kubelet starts a Pod anew, and joins read the
// configuration upload-config kept. Each check fails when the script's behaviour breaks.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { stackReferenceOutputs } from "../../scripts/plan/mocks";
import { planStack, resourceNamed, type PlanResult } from "../../test/harness";
import { TestCluster, type ControlPlaneHost } from "../../test/sandbox/control-plane";
import { changedLines, expectNoChange, expectOk } from "../../test/sandbox/expect-run";
import { sandboxGate, sandboxUnavailableReason, type RunResult } from "../../test/sandbox/node-sandbox";

const COMMAND = "command:remote:Command";
const CP1 = { name: "nsx-poc-cp-1", address: "192.168.100.11" };
const CP2 = { name: "nsx-poc-cp-2", address: "192.168.100.12" };
const CP3 = { name: "nsx-poc-cp-3", address: "192.168.100.13" };
const PODS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"];
const APISERVER_MANIFEST = "/etc/kubernetes/manifests/kube-apiserver.yaml";

async function runStep(plan: PlanResult, name: string, host: ControlPlaneHost): Promise<RunResult> {
  const step = resourceNamed(plan, COMMAND, name);
  expect((step.inputs.connection as { host?: string }).host, name).toBe(host.address);
  return host.run(String(step.inputs.create), String(step.inputs.stdin));
}

async function containerIds(host: ControlPlaneHost): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const pod of PODS) ids[pod] = (await host.sandbox.exec(`crictl ps --name '^${pod}$' --state running --quiet`)).output.trim();
  return ids;
}

const gate = sandboxGate(sandboxUnavailableReason());
if (gate.warning) console.warn(gate.warning);

describe.runIf(gate.run)("settings.sh in Debian sandboxes (poc stack as planned)", () => {
  let deployed: PlanResult;
  let hardened: PlanResult; // audit log, encryption at rest, Pod Security baseline turned on
  let cluster: TestCluster;
  let cp1: ControlPlaneHost;
  let cp2: ControlPlaneHost;

  beforeAll(async () => {
    deployed = await planStack("poc");
    hardened = await planStack("poc", (c) => {
      c.kubernetes.apiServer = { audit: { enabled: true } };
      c.kubernetes.encryption = { enabled: true };
      c.kubernetes.podSecurity = { enforce: "baseline" };
    });
    cluster = new TestCluster("settings");
    cp1 = await cluster.host(CP1.name, CP1.address);
    cp2 = await cluster.host(CP2.name, CP2.address);
    for (const step of ["pki", "endpoint", "init"]) expectOk(await runStep(deployed, `${CP1.name}-${step}`, cp1));
    for (const step of ["pki", "endpoint"]) expectOk(await runStep(deployed, `${CP2.name}-${step}`, cp2));
    expectOk(await runStep(deployed, `${CP2.name}-token`, cp1));
    expectOk(await runStep(deployed, `${CP2.name}-join`, cp2));
  }, 20 * 60_000);

  afterAll(() => cluster?.dispose());

  it("on a fresh cluster the steps find every manifest as kubeadm wrote it: nothing restarts; only the first uploads the configuration", async () => {
    const ids = await containerIds(cp1);
    cp1.clearCalls();
    expectNoChange(await runStep(deployed, `${CP1.name}-settings`, cp1));
    const phases = cp1.calls("kubeadm").map((c) => c.replace(/--config \S+/, "--config <file>"));
    expect(phases).toEqual([
      "kubeadm init phase upload-config all --config <file>",
      "kubeadm init phase control-plane apiserver --config <file>",
      "kubeadm init phase control-plane controller-manager --config <file>",
      "kubeadm init phase control-plane scheduler --config <file>",
    ]);
    expect(await containerIds(cp1)).toEqual(ids);
    cp2.clearCalls();
    expectNoChange(await runStep(deployed, `${CP2.name}-settings`, cp2));
    expect(cp2.calls("kubeadm").some((c) => c.includes("upload-config"))).toBe(false);
  });

  it("a changed setting: the files, then only the apiserver restarted and healthy on this control plane; the next keeps the old flags until its own step", async () => {
    const before = await containerIds(cp1);
    cp1.clearCalls();
    const r = expectOk(await runStep(hardened, `${CP1.name}-settings`, cp1));
    expect(changedLines(r)).toEqual([
      "changed: wrote /etc/kubernetes/apiserver/audit-policy.yaml",
      "changed: wrote /etc/kubernetes/apiserver/admission.yaml",
      "changed: wrote /etc/kubernetes/apiserver/encryption.yaml",
      `changed: rewrote ${APISERVER_MANIFEST} on ${CP1.name}`,
    ]);
    const after = await containerIds(cp1);
    expect(after["kube-apiserver"], "the apiserver started anew").not.toBe(before["kube-apiserver"]);
    for (const pod of ["etcd", "kube-controller-manager", "kube-scheduler"]) expect(after[pod], `${pod} untouched`).toBe(before[pod]);
    expect(cp1.readFile(APISERVER_MANIFEST)).toContain("value: /etc/kubernetes/apiserver/encryption.yaml");
    expect(cp1.readFile(APISERVER_MANIFEST)).toContain("mountPath: /var/log/kubernetes/audit");
    // the key is on the node, not its placeholder; the file and its directory are root's only
    const encryption = cp1.readFile("/etc/kubernetes/apiserver/encryption.yaml");
    expect(encryption).toMatch(/secret: [A-Za-z0-9+/]{43}=/);
    expect(encryption).not.toContain("${");
    expect((await cp1.sandbox.exec("stat -c %a /etc/kubernetes/apiserver /etc/kubernetes/apiserver/encryption.yaml /var/log/kubernetes/audit")).output.split("\n").filter(Boolean)).toEqual(["700", "600", "700"]);
    expect(r.output).toContain(`ok: kube-apiserver restarted with the new settings and is healthy`);
    expect(cp1.calls("curl").some((c) => c.includes("/readyz"))).toBe(true);
    // cp2 has not run its step yet: its apiserver keeps the old flags
    expect(cp2.readFile(APISERVER_MANIFEST)).not.toContain("encryption.yaml");
    // cp2's turn, then both steps again: nothing to do
    const r2 = expectOk(await runStep(hardened, `${CP2.name}-settings`, cp2));
    expect(changedLines(r2)).toContain(`changed: rewrote ${APISERVER_MANIFEST} on ${CP2.name}`);
    expect(cp2.readFile(APISERVER_MANIFEST)).toBe(cp1.readFile(APISERVER_MANIFEST));
    expectNoChange(await runStep(hardened, `${CP1.name}-settings`, cp1));
    expectNoChange(await runStep(hardened, `${CP2.name}-settings`, cp2));
  });

  it("a control plane joined after the change gets the same files and flags from its PKI step and the uploaded configuration", async () => {
    const cp3 = await cluster.host(CP3.name, CP3.address);
    for (const step of ["pki", "endpoint"]) expectOk(await runStep(hardened, `${CP3.name}-${step}`, cp3));
    expect(cp3.readFile("/etc/kubernetes/apiserver/encryption.yaml")).toBe(cp1.readFile("/etc/kubernetes/apiserver/encryption.yaml"));
    expectOk(await runStep(hardened, `${CP3.name}-token`, cp1));
    expectOk(await runStep(hardened, `${CP3.name}-join`, cp3));
    expect(cp3.readFile(APISERVER_MANIFEST)).toBe(cp1.readFile(APISERVER_MANIFEST));
    expectNoChange(await runStep(hardened, `${CP3.name}-settings`, cp3));
  });

  it("an apiserver that does not come back healthy stops the roll naming it; the next run waits for it again", async () => {
    // back to the deployed settings: cp1's manifest changes, and its apiserver does not answer
    await cp1.sandbox.exec("rm -f /var/lib/sandbox/units/kubelet.active");
    const failed = await runStep(deployed, `${CP1.name}-settings`, cp1);
    expect(failed.status, failed.output).not.toBe(0);
    expect(failed.output).toContain(`kubelet on ${CP1.name} did not restart kube-apiserver after its manifest changed`);
    await cp1.sandbox.exec("touch /var/lib/sandbox/units/kubelet.active");
    const r = expectOk(await runStep(deployed, `${CP1.name}-settings`, cp1));
    expect(r.output).toContain(`ok: control plane ${CP1.name} runs settings`);
  });
});

// A key rotation from generation 1 to 2 on two control planes, the planned steps in their order.
describe.runIf(gate.run)("settings.sh rotating the Secrets encryption key in Debian sandboxes", () => {
  let encrypted: PlanResult; // encryption on, key generation 1
  let rotation: PlanResult; // generation 2, the stack's previous output at 1
  let cluster: TestCluster;
  let cp1: ControlPlaneHost;
  let cp2: ControlPlaneHost;
  const ENCRYPTION = "/etc/kubernetes/apiserver/encryption.yaml";
  const keyNames = (host: ControlPlaneHost) => parseYaml(host.readFile(ENCRYPTION)).resources[0].providers[0].secretbox.keys.map((k: { name: string }) => k.name);
  const apiserverId = async (host: ControlPlaneHost) => (await containerIds(host))["kube-apiserver"];

  beforeAll(async () => {
    encrypted = await planStack("poc", (c) => (c.kubernetes.encryption = { enabled: true }));
    stackReferenceOutputs.set("organization/onprem-k8s/poc", { encryption: { enabled: true, keyGeneration: 1 } });
    try {
      rotation = await planStack("poc", (c) => (c.kubernetes.encryption = { enabled: true, keyGeneration: 2 }));
    } finally {
      stackReferenceOutputs.clear();
    }
    cluster = new TestCluster("rotation");
    cp1 = await cluster.host(CP1.name, CP1.address);
    cp2 = await cluster.host(CP2.name, CP2.address);
    for (const step of ["pki", "endpoint", "init"]) expectOk(await runStep(encrypted, `${CP1.name}-${step}`, cp1));
    for (const step of ["pki", "endpoint"]) expectOk(await runStep(encrypted, `${CP2.name}-${step}`, cp2));
    expectOk(await runStep(encrypted, `${CP2.name}-token`, cp1));
    expectOk(await runStep(encrypted, `${CP2.name}-join`, cp2));
    // the files came with the PKI step, before init and join: the settings steps find them in place
    expectNoChange(await runStep(encrypted, `${CP1.name}-settings`, cp1));
    expectNoChange(await runStep(encrypted, `${CP2.name}-settings`, cp2));
  }, 20 * 60_000);

  afterAll(() => cluster?.dispose());

  it("read, write, rewrite, drop: each phase restarts every apiserver in turn though no manifest changes, and every Secret is rewritten in between", async () => {
    const key1 = cp1.readFile(ENCRYPTION).match(/secret: (\S+)/)![1];
    expect(keyNames(cp1)).toEqual(["onprem-k8s-1"]);
    // a running control plane's files are not the PKI step's to change: its settings step restarts it right after
    expectNoChange(await runStep(rotation, `${CP1.name}-pki`, cp1));
    expect(keyNames(cp1)).toEqual(["onprem-k8s-1"]);

    const manifest = cp1.readFile(APISERVER_MANIFEST);
    for (const [phase, keys] of [["read", ["onprem-k8s-1", "onprem-k8s-2"]], ["write", ["onprem-k8s-2", "onprem-k8s-1"]]] as const) {
      for (const host of [cp1, cp2]) {
        const before = await apiserverId(host);
        const r = expectOk(await runStep(rotation, `${host.name}-encryption-${phase}-2`, host));
        expect(changedLines(r), `${host.name} ${phase}`).toEqual([`changed: wrote ${ENCRYPTION}`, `changed: restarted kube-apiserver on ${host.name}: it reads its changed files`]);
        expect(keyNames(host)).toEqual(keys);
        expect(await apiserverId(host), `${host.name}'s apiserver started anew`).not.toBe(before);
      }
      // the other control plane keeps its phase until its own step: checked above, one at a time
    }
    expect(cp1.readFile(APISERVER_MANIFEST)).toBe(manifest);
    expect(cp1.readFile(ENCRYPTION)).toContain(`secret: ${key1}`);

    const rewritten = path.join(cluster.dir, "secrets-rewritten");
    const r = expectOk(await runStep(rotation, `${CP1.name}-encryption-rewrite-2`, cp1));
    const secrets = fs.readdirSync(path.join(cluster.dir, "secrets")).flatMap((ns) => fs.readdirSync(path.join(cluster.dir, "secrets", ns)).map((n) => `${ns}/${n}`));
    expect(secrets.length).toBeGreaterThan(0);
    expect(fs.readFileSync(rewritten, "utf8").split("\n").filter(Boolean).sort()).toEqual(secrets.sort());
    expect(changedLines(r)).toEqual([`changed: rewrote ${secrets.length} Secrets: each is stored with the new key`]);

    for (const host of [cp1, cp2]) {
      const before = await apiserverId(host);
      const done = expectOk(await runStep(rotation, `${host.name}-settings`, host));
      expect(changedLines(done)).toEqual([`changed: wrote ${ENCRYPTION}`, `changed: restarted kube-apiserver on ${host.name}: it reads its changed files`]);
      expect(keyNames(host)).toEqual(["onprem-k8s-2"]);
      expect(host.readFile(ENCRYPTION)).not.toContain(key1);
      expect(await apiserverId(host)).not.toBe(before);
    }
    // the settings step again (a retried update): nothing happens
    expectNoChange(await runStep(rotation, `${CP1.name}-settings`, cp1));
  });

  it("a run cut short after writing the files restarts the apiserver on the next run, though the files are unchanged then", async () => {
    // what a run leaves when it is killed between writing the files and the restart: the files
    // as this run writes them again, and the mark that the apiserver has not read them yet
    await cp2.sandbox.exec("mkdir -p /var/lib/onprem-k8s && touch /var/lib/onprem-k8s/apiserver-restart-pending");
    const before = await apiserverId(cp2);
    const r = expectOk(await runStep(rotation, `${CP2.name}-settings`, cp2));
    expect(changedLines(r)).toContain(`changed: restarted kube-apiserver on ${CP2.name}: it reads its changed files`);
    expect(await apiserverId(cp2)).not.toBe(before);
    expect(cp2.exists("/var/lib/onprem-k8s/apiserver-restart-pending")).toBe(false);
    expectNoChange(await runStep(rotation, `${CP2.name}-settings`, cp2));
  });
});
