// Mutations of the shipped stacks for the generative tests (test/mutations.test.ts,
// test/fixes.test.ts): single ones (wrong types, out-of-range numbers, shifted addresses,
// overlapping CIDRs, removed or duplicated entries) and several at once with extreme values.
// Every mutation prints as "stack: kind cluster.path = value", not the whole stack file.
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { z } from "zod";
import { clusterSchema } from "../stacks/schema";
import { schemaAt, unwrap } from "../stacks/messages";
import { expect } from "vitest";
import { readStackFile, type StackFile } from "../stacks/stack-file";
import type { Problem } from "../stacks/validate";
import { applyAt } from "../stacks/fix-edits";

export { applyEdits } from "../stacks/fix-edits";
import { INTERNAL_ERROR } from "../stacks/rules";

const root = path.resolve(__dirname, "..");
const examples = fs.readdirSync(path.join(root, "examples")).filter((f) => f.endsWith(".yaml")).map((f) => `examples/${f}`);
export const stacks = ["poc", "prod", ...examples].map((name) => readStackFile(name, root));

type Key = string | number;
interface Site {
  path: Key[];
  value: unknown;
}

/** Every value in a description (objects, lists and leaves) with its path, root excluded. */
export function sitesOf(value: unknown, at: Key[] = []): Site[] {
  const children: [Key, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : value && typeof value === "object" ? Object.entries(value) : [];
  return children.flatMap(([key, child]) => [{ path: [...at, key], value: child }, ...sitesOf(child, [...at, key])]);
}

const ADDRESS = /^(\d{1,3}\.){3}\d{1,3}/;
const WRONG_TYPES: unknown[] = [42, 24.04, true, "text", [], {}, null, ["a", 1]];
const OUT_OF_RANGE = [-1, 0, 2.5, 65536, 4294967296, 1e12];
/** Values at the edges of what YAML can hand over: empty, huge, non-finite, odd characters, address extremes. */
export const EXTREMES: unknown[] = [
  "",
  " ",
  "x".repeat(5000),
  "ünïcödé-名前",
  "a\nb",
  "${HOME}; rm -rf /",
  "0.0.0.0",
  "255.255.255.255",
  "0.0.0.0/0",
  "255.255.255.255/32",
  "10.0.0.0/31",
  "10.0.0.0/32",
  "1.2.3.4-1.2.3.4",
  "0.0.0.0-255.255.255.255",
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  1e-9,
  Array.from({ length: 300 }, (_, i) => `10.1.${i >> 8}.${i & 255}`),
  { "": "" },
];
export const KINDS = ["wrong type", "out of range", "shift address", "overlap CIDRs", "remove", "duplicate entry", "extreme value", "set any field", "another valid choice", "misspell key", "number as text"] as const;

/** Every field path the schema knows (lists at index 0, mappings under a made-up key), so fields no shipped stack sets get mutated too. */
function schemaPaths(schema: z.ZodType, at: Key[] = []): Key[][] {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) return Object.entries(inner.shape).flatMap(([key, child]) => [[...at, key], ...schemaPaths(child as z.ZodType, [...at, key])]);
  if (inner instanceof z.ZodArray) return schemaPaths(inner.element as z.ZodType, [...at, 0]);
  if (inner instanceof z.ZodRecord) return schemaPaths(inner.valueType as z.ZodType, [...at, "x"]);
  return [];
}
const FIELDS = schemaPaths(clusterSchema);
/** Values a field may be set to: one of the shipped stacks' own values, a wrong type, an extreme. */
const ANY_VALUES: unknown[] = [...WRONG_TYPES, ...EXTREMES, "192.168.100.50", "10.0.0.0/24", "vsphere", "calico", "bgp", "nfs", "ipip", 3, 1];

export interface Mutation {
  kind: (typeof KINDS)[number];
  path: Key[];
  value?: unknown;
  remove?: boolean;
  /** A key renamed in place (misspell key): the value moves to this key. */
  renameTo?: string;
}

export interface MutatedStack {
  stack: StackFile;
  mutations: Mutation[];
  cluster: unknown;
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

/** A concrete mutation of `cluster` from the random numbers fast-check draws. */
function mutationOf(cluster: unknown, siteIndex: number, kind: Mutation["kind"], delta: number, pick: number): Mutation {
  const sites = sitesOf(cluster);
  const site = sites[siteIndex % sites.length];
  switch (kind) {
    case "wrong type": {
      const others = WRONG_TYPES.filter((v) => typeof v !== typeof site.value || Array.isArray(v) !== Array.isArray(site.value));
      return { kind, path: site.path, value: others[pick % others.length] };
    }
    case "out of range": {
      const found = sites.filter((s) => typeof s.value === "number");
      const numbers = found.length > 0 ? found : sites;
      return { kind, path: numbers[siteIndex % numbers.length].path, value: OUT_OF_RANGE[pick % OUT_OF_RANGE.length] };
    }
    case "shift address": {
      const addresses = sites.filter((s) => typeof s.value === "string" && ADDRESS.test(s.value));
      if (addresses.length === 0) return { kind: "remove", path: site.path, remove: true };
      const target = addresses[siteIndex % addresses.length];
      return { kind, path: target.path, value: shiftAddress(target.value as string, delta === 0 ? 1 : delta) };
    }
    case "overlap CIDRs": {
      const cidrs = sites.filter((s) => typeof s.value === "string" && /^[\d.]+\/\d+$/.test(s.value));
      const candidates = [...cidrs.map((s) => s.value as string), "10.244.0.0/16", "10.96.0.0/12", "10.0.0.0/8", "192.168.0.0/16"];
      const targets = [...cidrs.map((s) => s.path), ["kubernetes", "podCidr"], ["kubernetes", "serviceCidr"]];
      return { kind, path: targets[siteIndex % targets.length], value: candidates[pick % candidates.length] };
    }
    case "remove":
      return { kind, path: site.path, remove: true };
    case "duplicate entry": {
      const lists = sites.filter((s) => Array.isArray(s.value) && s.value.length > 0);
      if (lists.length === 0) return { kind: "remove", path: site.path, remove: true };
      const list = lists[siteIndex % lists.length];
      const entries = list.value as unknown[];
      return { kind, path: [...list.path, entries.length], value: structuredClone(entries[pick % entries.length]) };
    }
    case "extreme value":
      return { kind, path: site.path, value: structuredClone(EXTREMES[pick % EXTREMES.length]) };
    case "another valid choice": {
      // Another option of an enum, the other boolean, a nearby number: descriptions that are
      // often accepted, so the plan and the program see unusual but valid combinations.
      const choices = sites.flatMap((s) => {
        const node = schemaAt(s.path as PropertyKey[]);
        const inner = node && unwrap(node);
        if (inner instanceof z.ZodEnum) return (inner.options as unknown[]).filter((o) => o !== s.value).map((value) => ({ path: s.path, value }));
        if (typeof s.value === "boolean") return [{ path: s.path, value: !s.value }];
        if (typeof s.value === "number") return [{ path: s.path, value: s.value + (delta % 3) }];
        return [];
      });
      const choice = choices[(siteIndex + pick) % choices.length];
      return choice ? { kind, path: choice.path, value: choice.value } : { kind: "remove", path: site.path, remove: true };
    }
    case "misspell key": {
      const keyed = sites.filter((s) => typeof s.path.at(-1) === "string" && (s.path.at(-1) as string).length > 3);
      const target = keyed[siteIndex % keyed.length];
      const name = target.path.at(-1) as string;
      const at = 1 + (pick % (name.length - 1));
      return { kind, path: target.path, value: target.value, renameTo: name.slice(0, at) + name.slice(at + 1) };
    }
    case "number as text": {
      const numbers = sites.filter((s) => typeof s.value === "number");
      if (numbers.length === 0) return { kind: "remove", path: site.path, remove: true };
      const target = numbers[siteIndex % numbers.length];
      return { kind, path: target.path, value: String(target.value) };
    }
    case "set any field":
      return { kind, path: FIELDS[siteIndex % FIELDS.length], value: structuredClone(ANY_VALUES[pick % ANY_VALUES.length]) };
  }
}

function describe(stack: StackFile, mutations: Mutation[]): string {
  return `${stack.name}: ${mutations.map((m) => `${m.kind} cluster.${m.path.join(".")}${m.remove ? " removed" : m.renameTo !== undefined ? ` renamed ${m.renameTo}` : ` = ${JSON.stringify(m.value)?.slice(0, 80)}`}`).join("; ")}`;
}

/** One mutation of one shipped stack. */
export const singleMutations = fc
  .tuple(fc.nat(), fc.nat(), fc.constantFrom(...KINDS.filter((k) => k !== "extreme value" && k !== "set any field" && k !== "another valid choice")), fc.integer({ min: -40, max: 40 }), fc.nat())
  .map(([stackIndex, site, kind, delta, pick]) => mutated(stackIndex, [[site, kind, delta, pick]]));

/** One to five mutations of one shipped stack, extreme values among them, each applied to the result of the last. */
export const multiMutations = fc
  .tuple(fc.nat(), fc.array(fc.tuple(fc.nat(), fc.constantFrom(...KINDS), fc.integer({ min: -40, max: 40 }), fc.nat()), { minLength: 1, maxLength: 5 }))
  .map(([stackIndex, draws]) => mutated(stackIndex, draws));

function mutated(stackIndex: number, draws: [number, Mutation["kind"], number, number][]): MutatedStack {
  const stack = stacks[stackIndex % stacks.length];
  let cluster = structuredClone(stack.cluster) as Record<Key, unknown>;
  const mutations: Mutation[] = [];
  for (const [site, kind, delta, pick] of draws) {
    const mutation = mutationOf(cluster, site, kind, delta, pick);
    cluster = structuredClone(cluster);
    if (mutation.renameTo !== undefined) {
      applyAt(cluster, mutation.path, { remove: true });
      applyAt(cluster, [...mutation.path.slice(0, -1), mutation.renameTo], { value: mutation.value });
    } else {
      applyAt(cluster, mutation.path, mutation);
    }
    mutations.push(mutation);
  }
  const result = { stack, mutations, cluster };
  return Object.assign(result, { [fc.toStringMethod]: () => describe(stack, mutations) });
}

export function describeMutated(m: MutatedStack): string {
  return describe(m.stack, m.mutations);
}

/** A problem a person can act on: a field, a problem and a fix in the project's words. */
export function expectReadable(problem: Problem): void {
  expect(problem.path).toMatch(/^(cluster([.[]|$)|onprem-k8s:)/);
  for (const text of [problem.problem, problem.fix]) {
    expect(typeof text === "string" && text.length > 0).toBe(true);
    expect(text).not.toMatch(/Invalid input|Invalid option|Too (small|big):|, received |\n\s+at |undefined undefined|\[object Object\]/);
    // Arithmetic gone wrong, outside the quoted values a message repeats.
    expect(text.replace(/"[^"]*"/g, '""')).not.toMatch(/\bNaN\b|Infinity/);
    expect(text).not.toContain(INTERNAL_ERROR);
  }
}
