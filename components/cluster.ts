// The Cluster component: wires the layers in dependency order and does nothing else.
import * as pulumi from "@pulumi/pulumi";
import type { ClusterContext } from "./context";
import { createMachines, type Machine } from "./machines";
import { renderChecklists } from "./checks";

export class Cluster extends pulumi.ComponentResource {
  readonly machines: Machine[];
  readonly apiEndpoint: pulumi.Output<string>;

  constructor(name: string, ctx: ClusterContext, opts?: pulumi.ComponentResourceOptions) {
    super("onprem-k8s:index:Cluster", name, {}, opts);
    const { spec } = ctx;
    // Prod profiles protect what they create, so `pulumi destroy -s prod` refuses.
    const childOpts: pulumi.ComponentResourceOptions = { parent: this, protect: spec.protect };

    this.machines = createMachines(ctx, childOpts);
    renderChecklists(ctx);

    this.apiEndpoint = pulumi.output(`https://${spec.apiEndpoint.host}:${spec.apiEndpoint.port}`);
    this.registerOutputs({ apiEndpoint: this.apiEndpoint });
  }
}
