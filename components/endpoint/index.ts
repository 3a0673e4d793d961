// API endpoint layer: per control plane, the step that makes the VIP work there before kubeadm
// init/join — the kube-vip static Pod, or keepalived + haproxy. An external load balancer needs
// nothing on the nodes (init.sh checks it answers over TCP). Artifacts: kinds "kube-vip",
// "haproxy", "keepalived" per control plane.
import type * as pulumi from "@pulumi/pulumi";
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

export function buildEndpointSteps(args: EndpointStepsArgs): EndpointSteps {
  const { ctx, controlPlanes, parent } = args;
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
            dependsOn: args.dependsOn(node),
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
            dependsOn: args.dependsOn(node),
            artifacts: ctx.artifacts,
            artifactPath: `nodes/${name}/endpoint-keepalived-haproxy.env`,
          },
          { parent },
        ),
      );
    }
  }
  return { steps, configs };
}
