// Backups: where etcd snapshots go, and what the control planes need to send them there.
import type { Problem, Rule } from "./common";
import { error, warning } from "./common";

/** OS releases whose packaged curl predates --aws-sigv4 (curl 7.75): RHEL 8 ships 7.61.1. */
const CURL_WITHOUT_SIGV4: Record<string, string[]> = { rhel: ["8"] };

export const backupsRules: Rule[] = [
  {
    uses: ["addons.backups", "os"],
    check(c) {
      const snapshots = c.addons.backups.etcdSnapshots;
      if (!snapshots) return [];
      const path = "addons.backups.etcdSnapshots";
      const problems: Problem[] = [];
      if (snapshots.s3 && snapshots.nfs) {
        problems.push(error(path, { s3: snapshots.s3, nfs: snapshots.nfs }, "both s3 and nfs are set, but the snapshots go to one target", `keep one of cluster.${path}.s3 and .nfs`));
      }
      if (!snapshots.enabled) {
        if (snapshots.s3 || snapshots.nfs) problems.push(warning(`${path}.enabled`, false, "snapshots are disabled, so the target is ignored", `set cluster.${path}.enabled: true, or remove the target`));
        return problems;
      }
      if (!snapshots.s3 && !snapshots.nfs) {
        problems.push(
          warning(
            path,
            snapshots,
            "the snapshots stay on the control plane that took them: a lost control plane takes them with it, and a whole-cluster restore has none to start from",
            `set cluster.${path}.s3 (url, bucket; the secret etcdSnapshotS3Credentials) or .nfs (server, path)`,
          ),
        );
      }
      if (snapshots.s3 && CURL_WITHOUT_SIGV4[c.os.family]?.includes(c.os.version)) {
        problems.push(
          error(
            `${path}.s3`,
            snapshots.s3,
            `the snapshot job uploads with the control plane's curl and --aws-sigv4 (curl 7.75 or newer), but ${c.os.family} ${c.os.version} ships curl 7.61`,
            `write the snapshots to an NFS export (cluster.${path}.nfs) on ${c.os.family} ${c.os.version}`,
          ),
        );
      }
      return problems;
    },
  },
];
