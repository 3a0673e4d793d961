import { withRegistry } from "../charts";
import type { HelmValues, Toleration } from "../types";

/** Annotation MetalLB 0.16 reads for a fixed service address (metallb.universe.tf/* is the deprecated prefix). */
export const METALLB_LOAD_BALANCER_IPS_ANNOTATION = "metallb.io/loadBalancerIPs";
export const METALLB_NAMESPACE = "metallb-system";

export interface MetallbValuesParams {
  /** Speakers run only on nodes with these labels (dedicated ingress/LB nodes, seed 000). */
  speakerNodeSelector?: Record<string, string>;
  /** Tolerations for the taint of dedicated nodes, given to speakers (and the controller when it runs there). */
  speakerTolerations?: Toleration[];
  controllerNodeSelector?: Record<string, string>;
  controllerTolerations?: Toleration[];
  /**
   * BGP uses the bundled frr-k8s backend (the chart's default since the FRR sidecar mode was
   * deprecated); L2 alone runs without it: no frr-k8s DaemonSet, fewer images to mirror.
   */
  mode: "l2" | "bgp";
  imageRegistry?: string;
}

export function metallbValues(p: MetallbValuesParams): HelmValues {
  const speaker: HelmValues = {};
  const controller: HelmValues = {};
  if (p.speakerNodeSelector) speaker.nodeSelector = p.speakerNodeSelector;
  if (p.speakerTolerations) speaker.tolerations = p.speakerTolerations;
  if (p.controllerNodeSelector) controller.nodeSelector = p.controllerNodeSelector;
  if (p.controllerTolerations) controller.tolerations = p.controllerTolerations;
  if (p.imageRegistry) {
    controller.image = { repository: withRegistry("quay.io/metallb/controller", p.imageRegistry) };
    speaker.image = { repository: withRegistry("quay.io/metallb/speaker", p.imageRegistry) };
  }
  return { frrk8s: { enabled: p.mode === "bgp" }, controller, speaker };
}

export interface MetallbPool {
  name: string;
  /** CIDRs or "first-last" ranges. */
  addresses: string[];
  /** false keeps the pool for services that ask for it by annotation only (e.g. the ingress VIP). */
  autoAssign: boolean;
}

export type MetallbAdvertisement =
  | { kind: "l2"; nodeSelectorLabels?: Record<string, string>; interfaces?: string[] }
  | {
      kind: "bgp";
      myASN: number;
      peers: { name: string; peerAddress: string; peerASN: number; nodeSelectorLabels?: Record<string, string> }[];
    };

export interface MetallbResourcesParams {
  pools: MetallbPool[];
  advertisement: MetallbAdvertisement;
  namespace?: string;
}

type Manifest = Record<string, unknown>;

/**
 * MetalLB custom resources. They go in only after the controller Deployment is ready and its
 * webhook Service has endpoints: applying earlier fails with "failed calling webhook" (seed 000,
 * T-047..T-050).
 */
export function metallbResources(p: MetallbResourcesParams): Manifest[] {
  const namespace = p.namespace ?? METALLB_NAMESPACE;
  const poolNames = p.pools.map((pool) => pool.name);
  const out: Manifest[] = p.pools.map((pool) => ({
    apiVersion: "metallb.io/v1beta1",
    kind: "IPAddressPool",
    metadata: { name: pool.name, namespace },
    spec: { addresses: pool.addresses, autoAssign: pool.autoAssign },
  }));
  const adv = p.advertisement;
  if (adv.kind === "l2") {
    const spec: Manifest = { ipAddressPools: poolNames };
    if (adv.nodeSelectorLabels) spec.nodeSelectors = [{ matchLabels: adv.nodeSelectorLabels }];
    if (adv.interfaces) spec.interfaces = adv.interfaces;
    out.push({ apiVersion: "metallb.io/v1beta1", kind: "L2Advertisement", metadata: { name: "l2", namespace }, spec });
  } else {
    for (const peer of adv.peers) {
      const spec: Manifest = { myASN: adv.myASN, peerASN: peer.peerASN, peerAddress: peer.peerAddress };
      if (peer.nodeSelectorLabels) spec.nodeSelectors = [{ matchLabels: peer.nodeSelectorLabels }];
      out.push({ apiVersion: "metallb.io/v1beta2", kind: "BGPPeer", metadata: { name: peer.name, namespace }, spec });
    }
    out.push({
      apiVersion: "metallb.io/v1beta1",
      kind: "BGPAdvertisement",
      metadata: { name: "bgp", namespace },
      spec: { ipAddressPools: poolNames },
    });
  }
  return out;
}
