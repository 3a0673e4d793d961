// The upgrade section of summary.md: when the plan is told which version the cluster runs now
// (`npm run plan -- <stack> --from-version x.y.z`) and the description names another, the rolling
// upgrade `pulumi up` would run (components/kubeadm/upgrade.ts), as a readable ordered list.
import { PINNED_CHARTS, type ChartId } from "../../components/addons/charts";
import { UPGRADE_DRAIN_TIMEOUT_SECONDS } from "../../components/kubeadm/upgrade";
import { kubernetesRepoUrl } from "../../components/node/params";
import { PACKAGE_FAMILY } from "../../components/node/parts";
import type { ClusterSpec } from "../../stacks/spec";
import { compareVersions, minorOf } from "../../stacks/upgrade";
import type { RecordedResource } from "./monitor";

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** The section's lines; none without a version change. */
export function upgradeMarkdown(spec: ClusterSpec, resources: RecordedResource[], fromVersion: string | undefined): string[] {
  const to = spec.kubernetes.version;
  if (fromVersion === undefined || compareVersions(fromVersion, to) === 0) return [];
  const target = `v${to}`;
  const [first, ...others] = spec.controlPlanes;
  const lines = [
    `## Upgrade ${fromVersion} → ${to}`,
    "",
    "`pulumi preview` shows these steps, and `pulumi up` runs them in this order; each first reads its node's version and does nothing where the node already runs " +
      `${target}, so a run that stopped resumes where it stopped. The nodes' packages, init and join steps keep the version they were installed at (docs/upgrades.md).`,
    "",
  ];
  if (minorOf(fromVersion) !== minorOf(to)) {
    lines.push(`The package repository moves from ${minorOf(fromVersion)} to ${kubernetesRepoUrl(PACKAGE_FAMILY[spec.os.family], to, spec.kubernetes.packageRepository)} on each node as it is upgraded.`, "");
  }
  const packages = `kubelet and kubectl ${to}, kubelet restarted`;
  let n = 0;
  if (first) {
    lines.push(
      `${++n}. ${first.name} (\`${first.name}-upgrade\`): kubeadm ${to}, \`kubeadm upgrade plan ${target}\`, \`kubeadm upgrade apply ${target} --yes\`, ${packages}; waits until its apiserver answers /readyz, the Node is Ready at ${target} and every etcd member is healthy`,
    );
  }
  for (const cp of others) lines.push(`${++n}. ${cp.name} (\`${cp.name}-upgrade\`): kubeadm ${to}, \`kubeadm upgrade node\`, ${packages}; the same waits`);
  const lastControlPlane = n;
  const size = spec.kubernetes.upgrade.workerBatchSize;
  const batches = Math.ceil(spec.workers.length / size);
  for (let b = 0; b < batches; b++) {
    const workers = spec.workers.slice(b * size, (b + 1) * size).map((w) => w.name);
    lines.push(
      `${++n}. workers, batch ${b + 1} of ${batches} (${size} at a time): ${workers.join(", ")}: cordon and drain from ${first?.name} (evictions, PodDisruptionBudgets respected, at most ${UPGRADE_DRAIN_TIMEOUT_SECONDS} s; a blocking pod stops the upgrade by name), kubeadm ${to}, \`kubeadm upgrade node\`, ${packages}, uncordon once Ready at ${target}`,
    );
  }
  const releases = new Set(resources.filter((r) => r.type === HELM_RELEASE).map((r) => r.name));
  const following = (Object.keys(PINNED_CHARTS) as ChartId[]).filter((id) => PINNED_CHARTS[id].followsKubernetesMinor && releases.has(id));
  lines.push("");
  if (following.length > 0) {
    lines.push(`Add-ons whose release line follows the Kubernetes minor move after the control planes (after step ${lastControlPlane}): ${following.join(", ")}.`, "");
  }
  return lines;
}
