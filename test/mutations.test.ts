// Random single mutations of the shipped stacks (wrong types, out-of-range numbers, shifted
// addresses, overlapping CIDRs, removed or duplicated entries): each must be refused with
// problems that name a field in the project's words, or plan. Never a crash, never a trace.
// Seeded (fast-check), so a failure reproduces; the counterexample names the stack, path and value.
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CLUSTER_KEY, plainSecrets, readStackFile, secretsPresent, type StackFile } from "../stacks/stack-file";
import { validateCluster, type Problem } from "../stacks/validate";
import { INTERNAL_ERROR } from "../stacks/rules";
import { runPlan } from "../scripts/plan/run";

const root = path.resolve(__dirname, "..");
const examples = fs.readdirSync(path.join(root, "examples")).filter((f) => f.endsWith(".yaml")).map((f) => `examples/${f}`);
const stacks = ["poc", "prod", ...examples].map((name) => readStackFile(name, root));

type Key = string | number;
interface Site {
  path: Key[];
  value: unknown;
}

/** Every value in a description (objects, lists and leaves) with its path, root excluded. */
function sitesOf(value: unknown, at: Key[] = []): Site[] {
  const children: [Key, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : value && typeof value === "object" ? Object.entries(value) : [];
  return children.flatMap(([key, child]) => [{ path: [...at, key], value: child }, ...sitesOf(child, [...at, key])]);
}

const ADDRESS = /^(\d{1,3}\.){3}\d{1,3}/;
const WRONG_TYPES: unknown[] = [42, 24.04, true, "text", [], {}, null, ["a", 1]];
const OUT_OF_RANGE = [-1, 0, 2.5, 65536, 4294967296, 1e12];
const KINDS = ["wrong type", "out of range", "shift address", "overlap CIDRs", "remove", "duplicate entry"] as const;

interface Mutation {
  stack: StackFile;
  kind: (typeof KINDS)[number];
  path: Key[];
  value?: unknown;
  remove?: boolean;
}

function shiftAddress(text: string, delta: number): string {
  // Shift the last octet of the first address, or the prefix of a CIDR when delta is odd.
  if (text.includes("/") && delta % 2 !== 0) {
    const [address, prefix] = text.split("/");
    return `${address}/${Math.max(0, Math.min(32, Number(prefix) + (delta % 9)))}`;
  }
  return text.replace(ADDRESS, (address) => {
    const octets = address.split(".").map(Number);
    octets[3] = (((octets[3] + delta) % 256) + 256) % 256;
    return octets.join(".");
  });
}

/** A concrete mutation from the random numbers fast-check draws. */
function mutationOf(stackIndex: number, siteIndex: number, kind: Mutation["kind"], delta: number, pick: number): Mutation {
  const stack = stacks[stackIndex % stacks.length];
  const sites = sitesOf(stack.cluster);
  const site = sites[siteIndex % sites.length];
  switch (kind) {
    case "wrong type": {
      const others = WRONG_TYPES.filter((v) => typeof v !== typeof site.value || Array.isArray(v) !== Array.isArray(site.value));
      return { stack, kind, path: site.path, value: others[pick % others.length] };
    }
    case "out of range": {
      const found = sites.filter((s) => typeof s.value === "number");
      const numbers = found.length > 0 ? found : sites;
      return { stack, kind, path: numbers[siteIndex % numbers.length].path, value: OUT_OF_RANGE[pick % OUT_OF_RANGE.length] };
    }
    case "shift address": {
      const addresses = sites.filter((s) => typeof s.value === "string" && ADDRESS.test(s.value));
      const target = addresses[siteIndex % addresses.length];
      return { stack, kind, path: target.path, value: shiftAddress(target.value as string, delta === 0 ? 1 : delta) };
    }
    case "overlap CIDRs": {
      const cidrs = sites.filter((s) => typeof s.value === "string" && /^[\d.]+\/\d+$/.test(s.value));
      const candidates = [...cidrs.map((s) => s.value as string), "10.244.0.0/16", "10.96.0.0/12", "10.0.0.0/8", "192.168.0.0/16"];
      const targets = [...cidrs.map((s) => s.path), ["kubernetes", "podCidr"], ["kubernetes", "serviceCidr"]];
      return { stack, kind, path: targets[siteIndex % targets.length], value: candidates[pick % candidates.length] };
    }
    case "remove":
      return { stack, kind, path: site.path, remove: true };
    case "duplicate entry": {
      const lists = sites.filter((s) => Array.isArray(s.value) && s.value.length > 0);
      const list = lists[siteIndex % lists.length];
      const entries = list.value as unknown[];
      return { stack, kind, path: [...list.path, entries.length], value: structuredClone(entries[pick % entries.length]) };
    }
  }
}

function apply(mutation: Mutation): unknown {
  const cluster = structuredClone(mutation.stack.cluster) as Record<Key, unknown>;
  const owner = mutation.path.slice(0, -1).reduce<Record<Key, unknown>>((node, key) => {
    node[key] ??= {};
    return node[key] as Record<Key, unknown>;
  }, cluster);
  const last = mutation.path.at(-1)!;
  if (!mutation.remove) owner[last] = mutation.value;
  else if (Array.isArray(owner)) owner.splice(last as number, 1);
  else delete owner[last];
  return cluster;
}

const mutations = fc
  .tuple(fc.nat(), fc.nat(), fc.constantFrom(...KINDS), fc.integer({ min: -40, max: 40 }), fc.nat())
  .map(([stack, site, kind, delta, pick]) => {
    const mutation = mutationOf(stack, site, kind, delta, pick);
    // Counterexamples print as "stack: kind cluster.path = value", not the whole stack file.
    return Object.assign(mutation, { [fc.toStringMethod]: () => describeMutation(mutation) });
  });

/** A problem a person can act on: a field, a problem and a fix in the project's words. */
function expectReadable(problem: Problem): void {
  expect(problem.path).toMatch(/^(cluster([.[]|$)|onprem-k8s:)/);
  for (const text of [problem.problem, problem.fix]) {
    expect(typeof text === "string" && text.length > 0).toBe(true);
    expect(text).not.toMatch(/Invalid input|Invalid option|Too (small|big):|, received |\n\s+at |undefined undefined|\[object Object\]/);
    expect(text).not.toContain(INTERNAL_ERROR);
  }
}

function validate(mutation: Mutation, cluster: unknown) {
  return validateCluster(cluster, { secretsPresent: secretsPresent(mutation.stack), planMode: true, plainSecrets: plainSecrets(mutation.stack) });
}

function describeMutation(mutation: Mutation): string {
  return `${mutation.stack.name}: ${mutation.kind} cluster.${mutation.path.join(".")}${mutation.remove ? " removed" : ` = ${JSON.stringify(mutation.value)}`}`;
}

// A fixed seed and run counts that keep the file under a minute; MUTATION_SEED, MUTATION_RUNS and
// MUTATION_PLANS explore further locally.
const SEED = Number(process.env.MUTATION_SEED ?? 20261130);
const VALIDATION_RUNS = Number(process.env.MUTATION_RUNS ?? 3000);
const PLAN_RUNS = Number(process.env.MUTATION_PLANS ?? 40);

describe("random single mutations of the shipped stacks", () => {
  it("are each refused with readable problems naming a field, or accepted with a spec", async () => {
    let refused = 0;
    // Asynchronous only to yield a macrotask turn per run: the same seeded values, but thousands of
    // validations in one synchronous stretch would block the worker for a minute on a loaded machine.
    await fc.assert(
      fc.asyncProperty(mutations, async (mutation) => {
        await new Promise((resolve) => setImmediate(resolve));
        const result = validate(mutation, apply(mutation));
        if (result.ok) {
          result.warnings.forEach(expectReadable);
          expect(result.spec.nodes.length).toBeGreaterThan(0);
          return;
        }
        refused++;
        expect(result.problems.some((p) => p.severity === "error")).toBe(true);
        result.problems.forEach(expectReadable);
      }),
      { seed: SEED, numRuns: VALIDATION_RUNS },
    );
    // The generator must mostly break things, or the property proves little.
    expect(refused).toBeGreaterThan(VALIDATION_RUNS / 3);
  });

  it("plan whenever they are accepted", async () => {
    const planned: string[] = [];
    await fc.assert(
      fc.asyncProperty(mutations, async (mutation) => {
        const cluster = apply(mutation);
        const result = validate(mutation, cluster);
        if (!result.ok) {
          result.problems.forEach(expectReadable);
          return;
        }
        const stack = { ...mutation.stack, cluster, config: { ...mutation.stack.config, [CLUSTER_KEY]: JSON.stringify(cluster) } };
        const plan = await runPlan(stack);
        expect(plan.resources.length, describeMutation(mutation)).toBeGreaterThan(0);
        planned.push(describeMutation(mutation));
      }),
      { seed: SEED + 1, numRuns: PLAN_RUNS },
    );
    expect(planned.length).toBeGreaterThan(0);
  }, 60_000 + PLAN_RUNS * 5_000);
});
