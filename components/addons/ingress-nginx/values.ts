import { METALLB_LOAD_BALANCER_IPS_ANNOTATION } from "../metallb/values";
import type { Environment, HelmValues } from "../types";

/** The IngressClass the chart's controller serves. */
export const INGRESS_NGINX_CLASS = "nginx";

export interface IngressNginxValuesParams {
  /** Fixed address from a MetalLB pool, so DNS records for ingress hosts never move. */
  loadBalancerIp?: string;
  /** Pool the address comes from (a pool with autoAssign off keeps it for this service). */
  addressPool?: string;
  environment: Environment;
  /** Make this the cluster's default IngressClass. */
  defaultIngressClass: boolean;
  /** Nodes the controller runs on (e.g. the dedicated MetalLB/ingress nodes). */
  nodeSelector?: Record<string, string>;
  /** Keep the client source address (traffic only to nodes running a controller pod). */
  externalTrafficPolicyLocal?: boolean;
  imageRegistry?: string;
}

const CONTROLLER_LABELS = {
  "app.kubernetes.io/name": "ingress-nginx",
  "app.kubernetes.io/instance": "ingress-nginx",
  "app.kubernetes.io/component": "controller",
};

export function ingressNginxValues(p: IngressNginxValuesParams): HelmValues {
  const prod = p.environment === "prod";
  const annotations: Record<string, string> = {};
  if (p.loadBalancerIp) annotations[METALLB_LOAD_BALANCER_IPS_ANNOTATION] = p.loadBalancerIp;
  if (p.addressPool) annotations["metallb.io/address-pool"] = p.addressPool;
  const controller: HelmValues = {
    replicaCount: prod ? 2 : 1,
    ingressClassResource: { name: INGRESS_NGINX_CLASS, enabled: true, default: p.defaultIngressClass },
    service: {
      type: "LoadBalancer",
      annotations,
      externalTrafficPolicy: p.externalTrafficPolicyLocal ? "Local" : "Cluster",
    },
  };
  if (prod) {
    // Two replicas on one node would fail together; hard anti-affinity spreads them.
    controller.affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: CONTROLLER_LABELS }, topologyKey: "kubernetes.io/hostname" },
        ],
      },
    };
  }
  if (p.nodeSelector) controller.nodeSelector = { "kubernetes.io/os": "linux", ...p.nodeSelector };
  const values: HelmValues = { controller };
  if (p.imageRegistry) values.global = { image: { registry: p.imageRegistry } };
  return values;
}
