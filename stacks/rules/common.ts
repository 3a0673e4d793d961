// What every rule file shares: the problem and rule shapes, and helpers that name fields.
import type { ClusterConfig, SecretKey } from "../schema";
import { blockProblem, numberToAddress, parseBlock, prefixLength, reservedAddresses, type AddressRange } from "../network";
import { nodesOf } from "../spec";

export interface Problem {
  /** Dotted path of the offending field as written in the stack file, e.g. cluster.network.subnet. */
  path: string;
  value: unknown;
  problem: string;
  fix: string;
  severity: "error" | "warning";
  /**
   * The fix as edits a program can apply to the description (paths below `cluster`), where the
   * fix is mechanical; a test applies each and re-validates, so no such fix is refused by another rule.
   */
  edits?: FixEdit[];
}

/** Set the value at a path of the description, or remove the key there. */
export type FixEdit = { path: (string | number)[]; value: unknown } | { path: (string | number)[]; remove: true };

export interface RuleContext {
  /** Secrets that are set for the stack; absent ones are an error unless `planMode`. */
  secretsPresent: ReadonlySet<SecretKey>;
  /** The offline plan substitutes placeholders for secrets it cannot decrypt. */
  planMode: boolean;
  /** Secrets set as plain config (`pulumi config set` without --secret): clear text in the stack file. */
  plainSecrets?: ReadonlySet<SecretKey>;
  /** The day support windows are judged on (YYYY-MM-DD); today by default. */
  today?: string;
  /** The SSH private key's text where the program can read it (never in the offline plan). */
  sshPrivateKey?: string;
}

export interface Rule {
  /** Dotted paths (below `cluster.`) the rule reads. */
  uses: string[];
  check(c: ClusterConfig, ctx: RuleContext): Problem[];
}

export const P = (path: string) => `cluster.${path}`;

export function error(path: string, value: unknown, problem: string, fix: string, edits?: FixEdit | FixEdit[]): Problem {
  return { path: P(path), value, problem, fix, severity: "error", ...editsOf(edits) };
}

export function warning(path: string, value: unknown, problem: string, fix: string, edits?: FixEdit | FixEdit[]): Problem {
  return { path: P(path), value, problem, fix, severity: "warning", ...editsOf(edits) };
}

function editsOf(edits: FixEdit | FixEdit[] | undefined): { edits?: FixEdit[] } {
  if (!edits) return {};
  return { edits: Array.isArray(edits) ? edits : [edits] };
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

/** Every LoadBalancer pool block with its path; `problem` says why a block cannot be read (then `range` is absent). */
export function poolBlocks(c: ClusterConfig): { path: string; text: string; pool: string; poolIndex: number; index: number; range?: AddressRange; problem?: string }[] {
  return c.addons.loadBalancer.pools.flatMap((pool, p) =>
    pool.addresses.map((text, i) => {
      const path = `addons.loadBalancer.pools[${p}].addresses[${i}]`;
      const problem = blockProblem(text);
      const at = { path, text, pool: pool.name, poolIndex: p, index: i };
      return problem ? { ...at, problem } : { ...at, range: parseBlock(text) };
    }),
  );
}

/** The pool blocks that can be read (the unreadable ones are reported by the pool rule), so every other check still runs. */
export function poolRanges(c: ClusterConfig): { path: string; range: AddressRange; pool: string }[] {
  return poolBlocks(c).flatMap((entry) => (entry.range ? [{ path: entry.path, range: entry.range, pool: entry.pool }] : []));
}

/**
 * Why a single address (VIP, ingress address) cannot be used on the node subnet: it is the
 * subnet's network or broadcast address (the gateway and every other role: addresses.ts). `what` names it in the message.
 */
export function unusableHostAddress(c: ClusterConfig, address: string, what: string): { problem: string; fix: string } | undefined {
  const { network, broadcast } = reservedAddresses(c.network.subnet);
  const fix = `pick a free host address of ${c.network.subnet} (between ${network} and ${broadcast}, neither included, not the gateway ${c.network.gateway})`;
  if (address === network) return { problem: `${what} is the network address of ${c.network.subnet}, which no host can use`, fix };
  if (address === broadcast) return { problem: `${what} is the broadcast address of ${c.network.subnet}, which no host can use`, fix };
  return undefined;
}

/** The network address of a CIDR written with host bits, for the fix text. */
export function networkAddressOf(cidr: string): string {
  return `${numberToAddress(parseBlock(cidr).first)}/${prefixLength(cidr)}`;
}
