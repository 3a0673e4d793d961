import { withRegistry } from "../charts";
import type { Environment, HelmValues } from "../types";

export interface KubeletCsrApproverValuesParams {
  /** Node names allowed to get serving certificates; anything else is denied. */
  nodeNames: string[];
  /** Subnets the IP SANs of a serving certificate must fall in (the node subnet). */
  nodeIpPrefixes: string[];
  environment: Environment;
  imageRegistry?: string;
}

/** Anchored regex matching exactly the given node names. */
export function exactNamesRegex(names: string[]): string {
  if (names.length === 0) throw new Error("kubelet-csr-approver: at least one node name is required");
  const escaped = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return `^(${escaped.join("|")})$`;
}

/**
 * Approves kubelet-serving CSRs (kubelet serverTLSBootstrap) only for our nodes: the requesting
 * node must be system:node:<name>, the DNS SAN its own name and the IP SANs inside the node
 * subnet. DNS resolution of node names is skipped: on-prem node names often live only in
 * /etc/hosts, and the name and IP checks above still bind a certificate to its node.
 */
export function kubeletCsrApproverValues(p: KubeletCsrApproverValuesParams): HelmValues {
  const values: HelmValues = {
    providerRegex: exactNamesRegex(p.nodeNames),
    providerIpPrefixes: p.nodeIpPrefixes,
    bypassDnsResolution: true,
    replicas: p.environment === "prod" ? 2 : 1,
  };
  if (p.imageRegistry) values.image = { repository: withRegistry("ghcr.io/postfinance/kubelet-csr-approver", p.imageRegistry) };
  return values;
}
