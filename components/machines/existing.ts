// Hosts that already exist (bare metal, VMs made elsewhere): nothing is created, they are only
// described in the same shape as created machines.
import * as pulumi from "@pulumi/pulumi";
import type { ClusterContext } from "../context";
import { sshConnection, type Machine } from "./types";

export class ExistingHosts extends pulumi.ComponentResource {
  readonly machines: Machine[];

  constructor(name: string, ctx: ClusterContext, opts?: pulumi.ComponentResourceOptions) {
    super("onprem-k8s:machines:ExistingHosts", name, {}, opts);
    const { spec, secrets } = ctx;
    this.machines = spec.nodes.map((node) => ({
      node,
      connection: sshConnection(node, spec.ssh.user, spec.ssh.port, secrets.sshPrivateKey),
      platformId: pulumi.output(node.address),
    }));
    this.registerOutputs({ addresses: spec.nodes.map((node) => node.address) });
  }
}
