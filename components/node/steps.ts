// A script step about one prepared node (components/remote/script-step.ts), for the layers above
// that run their bundles on nodes (endpoint, kubeadm).
import type * as pulumi from "@pulumi/pulumi";
import type { remote } from "@pulumi/command";
import { scriptStep, type ScriptStepArgs } from "../remote/script-step";
import type { PreparedNode } from "./index";

export interface NodeStepArgs extends Omit<ScriptStepArgs, "host" | "triggers"> {
  /** More reasons to run again, beyond a replaced machine (the upgrade steps: the target version). */
  triggers?: pulumi.Input<unknown>[];
  /** The node the step is about: a replacement of its machine runs the step again. */
  node: PreparedNode;
  /**
   * Where the step runs when that is not `node` itself: token and membership steps run on the
   * first control plane, which holds admin.conf, so no other host ever gets admin credentials.
   */
  runOn?: PreparedNode;
}

export function nodeStep(name: string, args: NodeStepArgs, opts: { parent: pulumi.Resource }): remote.Command {
  const { node, runOn, triggers = [], ...step } = args;
  const host = (runOn ?? node).machine;
  return scriptStep(
    name,
    {
      ...step,
      host: { name: host.node.name, connection: host.connection },
      // A replaced machine is a new host: the step runs again for it (its old membership, on the
      // first control plane, is removed first by name).
      triggers: [node.machine.platformId, ...triggers],
    },
    opts,
  );
}
