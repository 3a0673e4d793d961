import { withRegistry } from "../charts";
import type { HelmValues } from "../types";

export interface CalicoValuesParams {
  podCidr: string;
  /** Per-node block size of the IP pool. */
  blockSize: number;
  /**
   * VXLAN everywhere, or VXLAN only across subnets (same-subnet traffic routed natively): BGP off.
   * IPIP / None (native routing) only when the description asks for them: they need BGP, and IP
   * protocol 4 must pass the underlay (RedOS sites block it; seed 000).
   */
  encapsulation: "VXLAN" | "VXLANCrossSubnet" | "IPIP" | "None";
  /** Pod MTU, explicit: auto-detection does not see the underlay's real MTU (seed 000). */
  mtu: number;
  /** Interface or CIDR Calico takes the node address from, e.g. "cidr=10.10.0.0/24" style CIDRs. */
  nodeAddressCidrs?: string[];
  /** Mirror registry for the operator and every Calico image. */
  imageRegistry?: string;
}

/**
 * tigera-operator chart values. `installation` becomes the Installation resource's spec.
 * With VXLAN, IPIP is off by construction: the only pool uses VXLAN, and BGP is disabled since
 * VXLAN does not need it (RedOS sites block IP protocol 4; seed 000).
 */
export function calicoValues(p: CalicoValuesParams): HelmValues {
  const calicoNetwork: HelmValues = {
    bgp: p.encapsulation === "IPIP" || p.encapsulation === "None" ? "Enabled" : "Disabled",
    mtu: p.mtu,
    ipPools: [
      {
        name: "default-ipv4-ippool",
        cidr: p.podCidr,
        blockSize: p.blockSize,
        encapsulation: p.encapsulation,
        natOutgoing: "Enabled",
        nodeSelector: "all()",
      },
    ],
  };
  if (p.nodeAddressCidrs && p.nodeAddressCidrs.length > 0) {
    calicoNetwork.nodeAddressAutodetectionV4 = { cidrs: p.nodeAddressCidrs };
  }
  const installation: HelmValues = {
    enabled: true,
    kubernetesProvider: "",
    cni: { type: "Calico" },
    calicoNetwork,
  };
  const values: HelmValues = { installation };
  if (p.imageRegistry) {
    installation.registry = p.imageRegistry;
    values.tigeraOperator = { registry: p.imageRegistry };
    values.calicoctl = { image: withRegistry("docker.io/calico/ctl", p.imageRegistry) };
  }
  return values;
}

/**
 * The Installation resource the chart renders from `installation` (minus `enabled`), so tests can
 * validate the spec against the operator's CRD.
 */
export function installationResourceFromValues(values: HelmValues): Record<string, unknown> {
  const spec: HelmValues = { ...(values.installation as HelmValues) };
  delete spec.enabled;
  // The chart template adds these two from other values.
  spec.imagePullSecrets = [];
  spec.kubeletVolumePluginPath = "/var/lib/kubelet";
  return { apiVersion: "operator.tigera.io/v1", kind: "Installation", metadata: { name: "default" }, spec };
}

/**
 * FelixConfiguration "default" with VXLAN checksum offload forced off. vmxnet3 on vSphere corrupts
 * the outer UDP checksum of offloaded VXLAN packets, so only ICMP crosses nodes (calico#4727,
 * #9433); Felix's auto-detection does not catch every case. Applied with server-side apply as a
 * patch of the object the operator creates.
 */
export function calicoFelixConfiguration(opts: { checksumOffloadBroken: boolean }): Record<string, unknown> {
  return {
    apiVersion: "crd.projectcalico.org/v1",
    kind: "FelixConfiguration",
    metadata: { name: "default" },
    spec: opts.checksumOffloadBroken ? { featureDetectOverride: "ChecksumOffloadBroken=true" } : {},
  };
}
