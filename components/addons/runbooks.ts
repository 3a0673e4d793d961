// The restore runbooks as plan artifacts (runbooks/*.md), rendered from the description.
import type { ClusterContext } from "../context";
import { clusterRestoreRunbook, controlPlaneRestoreRunbooks, runbookMarkdown } from "./etcd-snapshots/runbooks";
import { veleroNamespaceRunbook } from "./velero/runbook";

export function renderRestoreRunbooks(ctx: ClusterContext): void {
  const { spec, artifacts } = ctx;
  artifacts.add("runbook", "runbooks/restore-cluster-from-snapshot.md", runbookMarkdown(clusterRestoreRunbook(spec)));
  artifacts.add("runbook", "runbooks/restore-control-plane.md", controlPlaneRestoreRunbooks(spec).map(runbookMarkdown).join("\n"));
  const velero = veleroNamespaceRunbook(spec);
  if (velero) artifacts.add("runbook", "runbooks/restore-namespace-velero.md", runbookMarkdown(velero));
}
