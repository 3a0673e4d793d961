// endpoint.dnsName is the controlPlaneEndpoint, the kubeconfig's server and the API server the
// add-ons' provider dials from the machine running Pulumi. The nodes get it in /etc/hosts from the
// program; that machine needs a DNS record, and a missing one would only show as failed Helm
// releases after every node exists. So the program looks it up first and warns.
import { promises as dns } from "node:dns";
import type { Problem } from "./rules/common";
import type { ClusterSpec } from "./spec";

export type Lookup = (host: string) => Promise<string[]>;

const LOOKUP_LIMIT_MS = 3000;

/** Every IPv4/IPv6 address the system resolver gives for host, within a few seconds. */
export const systemLookup: Lookup = async (host) => {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("no answer"), { code: `no answer within ${LOOKUP_LIMIT_MS / 1000} s` })), LOOKUP_LIMIT_MS);
  });
  try {
    const found = await Promise.race([dns.lookup(host, { all: true }), limit]);
    return found.map((a) => a.address);
  } finally {
    clearTimeout(timer);
  }
};

export async function endpointDnsWarnings(spec: ClusterSpec, lookup: Lookup = systemLookup): Promise<Problem[]> {
  const { dnsName, vip } = spec.apiEndpoint;
  if (!dnsName) return [];
  const path = "cluster.endpoint.dnsName";
  const target = vip ?? "the load balancer's address";
  const record = `create a DNS record ${dnsName} -> ${target} (or an /etc/hosts entry on the machine running Pulumi)`;
  let addresses: string[];
  try {
    addresses = await lookup(dnsName);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return [{
      path,
      value: dnsName,
      problem: `does not resolve from this machine (${code}); it is the controlPlaneEndpoint, the kubeconfig's server and the add-ons' API server, so the add-on releases would fail after the nodes exist`,
      fix: `${record} before \`pulumi up\`, or remove endpoint.dnsName to use ${vip ? `the VIP ${vip}` : "the load balancer's address"} as the endpoint`,
      severity: "warning",
    }];
  }
  if (vip && !addresses.includes(vip)) {
    return [{
      path,
      value: dnsName,
      problem: `resolves to ${addresses.join(", ")} from this machine, not to the API VIP ${vip}`,
      fix: `point the record at ${vip}, or correct endpoint.vip`,
      severity: "warning",
    }];
  }
  return [];
}
