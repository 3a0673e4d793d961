// Cluster networks: disjoint CIDRs, the CNI and its MTU, no_proxy coverage.
import { MAX_SERVICE_CIDR_HOST_BITS, contains, hostBits, isNetworkAddress, overlaps, parseBlock, perNodeBlocks, prefixLength } from "../network";
import { ENCAPSULATION_OVERHEAD, cniMtuOf, cniReplacesKubeProxy, effectiveNoProxy, podBlockMaskOf, requiredNoProxy } from "../spec";
import { P, type Problem, type Rule, error, networkAddressOf, warning } from "./common";

export const networkingRules: Rule[] = [
  {
    uses: ["kubernetes.podCidr", "kubernetes.serviceCidr", "network.subnet"],
    check(c) {
      const blocks = [
        { path: "kubernetes.podCidr", value: c.kubernetes.podCidr },
        { path: "kubernetes.serviceCidr", value: c.kubernetes.serviceCidr },
        { path: "network.subnet", value: c.network.subnet },
      ];
      const problems: Problem[] = [];
      for (let i = 0; i < blocks.length; i++) {
        for (let j = i + 1; j < blocks.length; j++) {
          if (overlaps(parseBlock(blocks[i].value), parseBlock(blocks[j].value))) {
            problems.push(error(blocks[i].path, blocks[i].value, `${blocks[i].value} overlaps ${P(blocks[j].path)} = ${blocks[j].value}`, "choose pod, service and node networks that do not overlap"));
          }
        }
      }
      for (const block of blocks.slice(0, 2)) {
        if (!isNetworkAddress(block.value)) {
          problems.push(error(block.path, block.value, "host bits are set in the CIDR", `write the network address, e.g. ${networkAddressOf(block.value)}`));
        }
      }
      return problems;
    },
  },
  {
    // Sizes kubeadm and the CNI refuse only on the site: kubeadm's service-subnet limit, the
    // controller manager's /24 node mask, and one CNI block per node.
    uses: ["kubernetes.podCidr", "kubernetes.serviceCidr", "addons.cni", "controlPlane", "workerPools"],
    check(c) {
      const problems: Problem[] = [];
      const { serviceCidr, podCidr } = c.kubernetes;
      const serviceBits = hostBits(serviceCidr);
      if (serviceBits > MAX_SERVICE_CIDR_HOST_BITS) {
        const narrowest = (serviceCidr.includes(":") ? 128 : 32) - MAX_SERVICE_CIDR_HOST_BITS;
        problems.push(error("kubernetes.serviceCidr", serviceCidr, `a /${prefixLength(serviceCidr)} service network has ${serviceBits} host bits; kubeadm and the apiserver accept at most ${MAX_SERVICE_CIDR_HOST_BITS} (a /${narrowest})`, `use a /${narrowest} or smaller, e.g. 10.96.0.0/12`));
      }
      // kubeadm gives the API Service the 1st address and cluster DNS the 10th.
      if (serviceBits < MIN_SERVICE_CIDR_HOST_BITS) {
        problems.push(error("kubernetes.serviceCidr", serviceCidr, `a /${prefixLength(serviceCidr)} service network has no 10th address, which kubeadm gives the cluster DNS Service`, "use a /24 or larger service network, e.g. 10.96.0.0/12"));
      }
      const podPrefix = prefixLength(podCidr);
      if (podPrefix > KUBEADM_NODE_MASK || KUBEADM_NODE_MASK - podPrefix > 16) {
        problems.push(error("kubernetes.podCidr", podCidr, `kubeadm refuses a /${podPrefix} pod network: it must hold between one and 2^16 of the controller manager's /${KUBEADM_NODE_MASK} node blocks`, "use a prefix between /8 and /24, e.g. 10.244.0.0/16"));
        return problems;
      }
      const mask = podBlockMaskOf(c);
      const blocks = perNodeBlocks(podCidr, mask);
      const nodes = plannedNodeCount(c);
      if (blocks < nodes) {
        const cni = c.addons.cni.type === "calico" ? `Calico's /${mask} IPAM blocks` : `Cilium's /${mask} cluster-pool blocks`;
        const needed = mask - Math.ceil(Math.log2(nodes));
        problems.push(error("kubernetes.podCidr", podCidr, `${podCidr} holds ${blocks} of ${cni} but the description has ${nodes} nodes, each taking one`, `use a /${Math.min(needed, KUBEADM_NODE_MASK)} or larger pod network, e.g. 10.244.0.0/16`));
      } else if (blocks < 2 * nodes) {
        // Growing past it later means a new pod network, which running nodes cannot move to.
        const cni = c.addons.cni.type === "calico" ? `Calico /${mask} blocks` : `Cilium /${mask} blocks`;
        problems.push(warning("kubernetes.podCidr", podCidr, `${podCidr} holds ${blocks} ${cni}: room for only ${blocks - nodes} more node${blocks - nodes === 1 ? "" : "s"} beyond today's ${nodes}`, `use a /${mask - Math.ceil(Math.log2(2 * nodes))} or larger pod network before the cluster exists, e.g. 10.244.0.0/16`));
      }
      return problems;
    },
  },
  {
    uses: ["addons.cni", "network.mtu", "kubernetes.kubeProxy"],
    check(c) {
      const cni = c.addons.cni;
      const problems: Problem[] = [];
      if (cni.mode === "geneve" && cni.type !== "cilium") {
        problems.push(error("addons.cni.mode", cni.mode, "Calico has no Geneve mode", "use vxlan, ipip or native with Calico"));
      }
      if (cni.mode === "ipip" && cni.type !== "calico") {
        problems.push(error("addons.cni.mode", cni.mode, "Cilium has no IP-in-IP mode", "use vxlan, geneve or native with Cilium"));
      }
      const overhead = ENCAPSULATION_OVERHEAD[cni.mode];
      const mtu = cniMtuOf(c);
      if (mtu > c.network.mtu - overhead) {
        problems.push(
          error("addons.cni.mtu", mtu, `pod MTU ${mtu} + ${overhead} bytes of ${cni.mode} overhead exceeds the node MTU ${c.network.mtu}: large packets would be fragmented or dropped (seed 001, risk 1)`, `set cluster.addons.cni.mtu to at most ${c.network.mtu - overhead}, or omit it to derive it`),
        );
      }
      if (cni.kubeProxyReplacement !== undefined && cni.type !== "cilium") {
        problems.push(error("addons.cni.kubeProxyReplacement", cni.kubeProxyReplacement, "only Cilium can replace kube-proxy", "remove kubeProxyReplacement"));
      }
      if (cniReplacesKubeProxy(c) && c.kubernetes.kubeProxy === true) {
        problems.push(error("kubernetes.kubeProxy", true, "Cilium's kube-proxy replacement and kube-proxy would both program Services", "set cluster.kubernetes.kubeProxy to false, or addons.cni.kubeProxyReplacement to false"));
      }
      if (cni.type === "cilium" && cni.kubeProxyReplacement === false && c.kubernetes.kubeProxy === false) {
        problems.push(error("kubernetes.kubeProxy", false, "with Cilium's kube-proxy replacement off and kube-proxy off nothing would implement Services", "remove cluster.kubernetes.kubeProxy (kube-proxy then runs), or set cluster.addons.cni.kubeProxyReplacement: true"));
      }
      if (cni.type !== "cilium" && cni.hubble) {
        problems.push(warning("addons.cni.hubble", true, `Hubble is part of Cilium; with ${cni.type} it is not installed`, "remove hubble, or use cni type cilium"));
      }
      if (cni.type === "calico" && c.kubernetes.kubeProxy === false) {
        problems.push(error("kubernetes.kubeProxy", false, "Calico (iptables data plane) needs kube-proxy", "set cluster.kubernetes.kubeProxy to true or remove it"));
      }
      if (cni.checksumOffloadWorkaround && !(cni.type === "calico" && cni.mode === "vxlan")) {
        problems.push(error("addons.cni.checksumOffloadWorkaround", true, "the checksum-offload workaround is for Calico VXLAN only", "remove it, or use Calico with mode vxlan"));
      }
      return problems;
    },
  },
  {
    uses: ["proxy", "endpoint", "network.subnet", "controlPlane", "workerPools", "kubernetes.podCidr", "kubernetes.serviceCidr", "kubernetes.clusterDomain"],
    check(c) {
      if (!c.proxy) return [];
      const entries = effectiveNoProxy(c);
      const gaps = noProxyGaps(entries, requiredNoProxy(c));
      if (gaps.length === 0) return [];
      return [
        error("proxy.noProxy", c.proxy.noProxy, `no_proxy does not cover ${gaps.join(", ")}: cluster traffic to them would go through the proxy (seed 000, T-035)`, `add ${gaps.join(", ")} to cluster.proxy.noProxy, or set cluster.proxy.extendNoProxy: true`),
      ];
    },
  },
];

/** The smallest service network that holds the cluster DNS address (the 10th): a /28. */
const MIN_SERVICE_CIDR_HOST_BITS = 4;

/** kube-controller-manager's default --node-cidr-mask-size for IPv4, which kubeadm checks the pod subnet against. */
const KUBEADM_NODE_MASK = 24;

/** Nodes the description asks for: every listed address, or a pool's count where it is larger. */
function plannedNodeCount(c: Parameters<Rule["check"]>[0]): number {
  const pools = [c.controlPlane, ...c.workerPools];
  return pools.reduce((sum, pool) => sum + Math.max(pool.count ?? 0, pool.addresses.length), 0);
}

/**
 * Which required targets a no_proxy list does not cover. An entry covers a target when it is
 * equal to it, when it is a CIDR containing it, or when it is a domain suffix (`.svc`,
 * `.cluster.local`, `example.internal`) of it.
 */
export function noProxyGaps(entries: string[], targets: string[]): string[] {
  const covers = (entry: string, target: string): boolean => {
    if (entry === target) return true;
    const entryIsBlock = /^[\d.]+(\/\d+)?$/.test(entry);
    const targetIsBlock = /^[\d.]+(\/\d+)?$/.test(target);
    if (entryIsBlock && targetIsBlock) {
      try {
        return contains(parseBlock(entry), parseBlock(target));
      } catch {
        return false;
      }
    }
    if (!entryIsBlock && !targetIsBlock) {
      const suffix = entry.startsWith(".") ? entry : `.${entry}`;
      return target.endsWith(suffix) || `.${target}` === suffix;
    }
    return false;
  };
  return targets.filter((target) => !entries.some((entry) => covers(entry, target)));
}
