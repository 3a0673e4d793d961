// Chooses the machine layer for the platform; every implementation yields the same Machine list.
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterContext } from "../context";
import { ExistingHosts } from "./existing";
import { ProxmoxMachines } from "./proxmox";
import { VsphereMachines } from "./vsphere";
import type { Machine } from "./types";

export type { Machine } from "./types";

export function createMachines(ctx: ClusterContext, opts: pulumi.ComponentResourceOptions): Machine[] {
  const name = `${ctx.spec.name}-machines`;
  switch (ctx.spec.platform.type) {
    case "existing":
      return new ExistingHosts(name, ctx, opts).machines;
    case "vsphere":
      return new VsphereMachines(name, ctx, opts).machines;
    case "proxmox":
      return new ProxmoxMachines(name, ctx, opts).machines;
  }
}
