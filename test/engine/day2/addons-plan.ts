// The add-on phases' descriptions (addons.ts), without the lab: the journey's description with
// MetalLB (L2) and Traefik added as a person would write them, the pools before and after the pool
// change, the planted pool outside the node subnet, and the Pod Security exemptions the program
// gives those add-ons that the journey's stack does not give yet.
import { parse } from "yaml";
import { privilegedNamespacesOf } from "../../../components/kubeadm/hardening";
import type { ClusterSpec } from "../../../stacks/spec";

export interface Pool {
  name: string;
  addresses: string[];
  autoAssign?: boolean;
}

/** An address of the lab's node subnet by its last octet. */
const octet = (gateway: string, last: number) => gateway.replace(/\.\d+$/, `.${last}`);
/** The ingress's fixed address (the description's addons.ingress.loadBalancerIP). */
export const ingressAddress = (gateway: string) => octet(gateway, 200);
export const firstPools = (gateway: string): Pool[] => [{ name: "default", addresses: [`${octet(gateway, 200)}-${octet(gateway, 220)}`] }];
/** After the pool change: the ingress's address stays, every other address moves to .230-.240. */
export const changedPools = (gateway: string): Pool[] => [{ name: "default", addresses: [`${octet(gateway, 200)}/32`, `${octet(gateway, 230)}-${octet(gateway, 240)}`] }];
/** Outside the lab's node subnet (the planted fault). */
export const OUTSIDE_POOL = { name: "outside", addresses: ["10.252.0.10-10.252.0.20"], autoAssign: false };

/** A copy of the description `cluster` with MetalLB (L2, these pools) and Traefik at the ingress's fixed address. */
export function withAddons(cluster: Record<string, any>, gateway: string, pools: Pool[]): Record<string, any> {
  const planned = structuredClone(cluster);
  planned.addons.loadBalancer = { type: "metallb", mode: "l2", pools };
  planned.addons.ingress = { type: "traefik", loadBalancerIP: ingressAddress(gateway) };
  return planned;
}

/** The namespaces the program would exempt from Pod Security for the planned add-ons that the journey's stack does not exempt yet. */
export function missingExemptions(journey: ClusterSpec, planned: ClusterSpec): string[] {
  const exempt = new Set([...privilegedNamespacesOf(journey), ...journey.kubernetes.podSecurity.exemptNamespaces]);
  return privilegedNamespacesOf(planned).filter((namespace) => !exempt.has(namespace));
}

/** The namespaces an AdmissionConfiguration file (renderAdmissionConfiguration's) exempts from Pod Security. */
export function admissionExemptions(file: string): string[] {
  const config = parse(file) as { plugins?: { name: string; configuration?: { exemptions?: { namespaces?: string[] } } }[] } | null;
  return config?.plugins?.find((p) => p.name === "PodSecurity")?.configuration?.exemptions?.namespaces ?? [];
}
