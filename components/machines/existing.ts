// Hosts that already exist (bare metal, VMs made elsewhere): nothing is created, they are only
// described in the same shape as created machines, plus the reachable step every machine gets.
import * as pulumi from "@pulumi/pulumi";
import type { ClusterContext } from "../context";
import { reachableStep } from "./reachable";
import { sshConnection } from "../remote/connection";
import type { Machine } from "./types";

export class ExistingHosts extends pulumi.ComponentResource {
  readonly machines: Machine[];

  constructor(name: string, ctx: ClusterContext, opts?: pulumi.ComponentResourceOptions) {
    super("onprem-k8s:machines:ExistingHosts", name, {}, opts);
    const { spec, secrets } = ctx;
    this.machines = spec.nodes.map((node) => {
      const machine = {
        node,
        connection: sshConnection(node, spec.ssh.user, spec.ssh.port, secrets.sshPrivateKey),
        platformId: pulumi.output(node.address),
      };
      return { ...machine, ready: reachableStep(machine, this) };
    });
    this.registerOutputs({ machines: this.machines.map((m) => ({ name: m.node.name, role: m.node.role, address: m.node.address })) });
  }
}
