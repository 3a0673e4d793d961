// Every address the description gives, checked against every other role's: one list of claims
// (role, path, address or range) and one table of which roles may share, instead of a rule per pair.
import { isIPv4, overlaps, contains, parseBlock, type AddressRange } from "../network";
import type { ClusterConfig } from "../schema";
import { P, type Problem, type Rule, addressEntries, error, poolRanges } from "./common";

export type AddressRole = "gateway" | "dns" | "ntp" | "nfs" | "bgp-peer" | "pod-cidr" | "service-cidr" | "node" | "pool" | "vip" | "ingress";

/**
 * Order decides where a collision is reported: at the later of the two claims, the one that is
 * usually moved (a pool is shrunk to spare a node, not the node renumbered).
 */
const ROLE_ORDER: AddressRole[] = ["gateway", "dns", "ntp", "nfs", "bgp-peer", "pod-cidr", "service-cidr", "node", "pool", "vip", "ingress"];

/** The site's own servers may well be one machine (a router answering DNS and NTP, a DC doing both). */
const SITE_SERVICES = new Set<AddressRole>(["gateway", "dns", "ntp", "nfs", "bgp-peer"]);

export interface AddressClaim {
  role: AddressRole;
  /** Path below `cluster.`. */
  path: string;
  range: AddressRange;
  /** Who claims it, as a message names it: `node nsx-poc-cp-2`, `LoadBalancer pool default`, `the gateway`. */
  label: string;
  /** Claims of one group (one pool) are not compared with each other. */
  group?: string;
}

/** May these two claims use the same addresses? */
function mayShare(a: AddressClaim, b: AddressClaim): boolean {
  if (SITE_SERVICES.has(a.role) && SITE_SERVICES.has(b.role)) return true;
  // The pod and service networks against each other (and the node subnet) are the networking rule's.
  if (a.role.endsWith("-cidr") && b.role.endsWith("-cidr")) return true;
  // The ingress address is taken from a pool on purpose.
  if ((a.role === "ingress" && b.role === "pool") || (a.role === "pool" && b.role === "ingress")) return true;
  return a.group !== undefined && a.group === b.group;
}

const single = (text: string) => (isIPv4(text) ? parseBlock(text) : undefined);

/** Every address and range the description claims, with its role and path. */
export function addressClaims(c: ClusterConfig): AddressClaim[] {
  const claims: AddressClaim[] = [];
  const add = (role: AddressRole, path: string, range: AddressRange | undefined, label: string, group?: string) => {
    if (range) claims.push({ role, path, range, label, group });
  };
  add("gateway", "network.gateway", single(c.network.gateway), "the gateway");
  c.network.dnsServers.forEach((server, i) => add("dns", `network.dnsServers[${i}]`, single(server), "a DNS server"));
  (c.network.ntpServers ?? []).forEach((server, i) => add("ntp", `network.ntpServers[${i}]`, single(server), "an NTP server"));
  const nfs = c.addons.storage.type === "nfs" ? c.addons.storage.nfs?.server : undefined;
  if (nfs) add("nfs", "addons.storage.nfs.server", single(nfs), "the NFS server");
  const lb = c.addons.loadBalancer;
  if (lb.type !== "none" && lb.mode === "bgp") {
    (lb.bgp?.peers ?? []).forEach((peer, i) => add("bgp-peer", `addons.loadBalancer.bgp.peers[${i}].address`, single(peer.address), "a BGP peer"));
  }
  add("pod-cidr", "kubernetes.podCidr", parseBlock(c.kubernetes.podCidr), "the pod network");
  add("service-cidr", "kubernetes.serviceCidr", parseBlock(c.kubernetes.serviceCidr), "the service network");
  for (const node of addressEntries(c)) add("node", node.path, single(node.address), `node ${node.name}`);
  if (lb.type !== "none") {
    for (const entry of poolRanges(c)) add("pool", entry.path, entry.range, `LoadBalancer pool ${entry.pool}`, `pool-${entry.path}`);
  }
  if (c.endpoint.vip) add("vip", "endpoint.vip", single(c.endpoint.vip), "the API VIP");
  const ingress = c.addons.ingress;
  if (ingress.type !== "none" && ingress.loadBalancerIP) add("ingress", "addons.ingress.loadBalancerIP", single(ingress.loadBalancerIP), "the ingress address");
  return claims;
}

/** The collision in words, from the later claim's side. */
function collision(later: AddressClaim, earlier: AddressClaim): string {
  const where = `(${P(earlier.path)})`;
  const laterSingle = later.range.first === later.range.last;
  const earlierSingle = earlier.range.first === earlier.range.last;
  if (laterSingle && earlierSingle) return `${later.range.text} is already ${earlier.label}'s address ${where}`;
  if (laterSingle) return `${later.range.text} lies inside ${earlier.label} ${earlier.range.text} ${where}`;
  if (earlierSingle) return `${later.label} ${later.range.text} contains ${earlier.label}'s address ${earlier.range.text} ${where}`;
  return `${later.label} ${later.range.text} ${contains(later.range, earlier.range) ? "contains" : "overlaps"} ${earlier.label} ${earlier.range.text} ${where}`;
}

/** What to do about a collision, by the role that is reported (and moved). */
function fixFor(later: AddressClaim, earlier: AddressClaim, c: ClusterConfig): string {
  switch (later.role) {
    case "pool":
      return earlier.role === "pool" ? "make the pools disjoint" : `exclude ${earlier.range.text} from the pool: shrink or split the range`;
    case "node":
      return `give the node its own free host address of ${c.network.subnet}`;
    case "vip":
      return `pick a free address of ${c.network.subnet} for the VIP, outside every pool and not used by a node, the gateway or a server`;
    case "ingress":
      return "pick a free address from a LoadBalancer pool that nothing else uses";
    case "pod-cidr":
    case "service-cidr":
      return "choose a pod and a service network that hold no address of the site (nodes, servers, pools)";
    default:
      return `give each role its own address; ${P(earlier.path)} and ${P(later.path)} cannot be the same`;
  }
}

/** Every pair of claims that must not overlap but does, reported once at the later claim. */
export function addressCollisions(c: ClusterConfig): Problem[] {
  const claims = addressClaims(c).sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role));
  const problems: Problem[] = [];
  claims.forEach((later, i) => {
    for (const earlier of claims.slice(0, i)) {
      if (mayShare(earlier, later) || !overlaps(earlier.range, later.range)) continue;
      problems.push(error(later.path, later.range.text, collision(later, earlier), fixFor(later, earlier, c)));
    }
  });
  return problems;
}

export const addressRules: Rule[] = [
  {
    uses: ["name", "network", "controlPlane", "workerPools", "endpoint", "addons.loadBalancer", "addons.ingress", "addons.storage", "kubernetes.podCidr", "kubernetes.serviceCidr"],
    check: addressCollisions,
  },
];
