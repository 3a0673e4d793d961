// API endpoint layer: per control plane, the step that makes the VIP work there before kubeadm
// init/join — the kube-vip static Pod, or keepalived + haproxy. An external load balancer needs
// nothing on the nodes (init.sh checks it answers over TCP). Artifacts: kinds "kube-vip",
// "haproxy", "keepalived" per control plane.
//
// Growth (docs/growth.md): every control plane's haproxy backends and keepalived peers list every
// control plane, so adding or removing one changes the configuration of each existing one (its
// step runs again and reloads the services). A control plane the stack did not have before
// starts its keepalived only after every existing one lists it as a peer: before that, it would
// hear no advertisement and take the VIP as a second MASTER.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { remote } from "@pulumi/command";
import type { ClusterContext } from "../context";
import type { PreparedNode } from "../node";
import { nodeStep } from "../node/steps";
import { remoteCommandLine } from "../remote/command-line";
import { endpointBundle } from "./bundles";
import { DEFAULT_SCRIPT_USER, KEEPALIVED_AUTH_PASS_ENV } from "./keepalived";
import { checkApiserverScript, controlPlaneEndpointConfigs, type ControlPlaneEndpointConfig } from "./configs";

export interface EndpointSteps {
  /** Per control plane (same order), the endpoint step; empty for an external load balancer. */
  steps: Map<string, remote.Command>;
  configs: ControlPlaneEndpointConfig[];
}

export interface EndpointStepsArgs {
  ctx: ClusterContext;
  controlPlanes: PreparedNode[];
  /** What each control plane's endpoint step waits for (its node preparation, its PKI step). */
  dependsOn: (node: PreparedNode) => pulumi.Input<pulumi.Input<pulumi.Resource>[]>;
  parent: pulumi.Resource;
}

/** Control planes the stack deployed before (its previous outputs); all of them on a first deployment. */
export function deployedControlPlanes(ctx: ClusterContext, controlPlanes: PreparedNode[]): { existing: PreparedNode[]; added: PreparedNode[] } {
  const recorded = ctx.history?.nodes ?? new Map<string, string>();
  if (recorded.size === 0) return { existing: controlPlanes, added: [] };
  return {
    existing: controlPlanes.filter((node) => recorded.has(node.machine.node.name)),
    added: controlPlanes.filter((node) => !recorded.has(node.machine.node.name)),
  };
}

export function buildEndpointSteps(args: EndpointStepsArgs): EndpointSteps {
  const { ctx, parent } = args;
  // Existing control planes first (their steps reload the new backend list), then the added ones after them.
  const { existing, added } = deployedControlPlanes(ctx, args.controlPlanes);
  const controlPlanes = [...existing, ...added];
  const afterExisting = (node: PreparedNode): pulumi.Input<pulumi.Input<pulumi.Resource>[]> => {
    if (!added.includes(node)) return args.dependsOn(node);
    const existingSteps = existing.map((n) => steps.get(n.machine.node.name)).filter((s): s is remote.Command => s !== undefined);
    const own = args.dependsOn(node);
    return Array.isArray(own) ? [...own, ...existingSteps] : pulumi.output(own).apply((resolved) => [...resolved, ...existingSteps]);
  };
  const configs = controlPlaneEndpointConfigs(ctx.spec);
  const steps = new Map<string, remote.Command>();
  const commandLine = remoteCommandLine(ctx.spec.ssh.user);
  if (configs.length === 0) return { steps, configs };

  // VRRPv2 PASS: at most 8 characters; letters and digits only (see keepalived.ts).
  const vrrpPassword =
    ctx.spec.apiEndpoint.mode === "keepalived-haproxy"
      ? new random.RandomPassword(`${ctx.spec.name}-vrrp-password`, { length: 8, special: false, upper: true, lower: true, numeric: true }, { parent })
      : undefined;

  for (const node of controlPlanes) {
    const name = node.machine.node.name;
    const config = configs.find((c) => c.node === name);
    if (!config) throw new Error(`no endpoint configuration for control plane ${name}`);
    if (config.kubeVip !== undefined) {
      ctx.artifacts.add("kube-vip", `kube-vip/${name}.yaml`, config.kubeVip);
      if (config.kubeVipInit) ctx.artifacts.add("kube-vip", `kube-vip/${name}.during-init.yaml`, config.kubeVipInit);
      steps.set(
        name,
        nodeStep(
          `${name}-endpoint`,
          {
            node,
            bundle: endpointBundle("kube-vip"),
            commandLine,
            env: { NODE_NAME: name, KUBE_VIP_MANIFEST: config.kubeVip, ...(config.kubeVipInit ? { KUBE_VIP_INIT_MANIFEST: config.kubeVipInit } : {}) },
            dependsOn: afterExisting(node),
            artifacts: ctx.artifacts,
            artifactPath: `nodes/${name}/endpoint-kube-vip.env`,
          },
          { parent },
        ),
      );
    } else if (config.haproxy !== undefined && config.keepalived !== undefined && vrrpPassword) {
      ctx.artifacts.add("haproxy", `haproxy/${name}.cfg`, config.haproxy);
      ctx.artifacts.add("keepalived", `keepalived/${name}.conf`, config.keepalived);
      steps.set(
        name,
        nodeStep(
          `${name}-endpoint`,
          {
            node,
            bundle: endpointBundle("keepalived-haproxy"),
            commandLine,
            env: {
              NODE_NAME: name,
              HAPROXY_CONFIG: config.haproxy,
              KEEPALIVED_CONFIG: config.keepalived,
              CHECK_SCRIPT: checkApiserverScript(),
              SCRIPT_USER: DEFAULT_SCRIPT_USER,
            },
            secretEnv: { [KEEPALIVED_AUTH_PASS_ENV]: vrrpPassword.result },
            dependsOn: afterExisting(node),
            artifacts: ctx.artifacts,
            artifactPath: `nodes/${name}/endpoint-keepalived-haproxy.env`,
          },
          { parent },
        ),
      );
    }
  }
  // The map in the description's order (readers look steps up by name; a listing reads in order).
  const ordered = new Map(args.controlPlanes.flatMap((node) => (steps.has(node.machine.node.name) ? [[node.machine.node.name, steps.get(node.machine.node.name)!] as const] : [])));
  return { steps: ordered, configs };
}
