// Network namespaces of the lab (test/lab/lab.ts), with iproute2: named ones (`ip netns add`,
// /run/netns/<name>), so they outlive the command that made them and a later run can find
// what a dead one left. Nothing here touches the root namespace's interfaces or routes: the
// bridge and the lab's ends of the veths live in the lab namespace, the hosts' ends in theirs.
import * as fs from "node:fs";
import { runProcess, type ProcessOptions, type ProcessResult } from "../tools/process";

const NETNS_DIR = "/run/netns";
/** Every namespace the lab makes starts with this, then the owning test process's pid. */
export const LAB_NAMESPACE_PREFIX = "onprem-lab-";
/** The kernel's limit on interface names (IFNAMSIZ - 1). */
export const MAX_INTERFACE_NAME = 15;

const ip = (args: string[], options: ProcessOptions = {}) => runProcess("ip", args, options);

export function interfaceName(name: string): string {
  if (name.length > MAX_INTERFACE_NAME) throw new Error(`interface name ${name} is longer than ${MAX_INTERFACE_NAME} characters`);
  return name;
}

/** argv that runs `argv` in namespace `ns`: only the network namespace changes (no mount namespace, unlike `ip netns exec`). */
export function inNamespace(ns: string, argv: readonly string[]): string[] {
  return ["nsenter", `--net=${NETNS_DIR}/${ns}`, "--", ...argv];
}

export function runInNamespace(ns: string, argv: readonly string[], options: ProcessOptions = {}): Promise<ProcessResult> {
  const [command, ...args] = inNamespace(ns, argv);
  return runProcess(command!, args, options);
}

/** A fresh namespace with its loopback up (the Pulumi engine and its plugins talk over 127.0.0.1). */
export async function addNamespace(ns: string): Promise<void> {
  await ip(["netns", "add", ns]);
  await ip(["-n", ns, "link", "set", "lo", "up"]);
}

/** Namespaces of this machine whose names start with `prefix`. */
export function namespacesWithPrefix(prefix: string): string[] {
  if (!fs.existsSync(NETNS_DIR)) return [];
  return fs.readdirSync(NETNS_DIR).filter((name) => name.startsWith(prefix)).sort();
}

/** Processes living in namespace `ns` (sshd, its sessions, the mirror, a `pulumi up`). */
export async function namespacePids(ns: string): Promise<number[]> {
  const r = await ip(["netns", "pids", ns], { allowFail: true });
  return r.status === 0 ? r.stdout.split("\n").filter(Boolean).map(Number) : [];
}

/**
 * Ends every process in `ns`, then removes it. The namespace (with its interfaces: a veth goes
 * with either end) is gone once the last process holding it is.
 */
export async function deleteNamespace(ns: string): Promise<void> {
  for (let round = 0; round < 10; round++) {
    const pids = await namespacePids(ns);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (fs.existsSync(`${NETNS_DIR}/${ns}`)) await ip(["netns", "delete", ns], { allowFail: true });
}

/** A bridge in namespace `ns` holding `addresses` (CIDR notation), up. */
export async function addBridge(ns: string, bridge: string, addresses: string[]): Promise<void> {
  await ip(["-n", ns, "link", "add", interfaceName(bridge), "type", "bridge"]);
  for (const address of addresses) await ip(["-n", ns, "address", "add", address, "dev", bridge]);
  await ip(["-n", ns, "link", "set", bridge, "up"]);
}

export interface HostLink {
  /** The lab namespace, holding the bridge. */
  labNs: string;
  bridge: string;
  /** The lab's end of the veth, on the bridge. */
  labEnd: string;
  hostNs: string;
  /** The host's end, named like a node's NIC (network.interface). */
  hostEnd: string;
  /** The host's address, CIDR notation. */
  address: string;
  gateway: string;
}

/** Plugs a host namespace into the bridge: a veth pair, the address on the host's end, a default route to the gateway. */
export async function linkHost(link: HostLink): Promise<void> {
  const { labNs, hostNs } = link;
  await ip(["-n", labNs, "link", "add", interfaceName(link.labEnd), "type", "veth", "peer", "name", interfaceName(link.hostEnd), "netns", hostNs]);
  await ip(["-n", labNs, "link", "set", link.labEnd, "master", link.bridge]);
  await ip(["-n", labNs, "link", "set", link.labEnd, "up"]);
  await ip(["-n", hostNs, "address", "add", link.address, "dev", link.hostEnd]);
  await ip(["-n", hostNs, "link", "set", link.hostEnd, "up"]);
  await ip(["-n", hostNs, "route", "add", "default", "via", link.gateway]);
}
