import { withRegistry } from "../charts";
import type { Environment, HelmValues } from "../types";

export type CiliumRouting =
  | { mode: "tunnel"; tunnelProtocol: "vxlan" | "geneve" }
  /** Native routing: pod CIDR routed by the underlay (or autoDirectNodeRoutes on a shared L2). */
  | { mode: "native"; ipv4NativeRoutingCIDR: string; autoDirectNodeRoutes: boolean };

export interface CiliumValuesParams {
  /** The Kubernetes API endpoint (VIP or load balancer): with kube-proxy gone, Cilium cannot use the service IP. */
  apiServerHost: string;
  apiServerPort: number;
  /** Pod MTU, set explicitly: auto-detection misses NSX-T/VXLAN underlay overhead (seed 001). */
  mtu: number;
  routing: CiliumRouting;
  podCidr: string;
  /** Per-node pod CIDR size for cluster-pool IPAM. */
  podCidrMaskSize: number;
  hubble: { relay: boolean; ui: boolean };
  environment: Environment;
  /** Mirror registry replacing quay.io for every image. */
  imageRegistry?: string;
}

const CILIUM_IMAGES = {
  "image.repository": "quay.io/cilium/cilium",
  "operator.image.repository": "quay.io/cilium/operator",
  "envoy.image.repository": "quay.io/cilium/cilium-envoy",
  "certgen.image.repository": "quay.io/cilium/certgen",
  "hubble.relay.image.repository": "quay.io/cilium/hubble-relay",
  "hubble.ui.backend.image.repository": "quay.io/cilium/hubble-ui-backend",
  "hubble.ui.frontend.image.repository": "quay.io/cilium/hubble-ui",
} as const;

/** Sets a dotted path in a nested object, creating maps on the way. */
export function setPath(target: HelmValues, dotted: string, value: unknown): void {
  const parts = dotted.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as HelmValues;
  }
  node[parts[parts.length - 1]] = value;
}

export function ciliumValues(p: CiliumValuesParams): HelmValues {
  const operatorReplicas = p.environment === "prod" ? 2 : 1;
  const values: HelmValues = {
    kubeProxyReplacement: true,
    k8sServiceHost: p.apiServerHost,
    k8sServicePort: p.apiServerPort,
    MTU: p.mtu,
    ipam: {
      mode: "cluster-pool",
      operator: {
        clusterPoolIPv4PodCIDRList: [p.podCidr],
        clusterPoolIPv4MaskSize: p.podCidrMaskSize,
      },
    },
    operator: { replicas: operatorReplicas },
    hubble: {
      enabled: true,
      relay: { enabled: p.hubble.relay || p.hubble.ui },
      ui: { enabled: p.hubble.ui },
    },
  };
  if (p.routing.mode === "tunnel") {
    values.routingMode = "tunnel";
    values.tunnelProtocol = p.routing.tunnelProtocol;
  } else {
    values.routingMode = "native";
    values.ipv4NativeRoutingCIDR = p.routing.ipv4NativeRoutingCIDR;
    values.autoDirectNodeRoutes = p.routing.autoDirectNodeRoutes;
  }
  if (p.imageRegistry) {
    for (const [path, repository] of Object.entries(CILIUM_IMAGES)) {
      setPath(values, path, withRegistry(repository, p.imageRegistry));
    }
  }
  return values;
}
