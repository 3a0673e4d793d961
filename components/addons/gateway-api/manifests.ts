// The Gateway API objects the program owns when Traefik is the ingress: one GatewayClass for
// Traefik's controller and one Gateway with an HTTP and an HTTPS listener that applications attach
// their HTTPRoutes to from any namespace. The Gateway API CRDs themselves come from the pinned
// release's standard-install.yaml (GATEWAY_API_RELEASE), applied before Traefik starts.
import type { Manifest } from "../types";

export const GATEWAY_API_GROUP_VERSION = "gateway.networking.k8s.io/v1";

export interface GatewayParams {
  gatewayClassName: string;
  /** The controller that reconciles the class (Traefik: traefik.io/gateway-controller). */
  controllerName: string;
  gatewayName: string;
  namespace: string;
  /** Listener ports: the controller's own ports for HTTP and HTTPS (Traefik: its entry points). */
  httpPort: number;
  httpsPort: number;
  /** Secret (type kubernetes.io/tls, in the Gateway's namespace) the HTTPS listener terminates TLS with. */
  tlsSecretName: string;
  /** The LoadBalancer address the controller's Service gets, recorded on the Gateway for people. */
  loadBalancerIp?: string;
}

/** Annotation naming the address the Gateway answers on (its Service's MetalLB address). */
export const GATEWAY_ADDRESS_ANNOTATION = "onprem-k8s.io/load-balancer-ip";

export function gatewayObjects(p: GatewayParams): Manifest[] {
  // Routes from every namespace, as an ingress controller serves Ingresses of every namespace (a
  // fresh object per listener, so the rendered YAML has no anchors).
  const allowedRoutes = () => ({ namespaces: { from: "All" } });
  const gatewayClass: Manifest = {
    apiVersion: GATEWAY_API_GROUP_VERSION,
    kind: "GatewayClass",
    metadata: { name: p.gatewayClassName },
    spec: { controllerName: p.controllerName, description: "HTTP(S) ingress of the cluster (onprem-k8s)" },
  };
  const gateway: Manifest = {
    apiVersion: GATEWAY_API_GROUP_VERSION,
    kind: "Gateway",
    metadata: {
      name: p.gatewayName,
      namespace: p.namespace,
      ...(p.loadBalancerIp ? { annotations: { [GATEWAY_ADDRESS_ANNOTATION]: p.loadBalancerIp } } : {}),
    },
    spec: {
      gatewayClassName: p.gatewayClassName,
      listeners: [
        { name: "http", port: p.httpPort, protocol: "HTTP", allowedRoutes: allowedRoutes() },
        {
          name: "https",
          port: p.httpsPort,
          protocol: "HTTPS",
          tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: p.tlsSecretName }] },
          allowedRoutes: allowedRoutes(),
        },
      ],
    },
  };
  return [gatewayClass, gateway];
}
