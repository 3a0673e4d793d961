// The control-plane settings as kubeadm and the apiserver meet them (issue 20): the rendered
// ClusterConfiguration flags and mounts, the files, `kubeadm config validate` of the pinned kubeadm
// on every rendered configuration with each setting on, and a real kube-apiserver v1.34.4 started
// with the files and flags the control planes get: its audit policy, EncryptionConfiguration,
// AdmissionConfiguration and AuthenticationConfiguration decode strictly (it refuses to start
// otherwise), a Secret is stored as k8s:enc:secretbox in etcd, the audit log records a request, a
// privileged Pod is refused at the enforced level.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { stackSpec } from "../../test/stack-spec";
import { type ApiServer, startApiServer } from "../../test/tools/apiserver";
import { PINNED_KUBEADM_VERSION, etcdctlBinary, kubeadmBinary } from "../../test/tools/go-binaries";
import { runProcess } from "../../test/tools/process";
import { type StrictKind, strictDecode } from "../../test/tools/strict-decode";
import { substituteSecretPlaceholders } from "../remote/placeholders";
import { KUBEADM_TOKEN_ENV } from "./placeholders";
import {
  ENCRYPTION_KEY_ENV,
  apiServerArgsOf,
  apiServerFilesOf,
  authenticationConfigApiVersion,
  etcdArgsOf,
  privilegedNamespacesOf,
} from "./hardening";
import { initConfigOf, joinConfigOf, phaseConfigOf } from "./params";
import { CLUSTER_VERSION_MARK, settingsDigest, settingsEnv } from "./settings";

const OIDC = {
  issuerUrl: "https://sso.example.internal/realms/k8s",
  clientId: "kubernetes",
  usernameClaim: "email",
  groupsClaim: "groups",
  requiredClaims: { hd: "example.internal" },
};

/** The prod stack with every setting on. */
const everything = () =>
  stackSpec("prod", (c) => {
    c.kubernetes.apiServer = { oidc: OIDC, audit: { enabled: true, maxAgeDays: 7 }, extraArgs: { "profiling": "false" } };
    c.kubernetes.encryption = { enabled: true, provider: "secretbox" };
    c.kubernetes.podSecurity = { enforce: "baseline", audit: "restricted", warn: "restricted", exemptNamespaces: ["monitoring"] };
    c.kubernetes.etcd = { autoCompactionRetention: "8", snapshotCount: 5000, quotaBackendGiB: 4 };
    c.kubernetes.controllerManager = { extraArgs: { "terminated-pod-gc-threshold": "500" } };
    c.kubernetes.scheduler = { extraArgs: { "profiling": "false" } };
    c.kubernetes.kubelet = { extraArgs: { "max-pods": "150" } };
  });

type Doc = Record<string, any>;
const docs = (text: string): Doc[] => parseAllDocuments(text).map((d) => d.toJS() as Doc);
const byKind = (text: string, kind: string) => docs(text).find((d) => d.kind === kind)!;
const args = (list: { name: string; value: string }[]) => Object.fromEntries(list.map((a) => [a.name, a.value]));

describe("rendering", () => {
  it("poc renders nothing beyond kubeadm's own: no extra args, no mounts, no files", () => {
    const spec = stackSpec("poc");
    const cluster = byKind(initConfigOf(spec), "ClusterConfiguration");
    expect(cluster.apiServer).toEqual({ certSANs: expect.any(Array) });
    expect(cluster).not.toHaveProperty("etcd");
    expect(cluster).not.toHaveProperty("controllerManager");
    expect(Object.values(apiServerFilesOf(spec)).every((text) => text === "")).toBe(true);
  });

  it("every setting on: the apiserver's flags point at the files in the mounted directory, the audit log at its writable one", () => {
    const spec = everything();
    const cluster = byKind(initConfigOf(spec), "ClusterConfiguration");
    expect(args(cluster.apiServer.extraArgs)).toEqual({
      "admission-control-config-file": "/etc/kubernetes/apiserver/admission.yaml",
      "audit-log-maxage": "7",
      "audit-log-maxbackup": "10",
      "audit-log-maxsize": "100",
      "audit-log-path": "/var/log/kubernetes/audit/audit.log",
      "audit-policy-file": "/etc/kubernetes/apiserver/audit-policy.yaml",
      "authentication-config": "/etc/kubernetes/apiserver/authentication.yaml",
      "encryption-provider-config": "/etc/kubernetes/apiserver/encryption.yaml",
      profiling: "false",
    });
    expect(cluster.apiServer.extraVolumes).toEqual([
      { name: "apiserver-config", hostPath: "/etc/kubernetes/apiserver", mountPath: "/etc/kubernetes/apiserver", readOnly: true, pathType: "DirectoryOrCreate" },
      { name: "audit-log", hostPath: "/var/log/kubernetes/audit", mountPath: "/var/log/kubernetes/audit", readOnly: false, pathType: "DirectoryOrCreate" },
    ]);
    expect(args(cluster.etcd.local.extraArgs)).toEqual({ "auto-compaction-mode": "periodic", "auto-compaction-retention": "8", "quota-backend-bytes": String(4 * 1024 ** 3), "snapshot-count": "5000" });
    expect(args(cluster.controllerManager.extraArgs)).toEqual({ "terminated-pod-gc-threshold": "500" });
    expect(args(cluster.scheduler.extraArgs)).toEqual({ profiling: "false" });
  });

  it("every node's kubelet gets the extra args, joins included; kubelet defaults stay explicit", () => {
    const spec = everything();
    const init = byKind(initConfigOf(spec), "InitConfiguration");
    expect(args(init.nodeRegistration.kubeletExtraArgs)).toMatchObject({ "max-pods": "150" });
    const worker = byKind(joinConfigOf(spec, spec.workers[0]!, `sha256:${"0".repeat(64)}`), "JoinConfiguration");
    expect(args(worker.nodeRegistration.kubeletExtraArgs)).toMatchObject({ "max-pods": "150" });
    expect(byKind(initConfigOf(spec), "KubeletConfiguration")).toMatchObject({ authentication: { anonymous: { enabled: false } }, authorization: { mode: "Webhook" }, rotateCertificates: true });
  });

  it("the audit policy: nothing for health checks and leases, Metadata for the rest, never a body", () => {
    const policy = parseYaml(apiServerFilesOf(everything()).auditPolicy);
    expect(policy.rules[0]).toMatchObject({ level: "None", nonResourceURLs: expect.arrayContaining(["/readyz*", "/healthz*", "/livez*"]) });
    expect(policy.rules.at(-1).level).toBe("Metadata");
    const levels = new Set(policy.rules.map((r: Doc) => r.level));
    expect([...levels].sort()).toEqual(["Metadata", "None"]); // no Request or RequestResponse rule at all
    const secretsRule = policy.rules.find((r: Doc) => r.resources?.some((g: Doc) => g.resources?.includes("secrets")) && r.level !== "None");
    expect(secretsRule.level).toBe("Metadata");
  });

  it("the encryption key is only a placeholder in every rendered text", () => {
    const spec = everything();
    const files = apiServerFilesOf(spec);
    expect(files.encryption).toContain(`secret: \${${ENCRYPTION_KEY_ENV}}`);
    expect(parseYaml(files.encryption).resources[0].providers.map((p: Doc) => Object.keys(p)[0])).toEqual(["secretbox", "identity"]);
    const aescbc = stackSpec("prod", (c) => (c.kubernetes.encryption = { enabled: true, provider: "aescbc" }));
    expect(Object.keys(parseYaml(apiServerFilesOf(aescbc).encryption).resources[0].providers[0])).toEqual(["aescbc"]);
  });

  it("Pod Security exempts kube-system and the chosen add-ons' privileged namespaces, and the description's", () => {
    const spec = everything();
    const admission = parseYaml(apiServerFilesOf(spec).admission);
    const config = admission.plugins[0].configuration;
    expect(config.defaults).toMatchObject({ enforce: "baseline", audit: "restricted", warn: "restricted" });
    expect(config.exemptions.namespaces).toEqual(expect.arrayContaining(["kube-system", "monitoring", ...privilegedNamespacesOf(spec)]));
    expect(privilegedNamespacesOf(stackSpec("poc"))).toEqual(expect.arrayContaining(["kube-system", "metallb-system"]));
  });

  it("OIDC as a structured AuthenticationConfiguration: v1 from 1.34, v1beta1 before", () => {
    const auth = parseYaml(apiServerFilesOf(everything()).authentication);
    expect(auth.apiVersion).toBe("apiserver.config.k8s.io/v1");
    expect(auth.jwt[0]).toEqual({
      issuer: { url: OIDC.issuerUrl, audiences: ["kubernetes"] },
      claimMappings: { username: { claim: "email", prefix: "oidc:" }, groups: { claim: "groups", prefix: "oidc:" } },
      claimValidationRules: [{ claim: "hd", requiredValue: "example.internal" }],
    });
    expect(authenticationConfigApiVersion("1.33.5")).toBe("apiserver.config.k8s.io/v1beta1");
  });

  it("etcd keeps its own defaults unless the description tunes it", () => {
    expect(etcdArgsOf(stackSpec("prod"))).toEqual({});
    expect(apiServerArgsOf(stackSpec("poc")).extraVolumes).toEqual([]);
  });

  it("the settings steps: one digest for the cluster that moves with any setting; each control plane's own phase config", () => {
    const prod = stackSpec("prod");
    const audited = stackSpec("prod", (c) => (c.kubernetes.apiServer = { audit: { enabled: true, maxBackups: 3 } }));
    expect(settingsDigest(prod)).not.toBe(settingsDigest(audited));
    expect(settingsDigest(prod)).toBe(settingsDigest(stackSpec("prod")));
    const second = prod.controlPlanes[1]!;
    const env = settingsEnv(prod, second, false, { API_ENDPOINT_HOST: "h", API_ENDPOINT_PORT: "6443", CONTROL_PLANE_ADDRESSES: "a", RESET_STALE_STATE: "false" });
    expect(env).toMatchObject({ NODE_NAME: second.name, UPLOAD_CONFIG: "false", ETCD_PHASE: "false" });
    const init = byKind(env.KUBEADM_PHASE_CONFIG!, "InitConfiguration");
    expect(init.localAPIEndpoint.advertiseAddress).toBe(second.address);
    expect(init).not.toHaveProperty("bootstrapTokens");
    expect(() => phaseConfigOf(prod, prod.workers[0]!)).toThrow(/not a control plane/);
    // the version is the cluster's, read on the node: an upgrade re-runs no settings step
    expect(byKind(env.KUBEADM_PHASE_CONFIG!, "ClusterConfiguration").kubernetesVersion).toBe(CLUSTER_VERSION_MARK);
    expect(settingsDigest(stackSpec("prod", (c) => (c.kubernetes.version = "1.34.3")))).toBe(settingsDigest(prod));
  });
});

describe(`kubeadm ${PINNED_KUBEADM_VERSION} config validate with every setting on`, () => {
  let kubeadm: string;
  let dir: string;
  beforeAll(async () => {
    kubeadm = await kubeadmBinary();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeadm-hardening-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const TOKEN = "abcdef.0123456789abcdef";
  const configs: Array<[string, () => string]> = [
    ["the first control plane's init", () => initConfigOf(everything())],
    ["a control plane's phase configuration (settings step)", () => phaseConfigOf(everything(), everything().controlPlanes[2]!)],
    ["a control-plane join", () => joinConfigOf(everything(), everything().controlPlanes[1]!, `sha256:${"a".repeat(64)}`)],
    ["a worker join", () => joinConfigOf(everything(), everything().workers[0]!, `sha256:${"a".repeat(64)}`)],
  ];

  it.each(configs)("accepts %s", async (_name, render) => {
    const file = path.join(dir, `${randomBytes(4).toString("hex")}.yaml`);
    const text = render();
    fs.writeFileSync(file, text.includes("${") ? substituteSecretPlaceholders(text, { [KUBEADM_TOKEN_ENV]: TOKEN }) : text, { mode: 0o600 });
    const result = await runProcess(kubeadm, ["config", "validate", "--config", file], { allowFail: true });
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(/^ok$/m);
  });

  it("refuses a flag list in the v1beta3 map form (the check sees extraArgs at all)", async () => {
    const file = path.join(dir, "broken.yaml");
    const text = initConfigOf(everything()).replace(/extraArgs:\n(\s+)- name: admission-control-config-file\n\s+value: (\S+)/, "extraArgs:\n$1admission-control-config-file: $2");
    expect(text).toContain("admission-control-config-file: /etc");
    fs.writeFileSync(file, substituteSecretPlaceholders(text, { [KUBEADM_TOKEN_ENV]: TOKEN }), { mode: 0o600 });
    expect((await runProcess(kubeadm, ["config", "validate", "--config", file], { allowFail: true })).status).not.toBe(0);
  });
});

describe("a real kube-apiserver v1.34.4 with the control planes' files and flags", () => {
  let apiserver: ApiServer;
  let dir: string;
  const auditLog = () => path.join(dir, "audit.log");

  beforeAll(async () => {
    const spec = everything();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "apiserver-hardening-"));
    const files = apiServerFilesOf(spec);
    const key = randomBytes(32).toString("base64");
    const write = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text, { mode: 0o600 });
      return path.join(dir, name);
    };
    // The flags kubeadm renders, with the files where this test keeps them.
    const flags = apiServerArgsOf(spec).extraArgs;
    const local: Record<string, string> = {
      ...flags,
      "audit-policy-file": write("audit-policy.yaml", files.auditPolicy),
      "audit-log-path": auditLog(),
      "encryption-provider-config": write("encryption.yaml", substituteSecretPlaceholders(files.encryption, { [ENCRYPTION_KEY_ENV]: key })),
      "admission-control-config-file": write("admission.yaml", files.admission),
      "authentication-config": write("authentication.yaml", files.authentication),
    };
    apiserver = await startApiServer({ extraArgs: Object.entries(local).map(([name, value]) => `--${name}=${value}`) });
  }, 180_000);

  afterAll(async () => {
    await apiserver?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("stores a Secret encrypted: etcd's value starts with k8s:enc:secretbox:v1:onprem-k8s-1:", async () => {
    const created = await apiserver.kubectl(["create", "secret", "generic", "hardening-probe", "--namespace", "default", "--from-literal=password=plain-text-marker"]);
    expect(created.status, created.output).toBe(0);
    const read = await apiserver.kubectl(["get", "secret", "hardening-probe", "--namespace", "default", "-o", "jsonpath={.data.password}"]);
    expect(Buffer.from(read.stdout, "base64").toString()).toBe("plain-text-marker");
    const etcdctl = await etcdctlBinary();
    const raw = await runProcess(etcdctl, ["--endpoints", apiserver.etcdUrl, "get", "/registry/secrets/default/hardening-probe", "--print-value-only"], { allowFail: true });
    expect(raw.status, raw.output).toBe(0);
    expect(raw.stdout.startsWith("k8s:enc:secretbox:v1:onprem-k8s-1:")).toBe(true);
    expect(raw.stdout).not.toContain("plain-text-marker");
  });

  it("records requests in the audit log at Metadata, without the Secret's data", async () => {
    await apiserver.kubectl(["create", "configmap", "audit-probe", "--namespace", "default", "--from-literal=k=v"]);
    let lines: Doc[] = [];
    for (let i = 0; i < 40 && !lines.some((l) => l.objectRef?.name === "audit-probe"); i++) {
      await new Promise((r) => setTimeout(r, 250));
      lines = fs.existsSync(auditLog()) ? fs.readFileSync(auditLog(), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
    }
    const probe = lines.find((l) => l.objectRef?.name === "audit-probe" && l.verb === "create");
    expect(probe).toMatchObject({ level: "Metadata", stage: "ResponseComplete", user: { username: "test-admin" } });
    expect(lines.every((l) => l.level === "Metadata")).toBe(true);
    expect(fs.readFileSync(auditLog(), "utf8")).not.toContain("plain-text-marker");
    expect(lines.some((l) => String(l.requestURI).startsWith("/readyz"))).toBe(false);
  });

  it("refuses a privileged Pod at the enforced baseline level, and admits it in an exempt namespace", async () => {
    const pod = (namespace: string) =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "privileged-probe", namespace },
        spec: { containers: [{ name: "c", image: "registry.k8s.io/pause:3.10", securityContext: { privileged: true } }] },
      });
    const refused = await apiserver.kubectl(["create", "-f", "-"], pod("default"));
    expect(refused.status).not.toBe(0);
    expect(refused.output).toMatch(/violates PodSecurity "baseline:latest": privileged/);
    await apiserver.kubectl(["create", "namespace", "monitoring"]);
    const exempt = await apiserver.kubectl(["create", "-f", "-"], pod("monitoring"));
    expect(exempt.status, exempt.output).toBe(0);
  });

  it("runs the OIDC authenticator from the AuthenticationConfiguration", async () => {
    expect(await apiserver.log()).not.toMatch(/failed to load authentication config|strict decoding error/);
    // A token that is no JWT of the issuer is refused, not an error of the configuration.
    const who = await apiserver.kubectl(["auth", "whoami", "--token", "not-a-jwt"]);
    expect(who.status).not.toBe(0);
  });
});

// Strictly as their API types (unknown and duplicate fields refused), by the Go types of the
// pinned v1.34.4 modules: the apiserver itself reads the audit policy leniently (a misspelt field
// is dropped without a word), so its start is no proof for that file.
describe("every file decodes strictly as its API type", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "strict-decode-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const key = randomBytes(32).toString("base64");
  const files = () => {
    const f = apiServerFilesOf(everything());
    return { ...f, encryption: substituteSecretPlaceholders(f.encryption, { [ENCRYPTION_KEY_ENV]: key }) };
  };
  const cases: Array<[StrictKind, (f: ReturnType<typeof files>) => string, string, string]> = [
    ["audit-policy", (f) => f.auditPolicy, "omitStages:", "omitStage:"],
    ["encryption", (f) => f.encryption, "providers:", "provider:"],
    ["admission", (f) => f.admission, "exemptions:", "exemption:"],
    ["authentication", (f) => f.authentication, "claimMappings:", "claimMapping:"],
  ];
  it.each(cases)("%s, and a misspelt field in it is refused", async (kind, pick, field, misspelt) => {
    const text = pick(files());
    const decoded = await strictDecode(kind, text, dir);
    expect(decoded.status, decoded.output).toBe(0);
    const broken = await strictDecode(kind, text.replace(field, misspelt), dir);
    expect(broken.status).not.toBe(0);
    expect(broken.output).toContain(`unknown field "${misspelt.slice(0, -1)}"`);
  });
  it("the 1.33 AuthenticationConfiguration's v1beta1 header is not v1 (decoded by the apiserver of its version)", () => {
    const older = apiServerFilesOf(stackSpec("prod", (c) => ((c.kubernetes.version = "1.33.5"), (c.kubernetes.apiServer = { oidc: OIDC }))));
    expect(parseYaml(older.authentication).apiVersion).toBe("apiserver.config.k8s.io/v1beta1");
  });
});

// The same apiserver refuses to start when a file it decodes strictly does not decode: the tests
// above prove the rendered files start it, these that the start would notice if they did not.
describe("a real kube-apiserver refuses each file it decodes strictly with a misspelt field", () => {
  const spec = () => everything();
  const cases: Array<[string, string, (files: ReturnType<typeof apiServerFilesOf>) => string, RegExp]> = [
    ["EncryptionConfiguration", "encryption-provider-config", (f) => substituteSecretPlaceholders(f.encryption, { [ENCRYPTION_KEY_ENV]: randomBytes(32).toString("base64") }).replace("providers:", "provider:"), /provider|unknown field|strict/i],
    ["AdmissionConfiguration", "admission-control-config-file", (f) => f.admission.replace("exemptions:", "exemption:"), /exemption|unknown field|strict/i],
    ["AuthenticationConfiguration", "authentication-config", (f) => f.authentication.replace("claimMappings:", "claimMapping:"), /claimMapping|unknown field|strict/i],
  ];
  it.each(cases)("%s", async (_name, flag, broken, message) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apiserver-broken-"));
    try {
      const file = path.join(dir, "config.yaml");
      fs.writeFileSync(file, broken(apiServerFilesOf(spec())), { mode: 0o600 });
      const started = startApiServer({ extraArgs: [`--${flag}=${file}`] });
      await expect(started.then((s) => s.stop())).rejects.toThrow(message);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
