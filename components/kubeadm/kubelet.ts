// What kubeadm renders into every kubelet's configuration that depends on the add-ons chosen: the
// cluster DNS address (NodeLocal DNSCache), serving certificates (metrics-server), the external
// cloud provider (vSphere CPI). Here, below the add-on layer, which installs to match. Pure.
import ipaddr from "ipaddr.js";
import type { ClusterSpec } from "../../stacks/spec";

/** Where NodeLocal DNSCache listens on every node. */
export const NODE_LOCAL_DNS_LINK_LOCAL_IP = "169.254.20.10";

/** The address kubeadm gives the cluster DNS Service: the network address of the service CIDR + 10. */
export function clusterDnsServiceIp(serviceCidr: string): string {
  const [address, prefixLength] = ipaddr.parseCIDR(serviceCidr);
  const bytes = address.toByteArray();
  if (bytes.length * 8 - prefixLength < 4) {
    throw new Error(`service CIDR ${serviceCidr} is too small to hold its 10th address`);
  }
  const network = bytes.map((b, i) => {
    const bitsInByte = Math.max(0, Math.min(8, prefixLength - i * 8));
    return b & ((0xff << (8 - bitsInByte)) & 0xff);
  });
  let carry = 10;
  for (let i = network.length - 1; i >= 0 && carry > 0; i--) {
    const sum = network[i] + carry;
    network[i] = sum & 0xff;
    carry = sum >> 8;
  }
  return ipaddr.fromByteArray(network).toString();
}

/**
 * Whether NodeLocal DNSCache can also bind the kube-dns Service IP, so kubelets keep it: only with
 * kube-proxy. With Cilium's kube-proxy replacement the Service IP is rewritten before a local
 * listener sees it, so the cache binds only the link-local address and kubelet points pods at it.
 */
export function nodeLocalDnsBindsClusterDnsIp(spec: ClusterSpec): boolean {
  return spec.kubeProxyEnabled;
}

/** The kubelet `clusterDNS` address the kubeadm KubeletConfiguration must render. */
export function kubeletClusterDns(spec: ClusterSpec): string {
  if (spec.addons.nodeLocalDns.enabled && !nodeLocalDnsBindsClusterDnsIp(spec)) return NODE_LOCAL_DNS_LINK_LOCAL_IP;
  return clusterDnsServiceIp(spec.kubernetes.serviceCidr);
}

/**
 * Whether kubelet's clusterDNS moves when the cache is switched on or off (it does only where the
 * cache cannot bind the kube-dns IP), so running nodes need it rewritten (addons/nodelocaldns/kubelet-dns.sh).
 */
export function kubeletClusterDnsFollowsCache(spec: ClusterSpec): boolean {
  return !nodeLocalDnsBindsClusterDnsIp(spec);
}

/** Whether the kubelets get CA-signed serving certificates (KubeletConfiguration serverTLSBootstrap). */
export function kubeletServerTlsBootstrap(spec: ClusterSpec): boolean {
  return !spec.addons.metrics.insecureKubeletTls;
}

/**
 * Whether an out-of-tree cloud provider (the vSphere CPI) runs, so every kubelet must start with
 * `cloud-provider: external`: without it nodes never get a providerID and vSphere CSI cannot
 * attach volumes. The one condition that also installs the CPI release (addons/plan.ts addonReleases).
 */
export function kubeletUsesExternalCloudProvider(spec: ClusterSpec): boolean {
  return spec.addons.storage.type === "vsphere-csi";
}
