// The offline plan end to end: every stack and example plans and writes its folder; a bad
// description exits non-zero with the full report and leaves only REFUSED.md in its folder.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ARTIFACT_KINDS } from "../components/artifacts";
import { readStackFile } from "../stacks/stack-file";
import { runPlan, type PlanResult } from "../scripts/plan/run";
import { writePlan } from "../scripts/plan/write";
import { siteAddons } from "../scripts/plan/site-addons";
import { runProcess } from "./tools/process";
import { testDir } from "./tools/test-dir";

const root = path.resolve(__dirname, "..");
const examples = fs.readdirSync(path.join(root, "examples")).filter((f) => f.endsWith(".yaml")).map((f) => `examples/${f}`);
const stacks = ["poc", "prod", ...examples];

/** The poc stack's plan, made once for the tests that only read it. */
let pocPlan: Promise<PlanResult> | undefined;
const planPoc = () => (pocPlan ??= runPlan(readStackFile("poc", root)));

function planCli(args: string[]) {
  return runProcess(process.execPath, [path.join(root, "scripts/run-compiled.js"), path.join(root, "scripts/plan.ts"), ...args], { cwd: root, allowFail: true });
}

describe("offline plan", () => {
  it.each(stacks)("plans %s and writes summary, graph and artifacts", async (stack) => {
    const out = testDir("plan-");
    const result = await runPlan(readStackFile(stack, root));
    const written = writePlan(result, out);
    for (const file of ["summary.md", "resources.json", "outputs.json", "graph.mmd", "graph.dot", "artifacts.json"]) {
      expect(fs.existsSync(path.join(written.directory, file)), file).toBe(true);
    }
    const index = JSON.parse(fs.readFileSync(path.join(written.directory, "artifacts.json"), "utf8")) as { kind: string; path: string }[];
    expect(index.length).toBeGreaterThan(0);
    for (const entry of index) {
      expect(ARTIFACT_KINDS).toContain(entry.kind);
      expect(fs.existsSync(path.join(written.directory, entry.path)), entry.path).toBe(true);
    }
    expect(index.some((entry) => entry.kind === "checklist")).toBe(true);
    const summary = fs.readFileSync(path.join(written.directory, "summary.md"), "utf8");
    expect(summary).toContain("onprem-k8s:index:Cluster");
    const mermaid = fs.readFileSync(path.join(written.directory, "graph.mmd"), "utf8");
    const dot = fs.readFileSync(path.join(written.directory, "graph.dot"), "utf8");
    expect(mermaid).toMatch(/^flowchart LR/);
    // every resource summary.md lists is drawn: as a node, or as the box around its children
    result.resources.forEach((resource, i) => {
      expect(summary).toContain(`- ${resource.name} (${resource.type})`);
      expect(mermaid, resource.urn).toMatch(new RegExp(`^\\s*(subgraph )?r${i}\\[`, "m"));
      expect(dot, resource.urn).toMatch(new RegExp(`^\\s*(r${i} \\[label=|subgraph cluster_r${i} \\{)`, "m"));
    });
    // what the site gets: every node with its size, the endpoint, the versions, what is protected
    const spec = result.spec;
    for (const node of spec.nodes) {
      // Sizes only for machines the program creates; existing hosts keep what they have.
      if (spec.platform.type === "existing") expect(summary).toMatch(new RegExp(`^\\| ${node.name} \\| ${node.role} \\| ${node.pool} \\| ${node.address} \\|$`, "m"));
      else expect(summary).toContain(`| ${node.name} | ${node.role} | ${node.pool} | ${node.address} | ${node.cpus} |`);
    }
    expect(summary).toContain(`- Kubernetes ${spec.kubernetes.version} on ${spec.nodes.length} nodes`);
    expect(summary).toContain(`- OS: ${spec.os.family} ${spec.os.version}`);
    expect(summary).toContain(`- API endpoint: https://${spec.apiEndpoint.host}:${spec.apiEndpoint.port}`);
    // every add-on the program installs, Helm release or manifest, is a row with version and source
    const rows = siteAddons(spec);
    const installed = result.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" || r.type.startsWith("kubernetes:yaml/v2:"));
    for (const resource of installed) expect(rows.some((row) => row.resources.includes(resource.name)), resource.name).toBe(true);
    for (const row of rows) expect(summary).toContain(`| ${row.name} | ${row.kind} | ${row.version} | ${row.namespace} | ${row.source} |`);
    // the addresses a network team reserves
    const reserved = summary.slice(summary.indexOf("## Addresses to reserve"), summary.indexOf("## Add-ons"));
    if (spec.apiEndpoint.vip && spec.apiEndpoint.mode !== "external") expect(reserved).toContain(`| ${spec.apiEndpoint.vip} | API VIP`);
    const ingress = spec.addons.ingress;
    if (ingress.type !== "none" && ingress.loadBalancerIP) expect(reserved).toContain(`| ${ingress.loadBalancerIP} | ingress address (${ingress.type};`);
    const lb = spec.addons.loadBalancer;
    for (const pool of lb.type === "metallb" ? lb.pools : []) expect(reserved).toContain(`| ${pool.addresses.join(", ")} | MetalLB pool ${pool.name}`);
    // the checklist links are relative and lead to the written files
    const links = [...summary.matchAll(/\]\((artifacts[^)]*)\)/g)].map((m) => m[1]);
    expect(links).toEqual(expect.arrayContaining(["artifacts/checks/acceptance.md", "artifacts/checks/mtu-checklist.md"]));
    for (const link of links) expect(fs.existsSync(path.join(written.directory, link)), link).toBe(true);
    const protectedOnes = result.resources.filter((r) => r.protect);
    expect(summary).toContain(`## Protected (${protectedOnes.length})`);
    for (const resource of protectedOnes) expect(summary).toMatch(new RegExp(`^- ${resource.name} \\(${resource.type}\\)$`, "m"));
  });

  it("draws kubernetes:yaml/v2 ConfigGroups and ConfigFiles (MetalLB pools, vSphere CSI) with their dependencies", async () => {
    const result = await planPoc();
    const out = writePlan(result, testDir("plan-graph-"));
    const mermaid = fs.readFileSync(path.join(out.directory, "graph.mmd"), "utf8");
    const yamlV2 = result.resources.filter((r) => r.type.startsWith("kubernetes:yaml/v2:"));
    expect(yamlV2.length).toBeGreaterThanOrEqual(3);
    for (const resource of yamlV2) {
      const i = result.resources.indexOf(resource);
      expect(mermaid).toContain(`r${i}["${resource.name}<br/><small>kubernetes:ConfigGroup</small>"]`.replace("ConfigGroup", resource.type.split(":")[2]!));
      expect(mermaid).toMatch(new RegExp(`--> r${i}$`, "m"));
    }
  });

  it("warns, on the plan's own machine, when endpoint.dnsName does not resolve (it is the endpoint)", async () => {
    const result = await planPoc();
    expect(result.spec.apiEndpoint.host).toBe("api.nsx-poc.corp.example.internal");
    expect(result.warnings).toContainEqual(expect.objectContaining({ path: "cluster.endpoint.dnsName", severity: "warning", problem: expect.stringMatching(/^does not resolve from this machine/) }));
  });

  it("runs as the README's command and writes out/<name>/", async () => {
    const out = testDir("plan-cli-");
    const run = await planCli(["poc", "--out", out]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/planned poc: \d+ resources/);
    expect(fs.existsSync(path.join(out, "poc", "artifacts.json"))).toBe(true);
  });

  it("refuses a description with five mistakes: all five reported, exit 1, no plan written", async () => {
    const dir = testDir("plan-bad-");
    const cluster = structuredClone(readStackFile("poc", root).cluster) as Record<string, any>;
    cluster.controlPlane.addresses = ["192.168.100.11", "192.168.100.12"];
    cluster.endpoint.vip = "192.168.100.205";
    cluster.kubernetes.podCidr = "10.96.0.0/16";
    cluster.addons.cni.mtu = 1500;
    cluster.network.gatway = "192.168.100.1";
    const file = path.join(dir, "Pulumi.broken.yaml");
    fs.writeFileSync(file, JSON.stringify({ config: { "onprem-k8s:cluster": cluster } }));
    const out = path.join(dir, "out");
    const run = await planCli([file, "--out", out]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/has 5 errors/);
    for (const field of ["cluster.controlPlane.addresses", "cluster.endpoint.vip", "cluster.kubernetes.podCidr", "cluster.addons.cni.mtu", "cluster.network.gatway"]) {
      expect(run.stderr).toContain(field);
    }
    // no plan is written: the folder holds the refusal alone
    expect(fs.readdirSync(path.join(out, "broken"))).toEqual(["REFUSED.md"]);
  });

  it("a refused plan replaces the previous out/<name>/: no stale summary, REFUSED.md says why", async () => {
    const dir = testDir("plan-stale-");
    const out = path.join(dir, "out");
    const file = path.join(dir, "Pulumi.site.yaml");
    const good = readStackFile("poc", root).cluster as Record<string, any>;
    fs.writeFileSync(file, JSON.stringify({ config: { "onprem-k8s:cluster": good } }));
    expect((await planCli([file, "--out", out])).status).toBe(0);
    expect(fs.existsSync(path.join(out, "site", "summary.md"))).toBe(true);
    const bad = structuredClone(good);
    bad.endpoint.vip = "192.168.100.205";
    bad.proxy = { http: "http://proxy.corp.example:3128", https: "ftp://alice:S3cret@proxy.corp.example:3128" };
    bad.kubernetes.podCidr = "10.96.0.0/16";
    fs.writeFileSync(file, JSON.stringify({ config: { "onprem-k8s:cluster": bad } }));
    const run = await planCli([file, "--out", out]);
    expect(run.status).toBe(1);
    expect(fs.readdirSync(path.join(out, "site"))).toEqual(["REFUSED.md"]);
    const refused = fs.readFileSync(path.join(out, "site", "REFUSED.md"), "utf8");
    expect(refused).toMatch(/^# Plan refused: site$/m);
    expect(refused).toContain("cluster.kubernetes.podCidr");
    expect(refused).toContain("cluster.proxy.https");
    expect(refused).not.toContain("S3cret");
    expect(run.stderr).toContain("REFUSED.md replaces the previous plan");
  });

  it("a stack that does not exist: exit 1 with one line naming the stacks there are, no trace", async () => {
    const out = testDir("plan-missing-");
    const run = await planCli(["dev", "--out", out]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe("no stack file Pulumi.dev.yaml: the stacks here are poc, prod; or give a path such as examples/existing-hosts-external-lb.yaml\n");
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it("a misspelled config key (onprem-k8s:clustr) is named with the key it was meant to be", async () => {
    const dir = testDir("plan-key-");
    const file = path.join(dir, "Pulumi.typo.yaml");
    fs.writeFileSync(file, fs.readFileSync(path.join(root, "Pulumi.poc.yaml"), "utf8").replace("onprem-k8s:cluster:", "onprem-k8s:clustr:"));
    const run = await planCli([file, "--out", path.join(dir, "out")]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("onprem-k8s:clustr");
    expect(run.stderr).toMatch(/problem: "onprem-k8s:clustr" is not a setting of this program/);
    expect(run.stderr).toMatch(/fix: +did you mean onprem-k8s:cluster\?/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(path.join(dir, "out", "typo"))).toEqual(["REFUSED.md"]);
  });

  it("plans node names that extend each other (b and b-fallback): per-node artifacts cannot collide", async () => {
    const stack = readStackFile("poc", root);
    const cluster = structuredClone(stack.cluster) as Record<string, any>;
    cluster.controlPlane.names = ["a", "b", "c"];
    cluster.workerPools[0].names = ["b-fallback", "a-during-init"];
    const result = await runPlan({ ...stack, cluster, config: { ...stack.config, "onprem-k8s:cluster": JSON.stringify(cluster) } });
    const paths = result.artifacts.map((a) => a.path);
    expect(paths).toContain("kubeadm/b.fallback.yaml");
    expect(paths).toContain("kubeadm/b-fallback.fallback.yaml");
    expect(new Set(paths).size).toBe(paths.length);
  });

  it("grows the dependency graph linearly with workers (no worker waits for every other)", async () => {
    const { scaledDescription } = await import("../scripts/bench");
    const edges = async (workers: number) => {
      const cluster = scaledDescription({ controlPlanes: 3, workers });
      const stack = readStackFile("poc", root);
      const result = await runPlan({ ...stack, cluster, config: { ...stack.config, "onprem-k8s:cluster": JSON.stringify(cluster) } });
      return result.resources.reduce((sum, r) => sum + r.dependencies.length, 0);
    };
    const [e3, e6, e9] = [await edges(3), await edges(6), await edges(9)];
    expect(e9 - e6).toBe(e6 - e3);
  });
});
