import { withRegistry } from "../charts";
import type { Environment, HelmValues } from "../types";

export interface MetricsServerValuesParams {
  environment: Environment;
  /**
   * "verify" (default): kubelet serving certificates are signed by the cluster CA, which needs
   * serverTLSBootstrap in the KubeletConfiguration and approval of the kubelet-serving CSRs.
   * "insecure": --kubelet-insecure-tls, an explicit opt-out for a PoC without that setup.
   */
  kubeletTls: "verify" | "insecure";
  imageRegistry?: string;
}

export function metricsServerValues(p: MetricsServerValuesParams): HelmValues {
  const prod = p.environment === "prod";
  const values: HelmValues = {
    replicas: prod ? 2 : 1,
    args: p.kubeletTls === "insecure" ? ["--kubelet-insecure-tls"] : [],
  };
  if (prod) values.podDisruptionBudget = { enabled: true, minAvailable: 1 };
  if (p.imageRegistry) {
    values.image = { repository: withRegistry("registry.k8s.io/metrics-server/metrics-server", p.imageRegistry) };
  }
  return values;
}
