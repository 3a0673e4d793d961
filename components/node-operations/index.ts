// Day 2, node operations (cluster.nodeOperations, docs/node-operations.md): one step per operation
// and target, `<node>-op-<operation>`, in the description's order, after the cluster is up. Each
// operation's targets go in batches (its strategy); on each batch its parts run in order before the
// next batch starts; the next operation starts after the last batch. A step re-runs only when its
// operation's parameters change or its machine is replaced; a node that becomes a target gets it.
//
//   op 1: [a b c] ─▶ op 2: [a] ─▶ [b] ─▶ [c] ─▶ op 3: [a b] ─▶ [c]
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { remote } from "@pulumi/command";
import { batchesOf, expandOperation, targetNodes } from "../../stacks/node-operations";
import type { ClusterContext } from "../context";
import type { PreparedNode } from "../node";
import { nodeStep } from "../node/steps";
import { contentTrigger, readBundle } from "../remote/bundle";
import { remoteCommandLine } from "../remote/command-line";
import type { ScriptBundle } from "../remote/script-step";
import { operationEnv, operationStepName, runsOnControlPlane } from "./params";

export const OPERATION_SCRIPT = path.join(__dirname, "scripts", "operation.sh");

export function operationBundle(): ScriptBundle {
  return { name: "node-operation", text: readBundle([OPERATION_SCRIPT]) };
}

export class NodeOperations extends pulumi.ComponentResource {
  /** Every step, in the order the description lists the operations. */
  readonly steps: remote.Command[] = [];

  constructor(name: string, ctx: ClusterContext, nodes: PreparedNode[], after: pulumi.Resource[], opts?: pulumi.ComponentResourceOptions) {
    super("onprem-k8s:node:Operations", name, {}, opts);
    const { spec } = ctx;
    const byName = new Map(nodes.map((node) => [node.machine.node.name, node]));
    const prepared = (name: string): PreparedNode => {
      const found = byName.get(name);
      if (!found) throw new Error(`node ${name} has no prepared machine`);
      return found;
    };
    const first = prepared(spec.controlPlanes[0]!.name);
    const bundle = operationBundle();
    const commandLine = remoteCommandLine(spec.ssh.user);
    if (spec.nodeOperations.length > 0) ctx.artifacts.add("script", "scripts/node-operation.sh", bundle.text);
    let previous: pulumi.Resource[] = after;
    for (const operation of spec.nodeOperations) {
      const unit = expandOperation(operation, spec.apiEndpoint);
      for (const batch of batchesOf(targetNodes(operation.targets, spec.nodes), unit.strategy, unit.batchSize)) {
        for (const part of unit.parts) {
          const group = targetNodes(part.targets, batch).map((node) => {
            const env = operationEnv(part, node);
            const stepName = operationStepName(node.name, part.name);
            return nodeStep(
              stepName,
              {
                node: prepared(node.name),
                ...(runsOnControlPlane(part) ? { runOn: first } : {}),
                bundle,
                commandLine,
                env,
                triggers: [contentTrigger(bundle.text, env)],
                dependsOn: previous,
                artifacts: ctx.artifacts,
                artifactPath: `nodes/${node.name}/op-${part.name}.env`,
              },
              { parent: this },
            );
          });
          if (group.length === 0) continue;
          this.steps.push(...group);
          previous = group;
        }
      }
    }
    this.registerOutputs({});
  }
}

/** Step 9 (after the add-ons): the description's node operations, in order. */
export function runNodeOperations(ctx: ClusterContext, nodes: PreparedNode[], after: pulumi.Resource[], opts: pulumi.ComponentResourceOptions): NodeOperations | undefined {
  if (ctx.spec.nodeOperations.length === 0) return undefined;
  return new NodeOperations(`${ctx.spec.name}-node-operations`, ctx, nodes, after, opts);
}
