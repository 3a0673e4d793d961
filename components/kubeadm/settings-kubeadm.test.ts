// The real kubeadm v1.34.4 running the phases settings.sh runs, on the configurations the program
// renders, in a scratch root (`--rootfs`: kubeadm chroots there and writes /etc/kubernetes/manifests
// inside it): every setting reaches the static Pod manifests as a flag or a mount; the phase writes
// exactly the manifests init wrote (a settings step on a fresh cluster restarts nothing); control
// planes' manifests differ only in their own address (a control plane added later runs the same flags).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { stackSpec } from "../../test/stack-spec";
import { PINNED_KUBERNETES_VERSION, kubeadmBinary } from "../../test/tools/go-binaries";
import { runProcess } from "../../test/tools/process";
import { substituteSecretPlaceholders } from "../remote/placeholders";
import type { ClusterSpec, NodeSpec } from "../../stacks/spec";
import { apiServerArgsOf, etcdArgsOf } from "./hardening";
import { initConfigOf } from "./params";
import { KUBEADM_TOKEN_ENV } from "./placeholders";
import { CLUSTER_VERSION_MARK, settingsPhaseConfig } from "./settings";

const COMPONENTS = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"];

const everything = () =>
  stackSpec("prod", (c) => {
    c.kubernetes.version = PINNED_KUBERNETES_VERSION.replace(/^v/, "");
    c.kubernetes.apiServer = { oidc: { issuerUrl: "https://sso.example.internal/realms/k8s", clientId: "kubernetes" }, audit: { enabled: true }, extraArgs: { profiling: "false" } };
    c.kubernetes.etcd = { autoCompactionRetention: "8", snapshotCount: 5000, quotaBackendGiB: 4 };
    c.kubernetes.controllerManager = { extraArgs: { "terminated-pod-gc-threshold": "500" } };
    c.kubernetes.scheduler = { extraArgs: { "kube-api-qps": "100" } };
  });

let kubeadm: string;
let scratch: string;
let counter = 0;

/** The manifests kubeadm's phases write from `config` (a scratch root each time). */
async function manifestsFrom(config: string): Promise<Record<string, string>> {
  const root = path.join(scratch, String(counter++));
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, "config.yaml"), config, { mode: 0o600 });
  for (const phase of [["control-plane", "all"], ["etcd", "local"]]) {
    const r = await runProcess(kubeadm, ["init", "phase", ...phase, "--config", "/config.yaml", "--rootfs", root], { allowFail: true });
    expect(r.status, r.output).toBe(0);
  }
  return Object.fromEntries(COMPONENTS.map((c) => [c, fs.readFileSync(path.join(root, "etc/kubernetes/manifests", `${c}.yaml`), "utf8")]));
}

/** The configuration a settings step's kubeadm reads: the cluster's version in place of the mark. */
const phaseConfig = (spec: ClusterSpec, node: NodeSpec) => settingsPhaseConfig(spec, node).replace(CLUSTER_VERSION_MARK, PINNED_KUBERNETES_VERSION);
const commandOf = (manifest: string): string[] => parseYaml(manifest).spec.containers[0].command;
const mountsOf = (manifest: string): string[] => parseYaml(manifest).spec.containers[0].volumeMounts.map((m: { mountPath: string }) => m.mountPath);

beforeAll(async () => {
  kubeadm = await kubeadmBinary();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "kubeadm-phases-"));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe(`kubeadm ${PINNED_KUBERNETES_VERSION} init phase control-plane all / etcd local, as settings.sh runs them`, () => {
  it("puts every setting into the manifests: the apiserver's flags and mounts, etcd's tuning, the other components' flags", async () => {
    const spec = everything();
    const manifests = await manifestsFrom(phaseConfig(spec, spec.controlPlanes[1]!));
    const apiserver = commandOf(manifests["kube-apiserver"]!);
    for (const [name, value] of Object.entries(apiServerArgsOf(spec).extraArgs)) expect(apiserver).toContain(`--${name}=${value}`);
    expect(mountsOf(manifests["kube-apiserver"]!)).toEqual(expect.arrayContaining(["/etc/kubernetes/apiserver", "/var/log/kubernetes/audit"]));
    for (const [name, value] of Object.entries(etcdArgsOf(spec))) expect(commandOf(manifests.etcd!)).toContain(`--${name}=${value}`);
    expect(commandOf(manifests["kube-controller-manager"]!)).toContain("--terminated-pod-gc-threshold=500");
    expect(commandOf(manifests["kube-scheduler"]!)).toContain("--kube-api-qps=100");
  });

  it("writes exactly what init wrote from the same description: on a fresh cluster the settings steps restart nothing", async () => {
    const spec = everything();
    const init = substituteSecretPlaceholders(initConfigOf(spec), { [KUBEADM_TOKEN_ENV]: "abcdef.0123456789abcdef" });
    const [byInit, byPhase] = [await manifestsFrom(init), await manifestsFrom(phaseConfig(spec, spec.controlPlanes[0]!))];
    for (const component of COMPONENTS) expect(byPhase[component], component).toBe(byInit[component]);
  });

  it("gives every control plane the same manifests but for its own address", async () => {
    const spec = everything();
    const [second, third] = [spec.controlPlanes[1]!, spec.controlPlanes[2]!];
    const a = await manifestsFrom(phaseConfig(spec, second));
    const b = await manifestsFrom(phaseConfig(spec, third));
    for (const component of COMPONENTS) {
      const own = (text: string, node: NodeSpec) => text.replaceAll(node.address, "<address>").replaceAll(node.name, "<name>");
      expect(own(b[component]!, third), component).toBe(own(a[component]!, second));
    }
  });

  it("changes only the apiserver's manifest when only an apiserver setting changes", async () => {
    const spec = everything();
    const audited = stackSpec("prod", (c) => {
      c.kubernetes.version = PINNED_KUBERNETES_VERSION.replace(/^v/, "");
      c.kubernetes.apiServer = { oidc: { issuerUrl: "https://sso.example.internal/realms/k8s", clientId: "kubernetes" }, audit: { enabled: true, maxBackups: 3 }, extraArgs: { profiling: "false" } };
      c.kubernetes.etcd = { autoCompactionRetention: "8", snapshotCount: 5000, quotaBackendGiB: 4 };
      c.kubernetes.controllerManager = { extraArgs: { "terminated-pod-gc-threshold": "500" } };
      c.kubernetes.scheduler = { extraArgs: { "kube-api-qps": "100" } };
    });
    const before = await manifestsFrom(phaseConfig(spec, spec.controlPlanes[1]!));
    const after = await manifestsFrom(phaseConfig(audited, audited.controlPlanes[1]!));
    expect(COMPONENTS.filter((c) => before[c] !== after[c])).toEqual(["kube-apiserver"]);
    expect(commandOf(after["kube-apiserver"]!)).toContain("--audit-log-maxbackup=3");
  });
});
