import { VSPHERE_CSI_RELEASE } from "../charts";

export interface VsphereCsiConfigParams {
  /** Unique per cluster and at most 64 characters: CNS tags volumes with it. */
  clusterId: string;
  vcenterHost: string;
  vcenterPort?: number;
  user: string;
  /** Injected by the caller from a secret config value; the result must be marked secret. */
  password: string;
  datacenters: string[];
  /** Either verify vCenter's certificate by thumbprint / CA file, or skip (lab only). */
  tls: { thumbprint: string } | { caFile: string } | { insecure: true };
}

/** gcfg (INI) quoted value: backslash and double quote are the characters that need escaping. */
export function gcfgQuote(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error("csi-vsphere.conf values cannot contain line breaks");
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** Content of csi-vsphere.conf, the key of the vsphere-config-secret Secret. */
export function vsphereCsiConfig(p: VsphereCsiConfigParams): string {
  if (p.clusterId.length === 0 || p.clusterId.length > 64) throw new Error("clusterId must be 1..64 characters");
  const lines = [
    "[Global]",
    `cluster-id = ${gcfgQuote(p.clusterId)}`,
    "",
    `[VirtualCenter ${gcfgQuote(p.vcenterHost)}]`,
    `user = ${gcfgQuote(p.user)}`,
    `password = ${gcfgQuote(p.password)}`,
    `port = ${gcfgQuote(String(p.vcenterPort ?? 443))}`,
    `datacenters = ${gcfgQuote(p.datacenters.join(", "))}`,
  ];
  if ("insecure" in p.tls) lines.push(`insecure-flag = "true"`);
  else {
    lines.push(`insecure-flag = "false"`);
    if ("thumbprint" in p.tls) lines.push(`thumbprint = ${gcfgQuote(p.tls.thumbprint)}`);
    else lines.push(`ca-file = ${gcfgQuote(p.tls.caFile)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The Secret the pinned vSphere CSI manifest mounts; its data is secret, so the caller marks it. */
export function vsphereCsiConfigSecret(configText: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: VSPHERE_CSI_RELEASE.configSecretName, namespace: VSPHERE_CSI_RELEASE.namespace },
    type: "Opaque",
    stringData: { [VSPHERE_CSI_RELEASE.configFileName]: configText },
  };
}
