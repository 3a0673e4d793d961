// Checklists for the site, rendered as artifacts; the executable acceptance checks join them here.
import type { ClusterContext } from "../context";
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
