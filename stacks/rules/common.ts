// What every rule file shares: the problem and rule shapes, and helpers that name fields.
import type { ClusterConfig, SecretKey } from "../schema";
import { numberToAddress, parseBlock, prefixLength, type AddressRange } from "../network";
import { nodesOf } from "../spec";

export interface Problem {
  /** Dotted path of the offending field as written in the stack file, e.g. cluster.network.subnet. */
  path: string;
  value: unknown;
  problem: string;
  fix: string;
  severity: "error" | "warning";
}

export interface RuleContext {
  /** Secrets that are set for the stack; absent ones are an error unless `planMode`. */
  secretsPresent: ReadonlySet<SecretKey>;
  /** The offline plan substitutes placeholders for secrets it cannot decrypt. */
  planMode: boolean;
}

export interface Rule {
  /** Dotted paths (below `cluster.`) the rule reads. */
  uses: string[];
  check(c: ClusterConfig, ctx: RuleContext): Problem[];
}

export const P = (path: string) => `cluster.${path}`;

export function error(path: string, value: unknown, problem: string, fix: string): Problem {
  return { path: P(path), value, problem, fix, severity: "error" };
}

export function warning(path: string, value: unknown, problem: string, fix: string): Problem {
  return { path: P(path), value, problem, fix, severity: "warning" };
}

/** Every node address with the path it was written at. */
export function addressEntries(c: ClusterConfig): { path: string; address: string; name: string }[] {
  const nodes = nodesOf(c);
  const paths = [
    ...c.controlPlane.addresses.map((_, i) => `controlPlane.addresses[${i}]`),
    ...c.workerPools.flatMap((pool, p) => pool.addresses.map((_, i) => `workerPools[${p}].addresses[${i}]`)),
  ];
  return nodes.map((node, i) => ({ path: paths[i], address: node.address, name: node.name }));
}

export function poolRanges(c: ClusterConfig): { path: string; range: AddressRange; pool: string }[] {
  return c.addons.loadBalancer.pools.flatMap((pool, p) =>
    pool.addresses.map((block, i) => ({ path: `addons.loadBalancer.pools[${p}].addresses[${i}]`, range: parseBlock(block), pool: pool.name })),
  );
}

/** The network address of a CIDR written with host bits, for the fix text. */
export function networkAddressOf(cidr: string): string {
  return `${numberToAddress(parseBlock(cidr).first)}/${prefixLength(cidr)}`;
}
