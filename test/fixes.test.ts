// Every fix the validation can state as edits (Problem.edits) is applied to the description it was
// given for and the description validated again: the problem must be gone and no problem may
// appear that was not there before. So no suggested fix is one another rule refuses.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plainSecrets, readStackFile, secretsPresent, type StackFile } from "../stacks/stack-file";
import { formatProblems, validateCluster, type Problem } from "../stacks/validate";
import { applyEdits, singleMutations, type MutatedStack } from "./mutation-generators";

const TODAY = "2026-12-06";

function problemsOf(stack: StackFile, cluster: unknown): Problem[] {
  const result = validateCluster(cluster, { secretsPresent: secretsPresent(stack), planMode: true, plainSecrets: plainSecrets(stack), today: TODAY });
  return result.ok ? result.warnings : result.problems;
}

const key = (p: Problem) => `${p.path} | ${p.problem}`;

/**
 * Applies each mechanical fix on its own and checks the result; returns how many were checked.
 * A problem is new when neither the mistaken description nor the shipped stack it came from had
 * it (a fixed schema problem lets rules run that it kept from running, on an otherwise valid stack).
 */
function checkFixes(stack: StackFile, cluster: unknown): number {
  const before = problemsOf(stack, cluster);
  const known = new Set([...before, ...problemsOf(stack, stack.cluster)].map(key));
  let checked = 0;
  for (const problem of before.filter((p) => p.edits)) {
    const after = problemsOf(stack, applyEdits(cluster, problem.edits!));
    const context = `fix of ${key(problem)} (${JSON.stringify(problem.edits)}) left:\n${formatProblems(after)}`;
    expect(after.map(key), context).not.toContain(key(problem));
    expect(after.filter((p) => !known.has(key(p))).map(key), context).toEqual([]);
    checked++;
  }
  return checked;
}

const poc = readStackFile("poc");
const pocCluster = () => structuredClone(poc.cluster) as Record<string, any>;

/** Mistakes with a mechanical fix, each on the PoC stack. */
const KNOWN: [string, (c: Record<string, any>) => void][] = [
  ["misspelt key", (c) => { c.network.dnsServer = c.network.dnsServers; delete c.network.dnsServers; }],
  ["misspelt key in a list entry", (c) => { c.workerPools[0].adresses = c.workerPools[0].addresses; delete c.workerPools[0].addresses; }],
  ["misspelt key beside the one it meant", (c) => (c.network.gatway = "192.168.100.1")],
  ["unknown key", (c) => (c.network.routerAddress = "192.168.100.1")],
  ["OS release as a number", (c) => (c.os.version = 24.04)],
  ["number as text", (c) => (c.workerPools[0].cpus = "4")],
  ["version with a leading v", (c) => (c.kubernetes.version = "v1.34.4")],
  ["patch never released", (c) => (c.kubernetes.version = "1.34.99")],
  ["worker count 0 with two addresses", (c) => (c.workerPools[0].count = 0)],
  ["control-plane count 5 with three addresses", (c) => (c.controlPlane.count = 5)],
  ["control-plane count 2 with three addresses", (c) => (c.controlPlane.count = 2)],
  ["control plane with one CPU", (c) => (c.controlPlane.cpus = 1)],
  ["control plane with 1536 MiB", (c) => (c.controlPlane.memoryMiB = 1536)],
  ["control plane with 1800 MiB", (c) => (c.controlPlane.memoryMiB = 1800)],
  ["pool block that is a bare address", (c) => (c.addons.loadBalancer.pools[0].addresses = ["192.168.100.200"])],
  ["vSphere folder with the datacenter path", (c) => (c.platform.vsphere.folder = `/${c.platform.vsphere.datacenter}/vm/k8s`)],
  ["Proxmox endpoint over http with the API path", (c) => {
    c.platform = { type: "proxmox", proxmox: { endpoint: "http://pve:8006/api2/json", nodes: ["a", "b", "c"], templateVmId: 9000, templateNode: "a", datastore: "local-lvm", vmIdStart: 200, ssh: { username: "root", agent: true } } };
    c.addons.storage = { type: "none" };
  }],
];

describe("mechanical fixes", () => {
  it.each(KNOWN)("%s: the fix removes the problem and adds none", (_, mutate) => {
    const cluster = pocCluster();
    mutate(cluster);
    expect(problemsOf(poc, cluster).some((p) => p.edits), formatProblems(problemsOf(poc, cluster))).toBe(true);
    expect(checkFixes(poc, cluster)).toBeGreaterThan(0);
  });

  it("offers the tested version for a version written as a number only while upstream supports it", () => {
    const cluster = pocCluster();
    cluster.kubernetes.version = 1.34;
    const at = (today: string) => {
      const result = validateCluster(cluster, { secretsPresent: secretsPresent(poc), planMode: true, today });
      return (result.ok ? [] : result.problems).find((p) => p.path === "cluster.kubernetes.version");
    };
    expect(at("2026-06-01")?.edits).toEqual([{ path: ["kubernetes", "version"], value: "1.34.4" }]);
    expect(at("2026-12-06")?.edits).toBeUndefined();
    expect(at("2026-12-06")?.fix).toMatch(/quote it and give the full version/);
  });

  it("of random single mutations remove their problem and add none", async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(singleMutations, async (m: MutatedStack) => {
        // A macrotask turn per run keeps the worker responsive (test/setup's event-loop guard).
        await new Promise(setImmediate);
        checked += checkFixes(m.stack, m.cluster);
      }),
      { seed: 20261206, numRuns: Number(process.env.FIX_RUNS ?? 1500) },
    );
    expect(checked).toBeGreaterThan(20);
  }, 120_000);
});
