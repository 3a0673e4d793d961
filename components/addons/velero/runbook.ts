// Restoring one namespace from Velero's scheduled whole-cluster backups, rendered from the
// description (the schedule the chart creates, the namespace Velero runs in, its store).
import type { ClusterSpec } from "../../../stacks/spec";
import type { Runbook } from "../etcd-snapshots/runbooks";
import { VELERO_NAMESPACE } from "../plan";

/** The Schedule the chart makes of values.schedules["cluster-daily"]: "<release fullname>-<key>". */
export const VELERO_SCHEDULE = "velero-cluster-daily";

export function veleroNamespaceRunbook(spec: ClusterSpec): Runbook | undefined {
  const velero = spec.addons.backups.velero;
  if (!velero?.enabled) return undefined;
  const cli = `velero --namespace ${VELERO_NAMESPACE}`;
  return {
    title: `Restore a namespace of ${spec.name} from Velero`,
    intro: [
      `Velero backs up the whole cluster on the schedule ${VELERO_SCHEDULE} (${velero.schedule}) to ${velero.s3Url}/${velero.bucket}/${spec.name}/, volumes by file system backup. A namespace is restored from the newest completed backup of that schedule; objects that still exist are left as they are, so delete a broken namespace first to get it back whole.`,
      `Run on the machine running Pulumi, with the velero CLI (the release's version) and the admin kubeconfig: pulumi stack output kubeconfig --show-secrets > kubeconfig; export KUBECONFIG=$PWD/kubeconfig. Set NAMESPACE to the namespace to restore.`,
    ],
    steps: [
      {
        title: "See the backups of the schedule (the newest first) and that the store is available",
        on: "operator",
        commands: [`${cli} backup-location get`, `${cli} backup get --selector velero.io/schedule-name=${VELERO_SCHEDULE}`],
      },
      {
        title: "Restore the namespace from the newest completed backup and wait for it",
        on: "operator",
        commands: [
          `RESTORE="$NAMESPACE-$(date -u +%Y%m%d%H%M%S)"`,
          `${cli} restore create "$RESTORE" --from-schedule ${VELERO_SCHEDULE} --include-namespaces "$NAMESPACE" --wait`,
          `${cli} restore describe "$RESTORE" --details`,
          `kubectl get all,pvc --namespace "$NAMESPACE"`,
        ],
        note: `To restore beside the original instead, add --namespace-mappings "$NAMESPACE:$NAMESPACE-restored".`,
      },
    ],
  };
}
