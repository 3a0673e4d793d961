// The control-plane settings of the description (stacks/schema-hardening.ts): the profiles'
// defaults, and every bad value refused with field, value, problem and fix before anything exists.
import { describe, expect, it } from "vitest";
import * as formats from "./hardening-formats";
import { readStackFile } from "./stack-file";
import { validateCluster, type Problem } from "./validate";

function validate(stack: "poc" | "prod", edit: (kubernetes: Record<string, any>) => void) {
  const cluster = structuredClone(readStackFile(stack).cluster) as Record<string, any>;
  edit(cluster.kubernetes);
  return validateCluster(cluster, { secretsPresent: new Set<never>(), planMode: true });
}

const errorsOf = (result: ReturnType<typeof validate>): Problem[] => (result.ok ? [] : result.problems.filter((p) => p.severity === "error"));

function problemAt(edit: (kubernetes: Record<string, any>) => void): Problem {
  const result = validate("poc", edit);
  expect(result.ok).toBe(false);
  const errors = errorsOf(result);
  expect(errors).toHaveLength(1);
  return errors[0]!;
}

const OIDC = { issuerUrl: "https://sso.example.internal/realms/k8s", clientId: "kubernetes" };

describe("profile defaults", () => {
  it("prod: audit log, encryption at rest and Pod Security baseline enforced; poc: all off", () => {
    const prod = validate("prod", () => {});
    const poc = validate("poc", () => {});
    expect(prod.ok && poc.ok, JSON.stringify(errorsOf(prod))).toBe(true);
    if (!prod.ok || !poc.ok) return;
    expect(prod.spec.kubernetes.apiServer.audit.enabled).toBe(true);
    expect(prod.spec.kubernetes.encryption).toEqual({ enabled: true, provider: "secretbox", keyGeneration: 1 });
    expect(prod.spec.kubernetes.podSecurity).toMatchObject({ enforce: "baseline", audit: "restricted", warn: "restricted" });
    expect(poc.spec.kubernetes.apiServer.audit.enabled).toBe(false);
    expect(poc.spec.kubernetes.encryption.enabled).toBe(false);
    expect(poc.spec.kubernetes.podSecurity).toMatchObject({ enforce: "privileged", audit: "privileged", warn: "privileged" });
    expect(poc.spec.kubernetes.etcd).toEqual({ extraArgs: {} });
  });

  it("a prod stack may turn a default off, and a poc stack may ask for one", () => {
    const prod = validate("prod", (k) => (k.encryption = { enabled: false }));
    expect(prod.ok && prod.spec.kubernetes.encryption.enabled).toBe(false);
    const poc = validate("poc", (k) => (k.apiServer = { audit: { enabled: true, maxAgeDays: 7 }, oidc: OIDC }));
    expect(poc.ok && poc.spec.kubernetes.apiServer.audit).toEqual({ enabled: true, maxAgeDays: 7, maxBackups: 10, maxSizeMiB: 100 });
    expect(poc.ok && poc.spec.kubernetes.apiServer.oidc).toMatchObject({ ...OIDC, usernameClaim: "sub", usernamePrefix: "oidc:", groupsPrefix: "oidc:" });
  });
});

describe("bad values are refused with field, value, problem and fix", () => {
  it.each<[string, (k: Record<string, any>) => void, string, RegExp, RegExp]>([
    ["an http issuer", (k) => (k.apiServer = { oidc: { ...OIDC, issuerUrl: "http://sso.example.internal" } }), "cluster.kubernetes.apiServer.oidc.issuerUrl", /must be an https:\/\/ URL/, /exactly as the identity provider puts it/],
    ["an issuer with a query", (k) => (k.apiServer = { oidc: { ...OIDC, issuerUrl: "https://sso.example.internal/?realm=k8s" } }), "cluster.kubernetes.apiServer.oidc.issuerUrl", /must not have a query/, /iss/],
    ["an empty client ID", (k) => (k.apiServer = { oidc: { ...OIDC, clientId: " " } }), "cluster.kubernetes.apiServer.oidc.clientId", /is empty/, /client ID registered/],
    ["a claim list", (k) => (k.apiServer = { oidc: { ...OIDC, groupsClaim: "groups,roles" } }), "cluster.kubernetes.apiServer.oidc.groupsClaim", /names one claim/, /e\.g\. groups/],
    ["a system: prefix", (k) => (k.apiServer = { oidc: { ...OIDC, usernamePrefix: "system:" } }), "cluster.kubernetes.apiServer.oidc.usernamePrefix", /reserved for Kubernetes/, /oidc:/],
    ["a CA that is no certificate", (k) => (k.apiServer = { oidc: { ...OIDC, caPem: "/etc/ssl/sso-ca.pem" } }), "cluster.kubernetes.apiServer.oidc.caPem", /holds no PEM certificate/, /paste the PEM certificate/],
    ["a PSA level that does not exist", (k) => (k.podSecurity = { enforce: "strict" }), "cluster.kubernetes.podSecurity.enforce", /privileged, baseline, restricted|one of/, /privileged|baseline|restricted/],
    ["an exempt namespace that is no name", (k) => (k.podSecurity = { exemptNamespaces: ["Monitoring"] }), "cluster.kubernetes.podSecurity.exemptNamespaces[0]", /is not a namespace name/, /e\.g\. monitoring/],
    ["an etcd quota above 8 GiB", (k) => (k.etcd = { quotaBackendGiB: 16 }), "cluster.kubernetes.etcd.quotaBackendGiB", /above the largest accepted value 8/, /at most 8/],
    ["a compaction retention of 0", (k) => (k.etcd = { autoCompactionRetention: "0" }), "cluster.kubernetes.etcd.autoCompactionRetention", /turns compaction off/, /hours/],
    ["a compaction retention in days", (k) => (k.etcd = { autoCompactionRetention: "2d" }), "cluster.kubernetes.etcd.autoCompactionRetention", /neither a number of hours/, /1h30m/],
    ["an encryption provider out of scope", (k) => (k.encryption = { enabled: true, provider: "kms" }), "cluster.kubernetes.encryption.provider", /aescbc, secretbox|one of/, /aescbc|secretbox/],
    ["a flag with its dashes", (k) => (k.apiServer = { extraArgs: { "--v": "2" } }), "cluster.kubernetes.apiServer.extraArgs.--v", /without the leading --/, /kube-apiserver flag as its name and value/],
    ["a flag with its value in the name", (k) => (k.scheduler = { extraArgs: { "v=2": "" } }), "cluster.kubernetes.scheduler.extraArgs.v=2", /not after '='/, /kube-scheduler/],
    ["a flag the program sets from a field", (k) => (k.apiServer = { extraArgs: { "audit-log-maxage": "7" } }), "cluster.kubernetes.apiServer.extraArgs.audit-log-maxage", /set by the program from kubernetes.apiServer.audit.maxAgeDays/, /set kubernetes.apiServer.audit.maxAgeDays instead/],
    ["anonymous kubelet access", (k) => (k.kubelet = { extraArgs: { "anonymous-auth": "true" } }), "cluster.kubernetes.kubelet.extraArgs.anonymous-auth", /set by the program/, /remove anonymous-auth/],
    ["an etcd quota as a flag", (k) => (k.etcd = { extraArgs: { "quota-backend-bytes": "8589934592" } }), "cluster.kubernetes.etcd.extraArgs.quota-backend-bytes", /kubernetes.etcd.quotaBackendGiB/, /quotaBackendGiB/],
    ["a multi-line flag value", (k) => (k.controllerManager = { extraArgs: { "cluster-signing-duration": "8760h\n--v=9" } }), "cluster.kubernetes.controllerManager.extraArgs.cluster-signing-duration", /on one line/, /one line/],
    ["a number as a flag value", (k) => (k.apiServer = { extraArgs: { v: 2 } }), "cluster.kubernetes.apiServer.extraArgs.v", /expected text, found the number 2/, /quote|"2"/],
    ["a misspelt key", (k) => (k.apiServer = { audit: { enabeld: true } }), "cluster.kubernetes.apiServer.audit.enabeld", /did you mean enabled\?/, /rename enabeld to enabled/],
  ])("%s", (_name, edit, field, problem, fix) => {
    const found = problemAt(edit);
    expect(found.path).toBe(field);
    expect(found.problem).toMatch(problem);
    expect(found.fix).toMatch(fix);
  });
});

describe("formats", () => {
  it("accepts what kubeadm and the apiserver accept", () => {
    expect(formats.oidcIssuerProblem("https://accounts.google.com")).toBeUndefined();
    expect(formats.oidcIssuerProblem("https://sso.example.internal:8443/realms/k8s/")).toBeUndefined();
    expect(formats.claimProblem("preferred_username")).toBeUndefined();
    expect(formats.claimPrefixProblem("")).toBeUndefined();
    expect(formats.flagNameProblem("feature-gates")).toBeUndefined();
    expect(formats.flagNameProblem("v")).toBeUndefined();
    expect(formats.compactionRetentionProblem("8")).toBeUndefined();
    expect(formats.compactionRetentionProblem("1h30m")).toBeUndefined();
    expect(formats.compactionRetentionProblem("30m")).toBeUndefined();
  });

  it("refuses what they refuse", () => {
    expect(formats.oidcIssuerProblem("sso.example.internal")).toMatch(/not a URL/);
    expect(formats.oidcIssuerProblem("https://u:p@sso.example.internal")).toMatch(/user or password/);
    expect(formats.oidcIssuerProblem("https://sso.example.internal/#x")).toMatch(/fragment/);
    expect(formats.claimProblem("")).toMatch(/empty/);
    expect(formats.claimProblem("a b")).toMatch(/spaces/);
    expect(formats.flagNameProblem("Feature-Gates")).toMatch(/lower-case/);
    expect(formats.flagNameProblem("-v")).toMatch(/leading --/);
    expect(formats.compactionRetentionProblem("0h0m")).toMatch(/zero/);
    expect(formats.pemCertificatesProblem("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n")).toMatch(/private key/);
  });
});
