/** Shared parameter types of the add-on values builders. */

/** Sizing profile: a PoC runs single replicas; prod runs redundant ones spread over nodes. */
export type Environment = "poc" | "prod";

export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** Helm values as plain data. */
export type HelmValues = Record<string, unknown>;

/** A Kubernetes object as plain data. */
export type Manifest = Record<string, unknown>;
