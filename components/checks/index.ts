// Checklists for the site, rendered as artifacts, and the executable acceptance checks `pulumi up`
// runs after the add-ons (steps.ts).
import * as pulumi from "@pulumi/pulumi";
import type { ClusterContext } from "../context";
import type { ControlPlane } from "../kubeadm";
import { runAcceptanceChecks, type AcceptanceReport } from "./steps";
import { acceptanceChecklist, mtuChecklist, nsxFirewallRules, onNsxSegment, spoofGuardAllowList } from "./checklists";

export function renderChecklists(ctx: ClusterContext): void {
  const { spec, artifacts } = ctx;
  artifacts.add("checklist", "checks/acceptance.md", acceptanceChecklist(spec));
  artifacts.add("checklist", "checks/mtu-checklist.md", mtuChecklist(spec));
  if (onNsxSegment(spec)) {
    artifacts.add("checklist", "checks/nsx-dfw-rules.md", nsxFirewallRules(spec));
    artifacts.add("checklist", "checks/spoofguard-allow-list.md", spoofGuardAllowList(spec));
  }
}

/** The acceptance checks' component and steps; its report is the stack output `acceptance`. */
class AcceptanceChecks extends pulumi.ComponentResource {
  readonly report: AcceptanceReport;
  constructor(name: string, ctx: ClusterContext, controlPlane: ControlPlane, after: pulumi.Resource[], opts: pulumi.ComponentResourceOptions) {
    super("onprem-k8s:checks:Acceptance", name, {}, opts);
    this.report = runAcceptanceChecks(ctx, controlPlane, after, this);
    this.registerOutputs({ checks: this.report.checks });
  }
}

export function acceptanceChecks(ctx: ClusterContext, controlPlane: ControlPlane, after: pulumi.Resource[], opts: pulumi.ComponentResourceOptions): AcceptanceReport {
  return new AcceptanceChecks(`${ctx.spec.name}-acceptance`, ctx, controlPlane, after, opts).report;
}
