// Per-environment defaults. A stack file names its profile and holds only the site's facts;
// everything it leaves out comes from here, then from the schema's own defaults.
import type { ClusterInput } from "./schema";

type DeepPartial<T> = T extends (infer U)[]
  ? U[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

type WorkerPoolInput = NonNullable<ClusterInput["workerPools"]>[number];

export interface Profile {
  /** Defaults merged under the stack's description. */
  defaults: DeepPartial<ClusterInput>;
  /** Defaults merged under every worker pool. */
  workerPoolDefaults: Partial<WorkerPoolInput>;
  /** Smallest sizes the environment accepts. */
  minimum: { controlPlanes: number; workers: number };
}

export const PROFILES: Record<ClusterInput["profile"], Profile> = {
  // Seed 001, section 7: PoC = 1 control plane (3 allowed), 2 workers, MetalLB L2, minimal ingress.
  // Ingress: Traefik on the Gateway API, the maintained choice (ingress-nginx is retired upstream);
  // the seed sites' stack files keep ingress-nginx by naming it (README, Decisions).
  poc: {
    defaults: {
      protect: false,
      controlPlane: { cpus: 2, memoryMiB: 8192, diskGiB: 80 },
      // Two workers at a time: a PoC trades spare capacity for a shorter upgrade.
      kubernetes: { upgrade: { workerBatchSize: 2 } },
      platform: { vsphere: { antiAffinity: false } },
      addons: {
        loadBalancer: { type: "metallb", mode: "l2" },
        ingress: { type: "traefik", replicas: 1 },
        metrics: { enabled: true },
        backups: { etcdSnapshots: { enabled: false }, velero: { enabled: false } },
      },
    },
    workerPoolDefaults: { cpus: 4, memoryMiB: 16384, diskGiB: 100 },
    minimum: { controlPlanes: 1, workers: 1 },
  },
  // Seed 001, sections 7 and 15: prod = 3 control planes at 4 vCPU / 16 GiB, 3+ workers, backups on.
  prod: {
    defaults: {
      protect: true,
      controlPlane: { cpus: 4, memoryMiB: 16384, diskGiB: 80 },
      // One worker at a time: the rest keep serving while it is drained. Audit log, Secrets
      // encrypted at rest and Pod Security baseline enforced (docs/hardening.md).
      kubernetes: {
        upgrade: { workerBatchSize: 1 },
        apiServer: { audit: { enabled: true } },
        encryption: { enabled: true },
        podSecurity: { enforce: "baseline", audit: "restricted", warn: "restricted" },
      },
      platform: { vsphere: { antiAffinity: true } },
      addons: {
        loadBalancer: { type: "metallb", mode: "l2" },
        ingress: { type: "traefik", replicas: 2 },
        metrics: { enabled: true },
        backups: { etcdSnapshots: { enabled: true }, velero: { enabled: true } },
      },
    },
    workerPoolDefaults: { cpus: 4, memoryMiB: 16384, diskGiB: 100 },
    minimum: { controlPlanes: 3, workers: 3 },
  },
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Recursive merge: objects merge key by key, anything else (arrays included) from `over` wins. */
export function mergeDefaults(under: unknown, over: unknown): unknown {
  if (over === undefined) return under;
  if (!isPlainObject(under) || !isPlainObject(over)) return over;
  const merged: Record<string, unknown> = { ...under };
  for (const [key, value] of Object.entries(over)) merged[key] = mergeDefaults(under[key], value);
  return merged;
}

/**
 * Applies the named profile to a raw description. Platform defaults are only merged for the
 * platform the description chose, so a vSphere default never invents a `proxmox` section.
 * An unknown or missing profile is left as it is for the schema to report, but the PoC defaults
 * stand in for it (both profiles supply the same keys), so that one mistake is one problem, not
 * one more "missing" for every field a profile supplies.
 */
export function applyProfile(raw: unknown): unknown {
  if (!isPlainObject(raw)) return raw;
  const known = Object.hasOwn(PROFILES, String(raw.profile));
  const profile = known ? PROFILES[raw.profile as ClusterInput["profile"]] : PROFILES.poc;
  const defaults = structuredClone(profile.defaults) as Record<string, unknown>;
  const platformDefaults = defaults.platform as Record<string, unknown> | undefined;
  const rawPlatform = isPlainObject(raw.platform) ? raw.platform : {};
  if (platformDefaults) {
    for (const key of Object.keys(platformDefaults)) {
      if (!isPlainObject(rawPlatform[key])) delete platformDefaults[key];
    }
  }
  const merged = mergeDefaults(defaults, raw) as Record<string, unknown>;
  if (Array.isArray(raw.workerPools)) {
    merged.workerPools = raw.workerPools.map((pool) => mergeDefaults(profile.workerPoolDefaults, pool));
  }
  return merged;
}
