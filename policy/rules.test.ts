// The policy pack's rules, one by one: each passes on every shipped stack and example (planned
// offline, the resources and config the engine would show the pack) and fails on a stack that
// breaks it. The same pack runs through the real CLI in test/engine/s3-state-backend.test.ts.
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { planStack, REPO_ROOT, type PlanResult } from "../test/harness";
import { readStackFile } from "../stacks/stack-file";
import { CLUSTER_KEY, KNOWN_CONFIG_KEYS } from "../stacks/config-keys";
import { RULES, enforcementFor, evaluate, profileOf, type Rule, type StackFacts } from "./rules";

const SHIPPED = [
  ...fs.readdirSync(REPO_ROOT).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.slice(1) ?? []),
  ...fs.readdirSync(path.join(REPO_ROOT, "examples")).filter((f) => f.endsWith(".yaml")).map((f) => `examples/${f}`),
];
const SECRET_CONFIG_KEYS = KNOWN_CONFIG_KEYS.filter((key) => key !== CLUSTER_KEY);

function factsOf(source: string, plan: PlanResult, overrides?: (cluster: any) => void, extraConfig: Record<string, string> = {}): StackFacts {
  const stack = readStackFile(source, REPO_ROOT);
  const cluster = structuredClone(stack.cluster);
  overrides?.(cluster);
  const config = { ...stack.config, [CLUSTER_KEY]: JSON.stringify(cluster), ...extraConfig };
  return {
    profile: profileOf(config),
    config,
    secretConfigKeys: SECRET_CONFIG_KEYS,
    resources: plan.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, protect: r.protect, props: r.inputs })),
  };
}

const rule = (name: string): Rule => {
  const found = RULES.find((r) => r.name === name);
  if (!found) throw new Error(`no rule ${name}`);
  return found;
};

/** A stack planned from `source` with `overrides` applied to its description. */
async function plannedFacts(source: string, overrides?: (cluster: any) => void, extraConfig?: Record<string, string>): Promise<StackFacts> {
  return factsOf(source, await planStack(source, overrides), overrides, extraConfig);
}

describe("policy pack rules", () => {
  const shipped = new Map<string, StackFacts>();

  beforeAll(async () => {
    for (const source of SHIPPED) shipped.set(source, await plannedFacts(source));
  }, 300_000);

  it("the pack has the issue's rules, each with a description; prod's block and poc's advise", () => {
    expect(RULES.map((r) => r.name)).toEqual(["prod-control-plane-quorum", "prod-protected", "prod-backups", "no-plaintext-secrets", "pinned-versions", "no-insecure-tls", "platform-api-tls-verified"]);
    for (const r of RULES) {
      expect(r.description.length).toBeGreaterThan(20);
      expect(enforcementFor(r, "poc")).toBe("advisory");
    }
    expect(RULES.filter((r) => enforcementFor(r, "prod") === "mandatory").map((r) => r.name)).toEqual(RULES.map((r) => r.name).filter((n) => n !== "platform-api-tls-verified"));
  });

  it("every rule passes on every shipped stack and example (the platform-API advisory only where the description opts in)", () => {
    expect(SHIPPED.length).toBeGreaterThanOrEqual(5);
    for (const [source, facts] of shipped) {
      for (const r of RULES) {
        const violations = evaluate(r, facts);
        const cluster = readStackFile(source, REPO_ROOT).cluster as any;
        const optsIn = r.name === "platform-api-tls-verified" && (cluster.platform?.vsphere?.allowUnverifiedSsl || cluster.platform?.proxmox?.insecure);
        if (optsIn) expect(violations.map((v) => v.message).join("\n"), `${source}: ${r.name}`).toMatch(/accepts the platform API's certificate unverified/);
        else expect(violations, `${source}: ${r.name}`).toEqual([]);
      }
    }
    // The prod rules had something to look at: the shipped prod stacks have both profiles covered.
    expect([...shipped.values()].map((f) => f.profile).sort()).toEqual(expect.arrayContaining(["poc", "prod"]));
  });

  it("prod-control-plane-quorum: fails on prod with 2 or 4 control planes, not on poc", () => {
    const prod = shipped.get("prod")!;
    const pki = prod.resources.filter((r) => r.name.endsWith("-pki"));
    expect(pki).toHaveLength(3);
    const two = { ...prod, resources: prod.resources.filter((r) => r !== pki[2]) };
    expect(evaluate(rule("prod-control-plane-quorum"), two)[0]!.message).toMatch(/prod has 2 control plane\(s\).*odd number, at least 3/);
    const four = { ...prod, resources: [...prod.resources, { ...pki[0]!, name: "nsx-prod-cp-4-pki", urn: `${pki[0]!.urn}-4` }] };
    expect(evaluate(rule("prod-control-plane-quorum"), four)[0]!.message).toMatch(/prod has 4 control plane/);
    expect(evaluate(rule("prod-control-plane-quorum"), { ...two, profile: "poc" })).toEqual([]);
  });

  it("prod-protected: fails on prod with cluster.protect false (machines, CAs and the guard named)", async () => {
    const facts = await plannedFacts("prod", (c) => (c.protect = false));
    const messages = evaluate(rule("prod-protected"), facts).map((v) => v.message).join("\n");
    expect(messages).toMatch(/nsx-prod-cp-1 \(vsphere:index\/virtualMachine:VirtualMachine\) is not protected/);
    expect(messages).toMatch(/nsx-prod-ca \(tls:index\/selfSignedCert:SelfSignedCert\) is not protected/);
    expect(messages).toMatch(/nsx-prod-service-account-key .* is not protected/);
    expect(messages).toMatch(/the destroy guard nsx-prod-destroy-guard is missing/);
  }, 120_000);

  it("prod-backups: fails on prod with etcd snapshots turned off", async () => {
    const facts = await plannedFacts("prod", (c) => (c.addons.backups = { etcdSnapshots: { enabled: false }, velero: { enabled: false } }));
    const messages = evaluate(rule("prod-backups"), facts).map((v) => v.message);
    expect(messages).toEqual([expect.stringMatching(/etcd snapshots are off/)]);
  }, 120_000);

  it("no-plaintext-secrets: fails on a password or private key in plaintext config, ignores the --secret keys", () => {
    const prod = shipped.get("prod")!;
    const withSecretKeys = { ...prod, config: { ...prod.config, "onprem-k8s:sshPrivateKey": "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n" } };
    expect(evaluate(rule("no-plaintext-secrets"), withSecretKeys)).toEqual([]);
    const leaked = { ...prod, config: { ...prod.config, "app:dbPassword": "hunter2hunter2", "app:deployKey": "-----BEGIN RSA PRIVATE KEY-----\nMIIE" } };
    const messages = evaluate(rule("no-plaintext-secrets"), leaked).map((v) => v.message).join("\n");
    expect(messages).toMatch(/config app:dbPassword looks like a secret in plaintext/);
    expect(messages).toMatch(/config app:deployKey holds a private key in plaintext/);
  });

  it("pinned-versions: fails on a chart version range and an image tagged latest or untagged", () => {
    const prod = shipped.get("prod")!;
    const resources = prod.resources.map((r) =>
      r.name === "metallb" ? { ...r, props: { ...r.props, version: "^0.16" } }
      : r.name === "etcd-snapshots" ? { ...r, props: { ...r.props, yaml: "image: registry.k8s.io/etcd:latest\n---\nimage: busybox\n" } }
      : r,
    );
    const messages = evaluate(rule("pinned-versions"), { ...prod, resources }).map((v) => v.message).join("\n");
    expect(messages).toMatch(/chart metallb of release metallb is not pinned \(version "\^0.16"\)/);
    expect(messages).toMatch(/image registry.k8s.io\/etcd:latest .* is tagged latest/);
    expect(messages).toMatch(/image busybox .* has no tag/);
  });

  it("pinned-versions: an image written as a script parameter is checked at its export in the same stdin", () => {
    const prod = shipped.get("prod")!;
    const check = prod.resources.find((r) => r.name.endsWith("-check-dns"))!;
    expect(check, "the acceptance check step of the prod plan").toBeDefined();
    const withImage = (exported: string) => ({ ...prod, resources: [{ ...check, props: { ...check.props, stdin: `${exported}kubectl apply -f - <<EOF\ncontainers: [{name: probe, image: "$PROBE_IMAGE"}]\nEOF\n` } }] });
    expect(evaluate(rule("pinned-versions"), withImage("export PROBE_IMAGE=docker.io/library/busybox:1.37.0; "))).toEqual([]);
    expect(evaluate(rule("pinned-versions"), withImage("export PROBE_IMAGE=busybox; ")).map((v) => v.message).join("\n")).toMatch(/image \$PROBE_IMAGE \(busybox\) at stdin has no tag/);
    expect(evaluate(rule("pinned-versions"), withImage("")).map((v) => v.message).join("\n")).toMatch(/is a shell parameter set nowhere in the same input/);
  });

  it("pinned-versions: a comment line is no image line, and an image: with nothing after it does not take the next line", () => {
    const prod = shipped.get("prod")!;
    const withYaml = (yaml: string) => ({ ...prod, resources: prod.resources.map((r) => (r.name === "etcd-snapshots" ? { ...r, props: { ...r.props, yaml } } : r)) });
    expect(evaluate(rule("pinned-versions"), withYaml("# each pod's image:\n# one of the pinned ones\nimage: registry.k8s.io/etcd:3.6.5-0\n"))).toEqual([]);
    expect(evaluate(rule("pinned-versions"), withYaml("  # image: busybox\nimage: registry.k8s.io/etcd:3.6.5-0\n"))).toEqual([]);
    expect(evaluate(rule("pinned-versions"), withYaml("image:\n  busybox\n")).map((v) => v.message).join("\n")).not.toMatch(/busybox/);
  });

  it("no-insecure-tls: fails on prod with metrics-server skipping kubelet certificates", async () => {
    const facts = await plannedFacts("prod", (c) => (c.addons.metrics = { ...(c.addons.metrics ?? {}), insecureKubeletTls: true }));
    expect(evaluate(rule("no-insecure-tls"), facts).map((v) => v.message).join("\n")).toMatch(/metrics-server: metrics-server skips kubelet certificate checks/);
    // And a kubeconfig with verification off, wherever it is rendered.
    const prod = shipped.get("prod")!;
    const resources = [...prod.resources, { ...prod.resources[1]!, name: "x", props: { kubeconfig: "clusters:\n- cluster:\n    insecure-skip-tls-verify: true\n" } }];
    expect(evaluate(rule("no-insecure-tls"), { ...prod, resources })[0]!.message).toMatch(/skips TLS verification/);
  }, 120_000);

  it("platform-api-tls-verified: reports a provider that accepts an unverified certificate (advisory in every profile)", async () => {
    const facts = await plannedFacts("prod", (c) => (c.platform.vsphere.allowUnverifiedSsl = true));
    expect(evaluate(rule("platform-api-tls-verified"), facts)[0]!.message).toMatch(/provider nsx-prod-machines-vsphere accepts the platform API's certificate unverified/);
    expect(enforcementFor(rule("platform-api-tls-verified"), "prod")).toBe("advisory");
  }, 120_000);
});
