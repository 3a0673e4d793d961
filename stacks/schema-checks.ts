// The acceptance checks `pulumi up` runs after the add-ons (components/checks): which ones run is
// decided by what the description deploys; this section only turns some off, keeps the test
// objects, or sets how long a check may wait for the cluster to settle.
import { z } from "zod";

/** Every check, in the order they are reported. */
export const CHECK_NAMES = ["endpoint-readyz", "apiserver-readyz", "nodes", "etcd", "cni", "pod-network", "dns", "metrics", "storage", "load-balancer", "ingress", "from-here", "mtu", "vip-failover"] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export const DEFAULT_CHECK_TIMEOUT_SECONDS = 300;

export const checksSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe("run the acceptance checks in `pulumi up` after the add-ons; a failing check fails the update with its diagnostics"),
    skip: z
      .array(z.enum(CHECK_NAMES))
      .default([])
      .describe(`checks not to run, e.g. one the machine running Pulumi cannot reach: ${CHECK_NAMES.join(", ")}`),
    vipFailover: z
      .boolean()
      .default(false)
      .describe("also fail the VIP over: on the control plane holding it, stop keepalived or kube-vip until the VIP moves and the API answers through the endpoint, then start it again (not for endpoint.mode external)"),
    keepTestObjects: z.boolean().default(false).describe("keep the checks' test objects (namespace onprem-k8s-acceptance) for a look afterwards"),
    timeoutSeconds: z
      .number()
      .int()
      .min(10)
      .max(3600)
      .default(DEFAULT_CHECK_TIMEOUT_SECONDS)
      .describe("how long each check retries before it fails (nodes becoming Ready, Pods starting)"),
  })
  .describe("acceptance checks run by `pulumi up` (the report is the stack output `acceptance`)");
