// Every config the PROGRAM renders for every stack and example, checked with the real tools:
// kubeadm config validate (pinned kubeadm), haproxy -c, keepalived -t, and kube-validate on the
// kube-vip manifests. The renderer tests cover variants; this covers what is actually deployed.
import { execFile } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStack, type PlanResult } from "../../test/harness";
import { PINNED_KUBEADM_VERSION, kubeadmBinary } from "../../test/tools/go-binaries";
import { validateManifests } from "../../test/tools/kube-validate";
import { runProcess } from "../../test/tools/process";
import { CHECK_APISERVER_SCRIPT, CLUSTER_CA_FILE } from "../endpoint/configs";
import { DEFAULT_CHECK_SCRIPT_PATH, DEFAULT_SCRIPT_USER } from "../endpoint/keepalived";
import { KUBEADM_TOKEN_ENV } from "./placeholders";
import { substituteSecretPlaceholders } from "../remote/placeholders";
import { KEEPALIVED_AUTH_PASS_ENV } from "../endpoint/keepalived";
import { DISCOVERY_FALLBACK_KUBECONFIG_PATH } from "./index";
import { renderDiscoveryKubeconfig } from "./kubeconfig";

const execFileAsync = promisify(execFile);
const hostNics = readdirSync("/sys/class/net").filter((nic) => nic !== "lo").sort();
const stacks = ["poc", "prod", "examples/existing-hosts-external-lb.yaml", "examples/proxmox-keepalived-calico-nfs.yaml", "examples/redos-proxy-calico-metallb-nfs.yaml"];

let dir: string;
let caFile: string;
let checkScript: string;
let discoveryFile: string;
const plans = new Map<string, PlanResult>();
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "program-artifacts-"));
  chmodSync(dir, 0o755);
  caFile = path.join(dir, "ca.crt");
  await runProcess("openssl", ["req", "-x509", "-nodes", "-newkey", "rsa:2048", "-keyout", path.join(dir, "ca.key"), "-out", caFile, "-days", "1", "-subj", "/CN=kubernetes"]);
  // The fallback joins' discovery file, which kubeadm config validate requires to exist.
  discoveryFile = path.join(dir, "discovery.conf");
  writeFileSync(discoveryFile, renderDiscoveryKubeconfig({ clusterName: "validate", server: { host: "192.0.2.10", port: 6443 }, caCertPem: readFileSync(caFile, "utf8") }));
  checkScript = path.join(dir, "check-apiserver.sh");
  copyFileSync(CHECK_APISERVER_SCRIPT, checkScript);
  chmodSync(checkScript, 0o755);
  for (const stack of stacks) plans.set(stack, await planStack(stack));
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function write(content: string, suffix: string): string {
  const file = path.join(dir, `${counter++}${suffix}`);
  writeFileSync(file, content);
  return file;
}
const artifactsOf = (stack: string, kind: string) => plans.get(stack)!.artifacts.filter((a) => a.kind === kind);

describe.each(stacks)("%s", (stack) => {
  it("renders a kubeadm config per node that kubeadm config validate accepts", async () => {
    const configs = artifactsOf(stack, "kubeadm-config");
    expect(configs.length).toBeGreaterThanOrEqual(2);
    const kubeadm = await kubeadmBinary();
    for (const config of configs) {
      // kubeadm 1.34 refuses to deploy a control plane older than 1.33: a 1.30 config (v1beta3) is
      // checked with its version moved to the pin, which validates the schema (see config.test.ts).
      const content = substituteSecretPlaceholders(config.content, { [KUBEADM_TOKEN_ENV]: "abcdef.0123456789abcdef" })
        .replace(/^kubernetesVersion: v1\.(30|31|32)\.\d+$/m, `kubernetesVersion: ${PINNED_KUBEADM_VERSION}`)
        .replaceAll(DISCOVERY_FALLBACK_KUBECONFIG_PATH, discoveryFile);
      const file = write(content, ".yaml");
      const result = await execFileAsync(kubeadm, ["config", "validate", "--config", file]).then(
        (r) => ({ ok: true, output: `${r.stdout}${r.stderr}` }),
        (e: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}` }),
      );
      expect(result.ok, `${config.path}\n${result.output}`).toBe(true);
    }
  });

  it("runs every kubelet with cloud-provider external exactly where the vSphere CPI is installed", () => {
    const plan = plans.get(stack)!;
    const cpiInstalled = plan.resources.some((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "vsphere-cpi");
    // The vSphere CSI stacks (poc, prod) install it; the NFS examples do not.
    expect(cpiInstalled).toBe(stack === "poc" || stack === "prod");
    const configs = artifactsOf(stack, "kubeadm-config");
    expect(configs.length).toBeGreaterThanOrEqual(2);
    for (const config of configs) {
      // v1beta4 lists extra args as {name, value}; v1beta3 as a map.
      const external = /- name: cloud-provider\n\s+value: external\n|\n\s+cloud-provider: external\n/.test(config.content);
      expect(external, config.path).toBe(cpiInstalled);
    }
  });

  it("renders haproxy.cfg that haproxy -c accepts and keepalived.conf that keepalived -t accepts", async () => {
    for (const config of artifactsOf(stack, "haproxy")) {
      const r = await runProcess("haproxy", ["-c", "-f", write(config.content.replaceAll(CLUSTER_CA_FILE, caFile), ".cfg")], { allowFail: true });
      expect(r.status, `${config.path}\n${r.stdout}${r.stderr}`).toBe(0);
    }
    for (const config of artifactsOf(stack, "keepalived")) {
      // In tests the check script runs as "nobody"; nodes create keepalived_script.
      const content = substituteSecretPlaceholders(config.content, { [KEEPALIVED_AUTH_PASS_ENV]: "k8sVip01" })
        .replaceAll(DEFAULT_CHECK_SCRIPT_PATH, checkScript)
        .replace(`script_user ${DEFAULT_SCRIPT_USER}`, "script_user nobody")
        // keepalived -t checks the interface exists: a node NIC this host lacks becomes one it has.
        .replace(/\b(interface|dev) ([A-Za-z0-9_.:-]+)/g, (_m, word: string, nic: string) => `${word} ${hostNics.includes(nic) ? nic : hostNics[0]}`);
      const r = await runProcess("keepalived", ["-t", "-f", write(content, ".conf")], { allowFail: true });
      // keepalived 2.2.7 ends a good test with SIGTERM when script_user is set (see keepalived.test.ts).
      const output = `${r.stdout}${r.stderr}`.replace(/^Terminated\s*$/m, "").trim();
      expect((r.status === 0 || r.status === 143 || r.signal === "SIGTERM") && output === "", `${config.path}\n${output}`).toBe(true);
    }
  });

  it("renders kube-vip manifests that validate against the Kubernetes schema", async () => {
    for (const manifest of artifactsOf(stack, "kube-vip")) {
      const result = await validateManifests(manifest.content, { kubernetesVersion: "1.34.0" });
      expect(result.ok, `${manifest.path}\n${result.output}`).toBe(true);
    }
  });

  it("renders endpoint configs for every control plane of its mode", () => {
    const spec = plans.get(stack)!.stack.cluster as { endpoint: { mode: string }; controlPlane: { addresses: string[] } };
    const count = spec.controlPlane.addresses.length;
    const kinds = { "kube-vip": artifactsOf(stack, "kube-vip").length, haproxy: artifactsOf(stack, "haproxy").length, keepalived: artifactsOf(stack, "keepalived").length };
    if (spec.endpoint.mode === "kube-vip") expect(kinds).toEqual({ "kube-vip": count + 1, haproxy: 0, keepalived: 0 });
    if (spec.endpoint.mode === "keepalived-haproxy") expect(kinds).toEqual({ "kube-vip": 0, haproxy: count, keepalived: count });
    if (spec.endpoint.mode === "external") expect(kinds).toEqual({ "kube-vip": 0, haproxy: 0, keepalived: 0 });
  });
});
