// IPv4 address arithmetic for validation and rendering. Parsing is ipaddr.js's; what is here is
// only the interval logic on top of it (every block becomes an inclusive [first, last] range).
import * as ipaddr from "ipaddr.js";

export interface AddressRange {
  first: number;
  last: number;
  /** The text the range was parsed from, for messages. */
  text: string;
}

function toNumber(address: string): number {
  const bytes = ipaddr.IPv4.parse(address).toByteArray();
  return ((bytes[0] << 24) >>> 0) + (bytes[1] << 16) + (bytes[2] << 8) + bytes[3];
}

export function numberToAddress(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

export function isIPv4(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text);
}

/** Parses `a.b.c.d`, `a.b.c.d/n` or `a.b.c.d-e.f.g.h`; throws with the offending text otherwise. */
export function parseBlock(text: string): AddressRange {
  if (text.includes("/")) {
    const [address, prefix] = ipaddr.IPv4.parseCIDR(text);
    const size = 2 ** (32 - prefix);
    const first = Math.floor(toNumber(address.toString()) / size) * size;
    return { first, last: first + size - 1, text };
  }
  if (text.includes("-")) {
    const [from, to] = text.split("-");
    const first = toNumber(from);
    const last = toNumber(to);
    if (last < first) throw new Error(`range ${text} ends before it starts`);
    return { first, last, text };
  }
  const value = toNumber(text);
  return { first: value, last: value, text };
}

export function overlaps(a: AddressRange, b: AddressRange): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function contains(outer: AddressRange, inner: AddressRange): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}

export function addressInBlock(address: string, block: string): boolean {
  return contains(parseBlock(block), parseBlock(address));
}

/** True when the CIDR's network address was given (10.0.0.0/24, not 10.0.0.5/24). */
export function isNetworkAddress(cidr: string): boolean {
  const [address] = cidr.split("/");
  return parseBlock(cidr).first === toNumber(address);
}

/** The n-th address of a block (0 = network address); e.g. the cluster DNS service is the 10th. */
export function nthAddress(block: string, n: number): string {
  const range = parseBlock(block);
  if (range.first + n > range.last) throw new Error(`${block} has no address number ${n}`);
  return numberToAddress(range.first + n);
}

export function prefixLength(cidr: string): number {
  return ipaddr.IPv4.parseCIDR(cidr)[1];
}

export function blockSize(range: AddressRange): number {
  return range.last - range.first + 1;
}

/**
 * Why MetalLB cannot read a pool block, in the project's words; undefined when it can. MetalLB
 * takes a CIDR `a.b.c.d/n` or a range `a.b.c.d-e.f.g.h` and reads anything without a '-' as a
 * CIDR, so a single address needs its /32.
 */
export function blockProblem(text: string): string | undefined {
  if (!/[-/]/.test(text)) {
    return isIPv4(text) ? `MetalLB reads a single address only as a CIDR (${text}/32)` : `${text} is not an IPv4 address`;
  }
  const addresses = text.split(/[-/]/);
  const prefix = text.includes("/") ? Number(addresses.pop()) : undefined;
  for (const address of addresses) {
    const octet = address.split(".").find((part) => Number(part) > 255);
    if (octet !== undefined) return `${address} has the octet ${octet}, above 255`;
    if (!isIPv4(address)) return `${address} is not an IPv4 address`;
  }
  if (prefix !== undefined && !(prefix >= 0 && prefix <= 32)) return `prefix /${prefix} is longer than an IPv4 address (/32)`;
  if (addresses.length === 2 && toNumber(addresses[1]) < toNumber(addresses[0])) return `range ${text} ends before it starts`;
  return undefined;
}

/** Host bits of a CIDR's block (IPv4 or IPv6): 32 - prefix, 128 - prefix. */
export function hostBits(cidr: string): number {
  const [address, prefix] = ipaddr.parseCIDR(cidr);
  return (address.kind() === "ipv6" ? 128 : 32) - prefix;
}

/** The largest number of host bits kubeadm and the apiserver accept in a service CIDR (kubeadm's MaximumBitsForServiceSubnet). */
export const MAX_SERVICE_CIDR_HOST_BITS = 20;

/** How many per-node blocks of `/nodeMask` a pod CIDR holds (0 when the node mask is wider than the CIDR). */
export function perNodeBlocks(podCidr: string, nodeMask: number): number {
  const prefix = prefixLength(podCidr);
  return nodeMask < prefix ? 0 : 2 ** (nodeMask - prefix);
}

/** The network and broadcast address of a subnet, which no host can use. */
export function reservedAddresses(subnet: string): { network: string; broadcast: string } {
  const range = parseBlock(subnet);
  return { network: numberToAddress(range.first), broadcast: numberToAddress(range.last) };
}
