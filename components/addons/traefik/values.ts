// Traefik v3 as the Gateway API implementation (chart traefik 41.3.0, Traefik v3.7.11). The chart's
// own Gateway and GatewayClass stay off: the program renders both (gateway-api/manifests.ts) so the
// plan shows them and the tests dry-run them against a real apiserver with the Gateway API CRDs.
import { METALLB_LOAD_BALANCER_IPS_ANNOTATION } from "../metallb/values";
import type { Environment, HelmValues } from "../types";

/** Traefik's entry points inside the pod; Gateway listeners must use these ports (Traefik's rule). */
export const TRAEFIK_ENTRYPOINTS = { web: 8000, websecure: 8443 } as const;
export const TRAEFIK_NAMESPACE = "traefik";

export interface TraefikValuesParams {
  /** Fixed address from a MetalLB pool, so DNS records for the site's hosts never move. */
  loadBalancerIp?: string;
  environment: Environment;
  /** Replicas; the profile's (1 in poc, 2 in prod) unless the description sets them. */
  replicas?: number;
  imageRegistry?: string;
}

/** The selector labels the chart gives its pods (release "traefik" in namespace "traefik"). */
const POD_LABELS = { "app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": `traefik-${TRAEFIK_NAMESPACE}` };

export function traefikValues(p: TraefikValuesParams): HelmValues {
  const prod = p.environment === "prod";
  const annotations: Record<string, string> = {};
  if (p.loadBalancerIp) annotations[METALLB_LOAD_BALANCER_IPS_ANNOTATION] = p.loadBalancerIp;
  const values: HelmValues = {
    deployment: { replicas: p.replicas ?? (prod ? 2 : 1) },
    providers: {
      kubernetesGateway: { enabled: true },
      // Ingress objects keep working (class "traefik", the default class), so apps move at their pace.
      kubernetesIngress: { enabled: true },
    },
    gateway: { enabled: false },
    gatewayClass: { enabled: false },
    ingressClass: { enabled: true, isDefaultClass: true },
    ports: {
      web: { port: TRAEFIK_ENTRYPOINTS.web, exposedPort: 80 },
      websecure: { port: TRAEFIK_ENTRYPOINTS.websecure, exposedPort: 443 },
    },
    service: { annotations, spec: { type: "LoadBalancer" } },
    global: { checkNewVersion: false, sendAnonymousUsage: false },
  };
  if (prod) {
    // Two replicas on one node would fail together; hard anti-affinity spreads them.
    values.affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: POD_LABELS }, topologyKey: "kubernetes.io/hostname" }],
      },
    };
  }
  if (p.imageRegistry) values.image = { registry: p.imageRegistry };
  return values;
}
