// renew-certs.sh run as the program ships it (the planned poc stack's <cp>-certificates steps: their
// command line and stdin) in Debian sandboxes with the control-plane stand-ins: kubeadm's
// `certs check-expiration -o json` in the real kubeadm's format and `certs renew all` on the files
// init and join wrote, crictl whose container ids change when kubelet starts a Pod anew, etcdctl's
// endpoint health, kubectl's Node Ready. Each check fails when the script's behaviour breaks.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackReferenceOutputs } from "../../scripts/plan/mocks";
import { planStack, resourceNamed, type PlanResult } from "../../test/harness";
import { TestCluster, type ControlPlaneHost } from "../../test/sandbox/control-plane";
import { changedLines, expectNoChange, expectOk } from "../../test/sandbox/expect-run";
import { sandboxGate, sandboxUnavailableReason, type RunResult } from "../../test/sandbox/node-sandbox";
import { kubeadmBinary } from "../../test/tools/go-binaries";
import { runProcess } from "../../test/tools/process";
import { certificateExpiryInOutput } from "./cert-expiry";

const COMMAND = "command:remote:Command";
const CP1 = { name: "nsx-poc-cp-1", address: "192.168.100.11" };
const CP2 = { name: "nsx-poc-cp-2", address: "192.168.100.12" };
const STATE_FILE = "/var/lib/onprem-k8s/certificate-renewal";
const HELD = "/var/lib/onprem-k8s/held-manifests";
const PODS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-vip"];
const DAY = 24 * 60 * 60 * 1000;

async function runStep(plan: PlanResult, name: string, host: ControlPlaneHost): Promise<RunResult> {
  const step = resourceNamed(plan, COMMAND, name);
  expect((step.inputs.connection as { host?: string }).host, name).toBe(host.address);
  return host.run(String(step.inputs.create), String(step.inputs.stdin));
}

/** The plan of an update whose previous output has every control plane at `renewal`, expiring in `days`. */
async function planAfter(renewal: number, days: number): Promise<PlanResult> {
  const expires = new Date(Date.now() + days * DAY).toISOString();
  stackReferenceOutputs.set("organization/onprem-k8s/poc", {
    certificates: { controlPlanes: Object.fromEntries([CP1.name, CP2.name, "nsx-poc-cp-3"].map((name) => [name, { expires, renewal }])) },
  });
  try {
    return await planStack("poc");
  } finally {
    stackReferenceOutputs.clear();
  }
}

async function containerIds(host: ControlPlaneHost): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const pod of PODS) ids[pod] = (await host.sandbox.exec(`crictl ps --name '^${pod}$' --state running --quiet`)).output.trim();
  return ids;
}

const daysUntil = (iso: string | undefined) => (new Date(iso!).getTime() - Date.now()) / DAY;

const gate = sandboxGate(sandboxUnavailableReason());
if (gate.warning) console.warn(gate.warning);

describe.runIf(gate.run)("renew-certs.sh in Debian sandboxes (poc stack as planned)", () => {
  let deployed: PlanResult; // renewal 0: report only
  let first: PlanResult; // renewal 1, inside the window
  let second: PlanResult; // renewal 2
  let cluster: TestCluster;
  let cp1: ControlPlaneHost;
  let cp2: ControlPlaneHost;

  beforeAll(async () => {
    deployed = await planStack("poc");
    first = await planAfter(0, 10);
    second = await planAfter(1, 10);
    cluster = new TestCluster("renewal");
    cp1 = await cluster.host(CP1.name, CP1.address);
    cp2 = await cluster.host(CP2.name, CP2.address);
    for (const step of ["pki", "endpoint", "init"]) expectOk(await runStep(deployed, `${CP1.name}-${step}`, cp1));
    for (const step of ["pki", "endpoint"]) expectOk(await runStep(deployed, `${CP2.name}-${step}`, cp2));
    expectOk(await runStep(deployed, `${CP2.name}-token`, cp1));
    expectOk(await runStep(deployed, `${CP2.name}-join`, cp2));
  }, 20 * 60_000);

  afterAll(() => cluster?.dispose());

  it("renewal 0 reports kubeadm's expiry, as the real kubeadm prints it, and changes nothing", async () => {
    cp1.clearCalls();
    const r = await runStep(deployed, `${CP1.name}-certificates`, cp1);
    expectNoChange(r);
    expect(cp1.calls("kubeadm")).toEqual(["kubeadm certs check-expiration -o json"]);
    const report = certificateExpiryInOutput(r.output)!;
    expect(report.certificates.map((c) => c.name)).toContain("super-admin.conf"); // the first control plane has one
    expect(daysUntil(report.earliest)).toBeGreaterThan(364);
    // a joined control plane has no super-admin.conf: kubeadm lists it missing, the report leaves it out
    const joined = certificateExpiryInOutput(expectOk(await runStep(deployed, `${CP2.name}-certificates`, cp2)).output)!;
    expect(joined.certificates.map((c) => c.name)).not.toContain("super-admin.conf");
    expect(joined.certificates).toHaveLength(10);

    // The stand-in keeps the real interface: the real kubeadm v1.34 lists the same certificates,
    // in the same order, with the same fields.
    const kubeadm = await kubeadmBinary();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeadm-certs-"));
    try {
      await runProcess(kubeadm, ["init", "phase", "certs", "all", "--cert-dir", path.join(dir, "pki"), "--kubernetes-version", "v1.34.4"]);
      const real = JSON.parse((await runProcess(kubeadm, ["certs", "check-expiration", "-o", "json", "--cert-dir", path.join(dir, "pki"), "--kubeconfig", path.join(dir, "none")])).stdout);
      const standIn = JSON.parse(r.output.slice(r.output.indexOf("{\n"), r.output.lastIndexOf("}") + 1));
      const shape = (info: any) => ({
        kind: info.kind,
        apiVersion: info.apiVersion,
        certificates: info.certificates.map((c: any) => [c.name, Object.keys(c).filter((k) => c.missing || k !== "caName")]),
        certificateAuthorities: info.certificateAuthorities.map((c: any) => c.name),
      });
      // missing entries aside (the real run has no kubeconfigs), each certificate has kubeadm's fields
      expect(shape(standIn).certificates.map(([name]: [string]) => name)).toEqual(shape(real).certificates.map(([name]: [string]) => name));
      expect({ ...shape(standIn), certificates: [] }).toEqual({ ...shape(real), certificates: [] });
      const present = (info: any) => info.certificates.find((c: any) => !c.missing);
      expect(Object.keys(present(standIn))).toEqual(Object.keys(present(real)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("inside the window: renews, restarts every static Pod (etcd first), waits for health, reports a year ahead; once", async () => {
    // the apiserver certificate issued 340 days ago: 25 days left
    await cp1.sandbox.exec("touch -d '340 days ago' /etc/kubernetes/pki/apiserver.crt");
    const before = certificateExpiryInOutput((await runStep(deployed, `${CP1.name}-certificates`, cp1)).output)!;
    expect(daysUntil(before.earliest)).toBeLessThan(26);
    const idsBefore = await containerIds(cp1);
    cp1.clearCalls();
    const r = expectOk(await runStep(first, `${CP1.name}-certificates`, cp1));
    expect(cp1.calls("kubeadm")).toEqual(["kubeadm certs renew all", "kubeadm certs check-expiration -o json"]);
    expect(changedLines(r)).toEqual([
      `changed: renewed the kubeadm certificates on ${CP1.name} (renewal 1)`,
      ...PODS.map((pod) => `changed: restarted ${pod} on ${CP1.name}`),
    ]);
    const idsAfter = await containerIds(cp1);
    for (const pod of PODS) {
      expect(idsAfter[pod], pod).not.toBe("");
      expect(idsAfter[pod], `${pod} started anew`).not.toBe(idsBefore[pod]);
    }
    // health after the restart: etcd's endpoint health, the apiserver's /readyz, the Node Ready
    expect(cp1.calls("etcdctl").some((c) => c.includes("endpoint health"))).toBe(true);
    expect(cp1.calls("kubectl").some((c) => c.includes(`get node ${CP1.name}`) && c.includes('type=="Ready"'))).toBe(true);
    expect(r.output).toContain(`ok: control plane ${CP1.name} is healthy: apiserver /readyz, etcd, Node Ready`);
    expect(daysUntil(certificateExpiryInOutput(r.output)!.earliest)).toBeGreaterThan(364);
    expect(cp1.readFile(STATE_FILE)).toBe("generation=1\nphase=done\n");
    expect(fs.readdirSync(cp1.sandbox.path(HELD))).toEqual([]);
    // admin.conf keeps its mode
    expect((await cp1.sandbox.exec("stat -c %a /etc/kubernetes/admin.conf")).output.trim()).toBe("600");
    // the same step again (a retried update): renewal 1 is done here, nothing happens
    cp1.clearCalls();
    expectNoChange(await runStep(first, `${CP1.name}-certificates`, cp1));
    expect(cp1.calls("kubeadm")).toEqual(["kubeadm certs check-expiration -o json"]);
    expect(await containerIds(cp1)).toEqual(idsAfter);
  });

  it("stopped while a manifest was held out after `certs renew`: the next run puts it back and completes the restart, without renewing again", async () => {
    // what a run of renewal 2 leaves when it is killed while etcd's manifest is out
    cp2.sandbox.writeFile(STATE_FILE, "generation=2\nphase=renewed\n");
    await cp2.sandbox.exec(`mkdir -p ${HELD} && mv /etc/kubernetes/manifests/etcd.yaml ${HELD}/`);
    cp2.clearCalls();
    const r = expectOk(await runStep(second, `${CP2.name}-certificates`, cp2));
    expect(cp2.calls("kubeadm")).toEqual(["kubeadm certs check-expiration -o json"]);
    expect(r.output).toContain(`note: a renewal on ${CP2.name} (generation 2) stopped before its control plane restarted: restarting it now`);
    expect(changedLines(r)).toEqual([
      "changed: put etcd.yaml back into /etc/kubernetes/manifests (a run before stopped while it was held out)",
      ...PODS.map((pod) => `changed: restarted ${pod} on ${CP2.name}`),
    ]);
    expect(cp2.exists("/etc/kubernetes/manifests/etcd.yaml")).toBe(true);
    expect(cp2.readFile(STATE_FILE)).toBe("generation=2\nphase=done\n");
    expectNoChange(await runStep(second, `${CP2.name}-certificates`, cp2));
  });

  it("a Pod kubelet does not start again fails naming it, leaves the manifest in place, and the next run completes the restart", async () => {
    // kubelet stopped: a Pod whose manifest went out and came back does not start
    await cp1.sandbox.exec("rm -f /var/lib/sandbox/units/kubelet.active");
    cp1.clearCalls();
    const failed = await runStep(second, `${CP1.name}-certificates`, cp1);
    expect(failed.status, failed.output).not.toBe(0);
    expect(failed.output).toContain(`kubelet on ${CP1.name} did not start etcd again from /etc/kubernetes/manifests/etcd.yaml`);
    expect(failed.output.trimEnd().endsWith("=== end of diagnostics ===")).toBe(true);
    expect(cp1.calls("kubeadm")).toEqual(["kubeadm certs renew all"]);
    expect(cp1.sleeps().length).toBeGreaterThan(10); // it waited for kubelet first
    expect(cp1.exists("/etc/kubernetes/manifests/etcd.yaml")).toBe(true);
    expect(cp1.readFile(STATE_FILE)).toBe("generation=2\nphase=renewed\n");
    // kubelet back: the next run restarts without renewing again
    await cp1.sandbox.exec("touch /var/lib/sandbox/units/kubelet.active");
    cp1.clearCalls();
    const r = expectOk(await runStep(second, `${CP1.name}-certificates`, cp1));
    expect(cp1.calls("kubeadm")).toEqual(["kubeadm certs check-expiration -o json"]);
    expect(changedLines(r)).toEqual(PODS.map((pod) => `changed: restarted ${pod} on ${CP1.name}`));
    expect(cp1.readFile(STATE_FILE)).toBe("generation=2\nphase=done\n");
  });

  it("a failed `certs renew` restarts nothing and records nothing; a Node not Ready after the restart fails naming it", async () => {
    const third = await planAfter(2, 10);
    cp2.sandbox.writeFile("/var/lib/sandbox/kubeadm/fail-renew", "1\n");
    const idsBefore = await containerIds(cp2);
    const failed = await runStep(third, `${CP2.name}-certificates`, cp2);
    expect(failed.status, failed.output).not.toBe(0);
    expect(failed.output).toContain(`kubeadm certs renew all failed on ${CP2.name}: its output is below; nothing was restarted`);
    expect(failed.output).toContain("unable to sign certificate");
    expect(await containerIds(cp2)).toEqual(idsBefore);
    expect(cp2.readFile(STATE_FILE)).toBe("generation=2\nphase=done\n");

    fs.writeFileSync(path.join(cluster.dir, "nodes", CP2.name, "not-ready"), "");
    const notReady = await runStep(third, `${CP2.name}-certificates`, cp2);
    expect(notReady.status, notReady.output).not.toBe(0);
    expect(notReady.output).toContain(`Node ${CP2.name} is not Ready after the renewal`);
    expect(cp2.readFile(STATE_FILE)).toBe("generation=3\nphase=renewed\n");
    fs.rmSync(path.join(cluster.dir, "nodes", CP2.name, "not-ready"));
    const r = expectOk(await runStep(third, `${CP2.name}-certificates`, cp2));
    expect(cp2.readFile(STATE_FILE)).toBe("generation=3\nphase=done\n");
    expect(r.output).toContain(`ok: control plane ${CP2.name} is healthy`);
  });
});
