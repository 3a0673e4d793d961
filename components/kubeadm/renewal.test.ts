// Certificate renewal, without nodes: kubeadm's expiry report parsed (the real kubeadm's JSON),
// the renewal generation from the stack's previous output, and the program under mocks: one
// certificates step per control plane, chained, whose parameters change only inside the window;
// the certificates output is exported plain. The script itself runs in renewal-script.test.ts.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { resourceOutputFakers, stackReferenceOutputs } from "../../scripts/plan/mocks";
import { planStack, resourceNamed, resourcesOfType, type PlanResult } from "../../test/harness";
import { kubeadmBinary } from "../../test/tools/go-binaries";
import { runProcess } from "../../test/tools/process";
import { CERTIFICATE_EXPIRY_BEGIN, CERTIFICATE_EXPIRY_END, certificateExpiryInOutput, latestReport, parseCertificateExpiration } from "./cert-expiry";
import { certificatesOutput, previousCertificates, renewalDecision, type CertificatesOutput } from "./renewal";

const COMMAND = "command:remote:Command";
const CONTROL_PLANES = ["nsx-poc-cp-1", "nsx-poc-cp-2", "nsx-poc-cp-3"];
const SELF = "organization/onprem-k8s/poc";
const DAY = 24 * 60 * 60 * 1000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

/** kubeadm's CertificateExpirationInfo with these expiry dates (and a missing super-admin.conf). */
function expirationJson(dates: Record<string, string>): string {
  return JSON.stringify(
    {
      kind: "CertificateExpirationInfo",
      apiVersion: "output.kubeadm.k8s.io/v1alpha3",
      certificates: [
        ...Object.entries(dates).map(([name, expirationDate]) => ({ name, expirationDate, residualTime: 1, externallyManaged: false, caName: "ca", missing: false })),
        { name: "super-admin.conf", expirationDate: null, residualTime: 0, externallyManaged: false, missing: true },
      ],
      certificateAuthorities: [{ name: "ca", expirationDate: "2036-12-04T16:20:26Z", residualTime: 1, externallyManaged: false, missing: false }],
    },
    null,
    4,
  );
}
const stepStdout = (json: string) => `ok: certificates\n${CERTIFICATE_EXPIRY_BEGIN}\n${json}\n${CERTIFICATE_EXPIRY_END}\nno changes: renew-certs: node already in the desired state\n`;

describe("kubeadm's expiry report (cert-expiry.ts)", () => {
  let realJson: string;

  beforeAll(async () => {
    // The real kubeadm v1.34 issues a control plane's certificates and reports them.
    const kubeadm = await kubeadmBinary();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cert-expiry-"));
    try {
      await runProcess(kubeadm, ["init", "phase", "certs", "all", "--cert-dir", path.join(dir, "pki"), "--kubernetes-version", "v1.34.4"]);
      realJson = (await runProcess(kubeadm, ["certs", "check-expiration", "-o", "json", "--cert-dir", path.join(dir, "pki"), "--kubeconfig", path.join(dir, "none.conf")])).stdout;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("parses the real kubeadm's JSON: the earliest of the certificates there are, missing kubeconfigs left out, the CAs apart", () => {
    const report = parseCertificateExpiration(realJson);
    const names = report.certificates.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(["apiserver", "apiserver-kubelet-client", "etcd-server", "etcd-peer", "etcd-healthcheck-client", "front-proxy-client"]));
    expect(names).not.toContain("admin.conf"); // no kubeconfig in this directory: reported missing
    // one year from now, as kubeadm issues them
    const days = (new Date(report.earliest).getTime() - Date.now()) / DAY;
    expect(days).toBeGreaterThan(364);
    expect(days).toBeLessThan(366);
    expect(report.earliest).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(new Date(report.earliestAuthority!).getTime() - Date.now()).toBeGreaterThan(3600 * DAY);
  });

  it("finds the last report in a step's stdout; none, a broken one or another document is no report", () => {
    const older = expirationJson({ apiserver: "2027-01-01T00:00:00Z" });
    const newer = expirationJson({ apiserver: "2027-06-01T00:00:00Z", "etcd-peer": "2027-05-01T12:00:00Z" });
    const report = certificateExpiryInOutput(stepStdout(older) + stepStdout(newer));
    expect(report?.earliest).toBe("2027-05-01T12:00:00Z");
    expect(certificateExpiryInOutput(undefined)).toBeUndefined();
    expect(certificateExpiryInOutput("changed: something\n")).toBeUndefined();
    expect(certificateExpiryInOutput(stepStdout("{ not json"))).toBeUndefined();
    expect(certificateExpiryInOutput(stepStdout(JSON.stringify({ kind: "Images", apiVersion: "output.kubeadm.k8s.io/v1alpha3", images: [] })))).toBeUndefined();
    expect(certificateExpiryInOutput(`${CERTIFICATE_EXPIRY_BEGIN}\n${older}\n`)).toBeUndefined(); // cut off
  });

  it("of several reports on one control plane (its renewal, an upgrade) the one expiring last is current", () => {
    const a = certificateExpiryInOutput(stepStdout(expirationJson({ apiserver: "2027-01-01T00:00:00Z" })));
    const b = certificateExpiryInOutput(stepStdout(expirationJson({ apiserver: "2028-01-01T00:00:00Z" })));
    expect(latestReport([a, undefined, b])?.earliest).toBe("2028-01-01T00:00:00Z");
    expect(latestReport([undefined])).toBeUndefined();
  });
});

describe("renewal generation (renewal.ts)", () => {
  const now = new Date("2027-11-01T00:00:00Z");
  const expiring = (iso: string, renewal = 2) => ({ expires: new Date(iso), renewal });

  it("stays while the certificates expire after the window, goes up by one inside it", () => {
    expect(renewalDecision(undefined, 30, now)).toEqual({ generation: 0, due: false });
    expect(renewalDecision({ renewal: 4 }, 30, now)).toEqual({ generation: 4, due: false }); // expiry unknown (not reported)
    expect(renewalDecision(expiring("2027-12-15T00:00:00Z"), 30, now)).toMatchObject({ generation: 2, due: false });
    expect(renewalDecision(expiring("2027-11-20T00:00:00Z"), 30, now)).toMatchObject({ generation: 3, due: true });
    expect(renewalDecision(expiring("2027-12-01T00:00:00Z"), 30, now)).toMatchObject({ generation: 3, due: true }); // exactly 30 days
    expect(renewalDecision(expiring("2027-10-01T00:00:00Z"), 30, now)).toMatchObject({ generation: 3, due: true }); // already expired
    // a window wider than the certificates' life: every update renews
    expect(renewalDecision(expiring("2028-11-01T00:00:00Z"), 400, now)).toMatchObject({ generation: 3, due: true });
  });

  it("reads the previous output leniently: a first deployment or anything unreadable is generation 0, unknown expiry", () => {
    expect(previousCertificates(undefined).size).toBe(0);
    expect(previousCertificates("garbage").size).toBe(0);
    expect(previousCertificates({ controlPlanes: { a: { expires: null, renewal: 1 }, b: { expires: "not a date" } } })).toEqual(
      new Map([
        ["a", { renewal: 1 }],
        ["b", { renewal: 0 }],
      ]),
    );
  });

  it("reports the earliest expiry only once every control plane has reported, and when renewal starts", () => {
    const report = (earliest: string) => ({ earliest, certificates: [] });
    const output = certificatesOutput(
      30,
      new Map([
        ["a", { report: report("2027-12-06T16:20:26Z"), renewal: 1 }],
        ["b", { report: report("2027-12-05T10:00:00Z"), renewal: 0 }],
      ]),
      "2027-12-06T16:00:00Z",
    );
    expect(output).toEqual({
      renewBeforeDays: 30,
      earliestExpiry: "2027-12-05T10:00:00Z",
      renewFrom: "2027-11-05T10:00:00Z",
      controlPlanes: { a: { expires: "2027-12-06T16:20:26Z", renewal: 1 }, b: { expires: "2027-12-05T10:00:00Z", renewal: 0 } },
      adminKubeconfigExpires: "2027-12-06T16:00:00Z",
    });
    const partial = certificatesOutput(30, new Map([["a", { report: undefined, renewal: 0 }]]), undefined);
    expect(partial).toMatchObject({ earliestExpiry: null, renewFrom: null, adminKubeconfigExpires: null });
  });
});

describe("the program under mocks: certificates steps and output", () => {
  const certificatesStep = (plan: PlanResult, node: string) => resourceNamed(plan, COMMAND, `${node}-certificates`);
  const generation = (plan: PlanResult, node: string) => /export RENEWAL_GENERATION=(\d+);/.exec(String(certificatesStep(plan, node).inputs.stdin))?.[1];
  const previous = (controlPlanes: Record<string, { expires: string | null; renewal: number }>, renewBeforeDays = 30) =>
    stackReferenceOutputs.set(SELF, { certificates: { renewBeforeDays, earliestExpiry: null, renewFrom: null, controlPlanes, adminKubeconfigExpires: null } });
  const all = (expires: string | null, renewal: number) => Object.fromEntries(CONTROL_PLANES.map((name) => [name, { expires, renewal }]));

  afterEach(() => {
    stackReferenceOutputs.clear();
    delete resourceOutputFakers[COMMAND];
  });

  it("one renew-certs step per control plane, one after another, each after init and every control-plane join", async () => {
    const plan = await planStack("poc");
    const steps = CONTROL_PLANES.map((node) => certificatesStep(plan, node));
    const init = resourceNamed(plan, COMMAND, "nsx-poc-cp-1-init");
    const joins = ["nsx-poc-cp-2-join", "nsx-poc-cp-3-join"].map((name) => resourceNamed(plan, COMMAND, name).urn);
    expect(steps[0]!.dependencies).toEqual(expect.arrayContaining([init.urn, ...joins]));
    expect(steps[1]!.dependencies).toContain(steps[0]!.urn);
    expect(steps[2]!.dependencies).toContain(steps[1]!.urn);
    expect(steps[0]!.dependencies).not.toContain(steps[1]!.urn);
    for (const [index, step] of steps.entries()) {
      const node = CONTROL_PLANES[index]!;
      expect((step.inputs.connection as { host: string }).host).toBe(`192.168.100.1${index + 1}`); // on the control plane itself
      expect(String(step.inputs.stdin)).toContain(`export NODE_NAME=${node};`);
      expect(String(step.inputs.stdin)).toContain("kubeadm certs renew all");
      // only the SSH connection is secret: the parameters, and so the report it prints, are not
      expect(step.secretPaths).toEqual(["connection"]);
      expect(step.additionalSecretOutputs).not.toContain("stdout");
      expect(generation(plan, node)).toBe("0"); // a first deployment renews nothing
    }
    // workers have none
    expect(resourcesOfType(plan, COMMAND).filter((r) => r.name.endsWith("-certificates")).map((r) => r.name)).toEqual(CONTROL_PLANES.map((n) => `${n}-certificates`));
  });

  it("outside the window the steps' inputs are those of the previous update: a second plan changes nothing", async () => {
    previous(all(inDays(200), 2));
    const first = await planStack("poc");
    const second = await planStack("poc");
    for (const node of CONTROL_PLANES) {
      expect(generation(first, node)).toBe("2");
      expect(certificatesStep(second, node).inputs).toEqual(certificatesStep(first, node).inputs);
    }
  });

  it("inside the window each control plane's generation goes up by one: the update renews there", async () => {
    const outside = await (previous(all(inDays(200), 2)), planStack("poc"));
    previous({ ...all(inDays(200), 2), "nsx-poc-cp-2": { expires: inDays(10), renewal: 2 } });
    const oneDue = await planStack("poc");
    expect(CONTROL_PLANES.map((node) => generation(oneDue, node))).toEqual(["2", "3", "2"]);
    expect(certificatesStep(oneDue, "nsx-poc-cp-2").inputs.stdin).not.toEqual(certificatesStep(outside, "nsx-poc-cp-2").inputs.stdin);
    expect(certificatesStep(oneDue, "nsx-poc-cp-1").inputs).toEqual(certificatesStep(outside, "nsx-poc-cp-1").inputs);
    // a window wider than the certificates' life: every control plane, in turn (the lab's test)
    previous(all(inDays(364), 5));
    const wide = await planStack("poc", (c) => (c.kubernetes.certificates = { renewBeforeDays: 400 }));
    expect(CONTROL_PLANES.map((node) => generation(wide, node))).toEqual(["6", "6", "6"]);
  });

  it("the admin kubeconfig's certificate is re-issued within the same window (the tls provider's earlyRenewalHours)", async () => {
    const admin = (plan: PlanResult) => resourceNamed(plan, "tls:index/locallySignedCert:LocallySignedCert", "nsx-poc-admin-cert").inputs;
    expect(admin(await planStack("poc"))).toMatchObject({ validityPeriodHours: 365 * 24, earlyRenewalHours: 30 * 24 });
    expect(admin(await planStack("poc", (c) => (c.kubernetes.certificates = { renewBeforeDays: 60 })))).toMatchObject({ earlyRenewalHours: 60 * 24 });
  });

  it("exports when the certificates expire, per control plane and the earliest, as plain values", async () => {
    // What the steps print once they ran (the mocks echo inputs otherwise: no stdout, dates unknown).
    const expiry: Record<string, string> = { "nsx-poc-cp-1": "2027-12-06T16:20:26Z", "nsx-poc-cp-2": "2027-12-06T16:31:02Z", "nsx-poc-cp-3": "2027-12-06T16:40:45Z" };
    resourceOutputFakers[COMMAND] = (args) => {
      const node = args.name.replace(/-certificates$/, "");
      return args.name.endsWith("-certificates") ? { stdout: stepStdout(expirationJson({ apiserver: expiry[node]!, "etcd-peer": "2027-12-31T00:00:00Z" })) } : {};
    };
    previous(all(inDays(200), 1));
    const plan = await planStack("poc");
    const output = plan.outputs.certificates as CertificatesOutput;
    expect(output).toEqual({
      renewBeforeDays: 30,
      earliestExpiry: "2027-12-06T16:20:26Z",
      renewFrom: "2027-11-06T16:20:26Z",
      controlPlanes: Object.fromEntries(CONTROL_PLANES.map((node) => [node, { expires: expiry[node], renewal: 1 }])),
      adminKubeconfigExpires: null, // the mocks give no validityEndTime
    });
    expect(plan.outputSecretPaths.filter((p) => p.startsWith("certificates"))).toEqual([]);
    expect(plan.outputSecretPaths).toContain("kubeconfig");
  });

  it("under mocks (the offline plan) the dates are unknown until deployment", async () => {
    const plan = await planStack("poc");
    expect(plan.outputs.certificates).toMatchObject({ renewBeforeDays: 30, earliestExpiry: null, controlPlanes: all(null, 0) });
  });
});
