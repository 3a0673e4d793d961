// Restore runbooks for etcd, rendered from the description so every command names the real hosts,
// addresses, store and paths: the whole cluster from a snapshot, and one lost control plane. Each
// runbook is data (steps of commands, each run on one host as root, or on the machine running
// Pulumi) and its Markdown; the day-2 journey runs the very same commands on the lab.
import type { ClusterSpec, NodeSpec } from "../../../stacks/spec";
import { CONTAINERD_CRI_SOCKET } from "../../kubeadm/config";
import { etcdSnapshotTargetOf } from "./plan";
import type { EtcdSnapshotTarget } from "./cronjob";

export interface RunbookStep {
  title: string;
  /** Where the commands run: a node (as root, over SSH), or the machine running Pulumi. */
  on: { node: string; address: string } | "operator";
  /** One bash script; `SNAPSHOT` (the key or file name chosen in the first step) is in its environment. */
  commands: string[];
  note?: string;
}

export interface Runbook {
  title: string;
  intro: string[];
  steps: RunbookStep[];
}

const PKI = "/etc/kubernetes/pki/etcd";
const MANIFESTS = "/etc/kubernetes/manifests";
/** Where the static Pod manifests wait while etcd's data is swapped. */
export const RESTORE_HOLD_DIR = "/etc/kubernetes/restore-hold";
/** Inside etcd's data directory, so the etcd container (kubeadm mounts /var/lib/etcd) sees the files too. */
export const RESTORE_DIR = "/var/lib/etcd/restore";
/** Where the S3 key goes on a control plane for the restore: a curl config (`user = "<id>:<secret>"`). */
export const RESTORE_CURL_CONFIG = "/root/etcd-snapshot-s3.curl";
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const CONTROL_PLANE_PODS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"];

const crictl = `crictl --runtime-endpoint ${CONTAINERD_CRI_SOCKET}`;
const etcdContainer = `ETCD=$(${crictl} ps --name '^etcd$' --state running --quiet | head -n 1)`;
const etcdctl = (endpoints: string) => `${crictl} exec "$ETCD" etcdctl --endpoints=${endpoints} --cacert=${PKI}/ca.crt --cert=${PKI}/healthcheck-client.crt --key=${PKI}/healthcheck-client.key`;
const on = (node: NodeSpec) => ({ node: node.name, address: node.address });
const admin = "kubectl --kubeconfig /etc/kubernetes/admin.conf";

function s3Request(target: Extract<EtcdSnapshotTarget, { type: "s3" }>, pathAndQuery: string, extra: string): string {
  return `curl --silent --show-error --fail-with-body --config ${RESTORE_CURL_CONFIG} --aws-sigv4 'aws:amz:${target.region}:s3' -H 'x-amz-content-sha256: ${EMPTY_SHA256}' ${extra}"${target.url}/${target.bucket}${pathAndQuery}"`;
}

/** How the snapshots are listed (newest last), and how one gets to RESTORE_DIR/snapshot.db on a control plane. */
function fetchCommands(spec: ClusterSpec, target: EtcdSnapshotTarget): { list: RunbookStep; fetch: (node: NodeSpec) => string[] } {
  const first = spec.controlPlanes[0]!;
  const snapshotNames = "grep -oE 'etcd-snapshot-[0-9]{8}T[0-9]{6}Z-[A-Za-z0-9.-]+\\.db' | sort -u";
  switch (target.type) {
    case "s3": {
      const prefix = encodeURIComponent(`${target.prefix}/etcd-snapshot-`);
      return {
        list: {
          title: `List the snapshots in ${target.url}/${target.bucket}/${target.prefix}/ and choose one (the newest is last)`,
          on: on(first),
          commands: [`${s3Request(target, `?list-type=2&prefix=${prefix}`, "")} | ${snapshotNames}`],
          note: `Each control plane needs the store's key for the restore: write ${RESTORE_CURL_CONFIG} (mode 600) on each with the line user = "<aws_access_key_id>:<aws_secret_access_key>" from the file behind the secret etcdSnapshotS3Credentials. Then set SNAPSHOT to the chosen name on every control plane: export SNAPSHOT=etcd-snapshot-<time>-<host>.db`,
        },
        fetch: () => [`install -d -m 700 ${RESTORE_DIR}`, s3Request(target, `/${target.prefix}/$SNAPSHOT`, `--output ${RESTORE_DIR}/snapshot.db `)],
      };
    }
    case "nfs": {
      const mount = `/mnt/etcd-snapshots`;
      const source = `${target.server}:${target.path}`;
      return {
        list: {
          title: `List the snapshots on ${source}/${target.prefix}/ and choose one (the newest is last)`,
          on: on(first),
          commands: [`install -d ${mount}`, `mountpoint -q ${mount} || mount -t nfs -o ro ${source} ${mount}`, `ls -1 ${mount}/${target.prefix}/ | ${snapshotNames}`, `umount ${mount}`],
          note: "Then set SNAPSHOT to the chosen name on every control plane: export SNAPSHOT=etcd-snapshot-<time>-<host>.db",
        },
        fetch: () => [
          `install -d -m 700 ${RESTORE_DIR} ${mount}`,
          `mountpoint -q ${mount} || mount -t nfs -o ro ${source} ${mount}`,
          `cp ${mount}/${target.prefix}/"$SNAPSHOT" ${RESTORE_DIR}/snapshot.db`,
          `umount ${mount}`,
        ],
      };
    }
    case "node":
      return {
        list: {
          title: `List the snapshots kept on the control planes (${target.dir}) and choose one (the newest is last)`,
          on: "operator",
          commands: spec.controlPlanes.map((cp) => `ssh ${spec.ssh.user}@${cp.address} sudo ls -1 ${target.dir}/ | sed 's/^/${cp.name}: /'`),
          note: "The snapshots stay on the control plane that took them (no s3 or nfs target): copy the chosen one to every control plane's same path first. Then set SNAPSHOT to its name on every control plane.",
        },
        fetch: () => [`install -d -m 700 ${RESTORE_DIR}`, `cp ${target.dir}/"$SNAPSHOT" ${RESTORE_DIR}/snapshot.db`],
      };
  }
}

/** The whole cluster back to a snapshot: every control plane's etcd restored from the same file, then everything restarted. */
export function clusterRestoreRunbook(spec: ClusterSpec): Runbook {
  const target = etcdSnapshotTargetOf(spec);
  const { list, fetch } = fetchCommands(spec, target);
  const cps = spec.controlPlanes;
  const initialCluster = cps.map((cp) => `${cp.name}=https://${cp.address}:2380`).join(",");
  const manifests = CONTROL_PLANE_PODS.map((p) => `${p}.yaml`);
  const api = `https://${spec.apiEndpoint.host}:${spec.apiEndpoint.port}`;
  const steps: RunbookStep[] = [list];
  for (const cp of cps) {
    steps.push({
      title: `${cp.name}: fetch the snapshot, check it, and restore it into a new data directory (etcd keeps running meanwhile)`,
      on: on(cp),
      commands: [
        ...fetch(cp),
        etcdContainer,
        `${crictl} exec "$ETCD" etcdutl snapshot status ${RESTORE_DIR}/snapshot.db --write-out=table`,
        `rm -rf ${RESTORE_DIR}/data`,
        // A revision far above the old one, marked compacted: watchers (the apiservers' caches, controllers) start over instead of missing changes.
        `${crictl} exec "$ETCD" etcdutl snapshot restore ${RESTORE_DIR}/snapshot.db --name ${cp.name} --initial-cluster ${initialCluster} --initial-advertise-peer-urls https://${cp.address}:2380 --data-dir ${RESTORE_DIR}/data --bump-revision 1000000000 --mark-compacted`,
      ],
      note: "Without a running etcd container (crash-looping), run etcdutl from the same image: ctr -n k8s.io run --rm --mount type=bind,src=/var/lib/etcd,dst=/var/lib/etcd,options=rbind:rw <the etcd image of /etc/kubernetes/manifests/etcd.yaml> etcdutl etcdutl snapshot restore ...",
    });
  }
  for (const cp of cps) {
    steps.push({
      title: `${cp.name}: stop etcd and the control-plane Pods (on every control plane before any starts again)`,
      on: on(cp),
      commands: [
        `install -d ${RESTORE_HOLD_DIR}`,
        `for f in ${manifests.join(" ")}; do if [ -f ${MANIFESTS}/$f ]; then mv ${MANIFESTS}/$f ${RESTORE_HOLD_DIR}/$f; fi; done`,
        `for i in $(seq 1 60); do [ -z "$(${crictl} ps --quiet --name '^(${CONTROL_PLANE_PODS.join("|")})$')" ] && break; sleep 2; done`,
        `[ -z "$(${crictl} ps --quiet --name '^(${CONTROL_PLANE_PODS.join("|")})$')" ]`,
      ],
    });
  }
  for (const cp of cps) {
    steps.push({
      title: `${cp.name}: swap in the restored data (the old data stays in /var/lib/etcd/member.before-restore) and start etcd`,
      on: on(cp),
      commands: [
        `test -d ${RESTORE_DIR}/data/member`,
        `rm -rf /var/lib/etcd/member.before-restore`,
        `if [ -d /var/lib/etcd/member ]; then mv /var/lib/etcd/member /var/lib/etcd/member.before-restore; fi`,
        `mv ${RESTORE_DIR}/data/member /var/lib/etcd/member`,
        `mv ${RESTORE_HOLD_DIR}/etcd.yaml ${MANIFESTS}/etcd.yaml`,
      ],
    });
  }
  const first = cps[0]!;
  steps.push({
    title: `${first.name}: wait until every member is healthy`,
    on: on(first),
    commands: [
      `for i in $(seq 1 90); do ${etcdContainer}; [ -n "$ETCD" ] && ${etcdctl("https://127.0.0.1:2379")} endpoint health --cluster && break; sleep 2; done`,
      etcdContainer,
      `${etcdctl("https://127.0.0.1:2379")} endpoint health --cluster`,
      `${etcdctl("https://127.0.0.1:2379")} member list --write-out=table`,
    ],
  });
  for (const cp of cps) {
    steps.push({
      title: `${cp.name}: start the apiserver, controller-manager and scheduler again`,
      on: on(cp),
      commands: [
        `for f in ${manifests.filter((m) => m !== "etcd.yaml").join(" ")}; do if [ -f ${RESTORE_HOLD_DIR}/$f ]; then mv ${RESTORE_HOLD_DIR}/$f ${MANIFESTS}/$f; fi; done`,
        `for i in $(seq 1 90); do curl --silent --insecure --max-time 5 https://${cp.address}:6443/readyz | grep -qx ok && break; sleep 2; done`,
        `curl --silent --show-error --insecure --max-time 5 https://${cp.address}:6443/readyz`,
      ],
    });
  }
  for (const node of spec.nodes) {
    steps.push({ title: `${node.name}: restart kubelet (it re-registers against the restored state)`, on: on(node), commands: ["systemctl restart kubelet"] });
  }
  steps.push({
    title: `${first.name}: check through the endpoint ${api}: every node Ready`,
    on: on(first),
    commands: [
      `for i in $(seq 1 90); do [ "$(${admin} get nodes --no-headers | awk '$2 == "Ready"' | wc -l)" -eq ${spec.nodes.length} ] && break; sleep 2; done`,
      `${admin} get nodes -o wide`,
      `[ "$(${admin} get nodes --no-headers | awk '$2 == "Ready"' | wc -l)" -eq ${spec.nodes.length} ]`,
    ],
  });
  return {
    title: `Restore the whole cluster ${spec.name} from an etcd snapshot`,
    intro: [
      `Everything the cluster stored goes back to the snapshot's time: objects made since are gone, deleted ones come back. Use it when etcd lost quorum for good or its data is wrong; for one lost control plane see restore-control-plane.md.`,
      `Run each step as root on the host it names (ssh ${spec.ssh.user}@<address>, then sudo -i), in order; steps for each control plane may run side by side, but every control plane finishes one stage before the next stage starts anywhere.`,
      `Control planes: ${cps.map((cp) => `${cp.name} (${cp.address})`).join(", ")}. Snapshots: ${describeTarget(target)}.`,
    ],
    steps,
  };
}

/** One lost control plane: its Node and etcd member removed from a healthy one, then the program builds it again. */
export function controlPlaneRestoreRunbooks(spec: ClusterSpec): Runbook[] {
  const cps = spec.controlPlanes;
  return cps.map((lost) => {
    const healthy = cps.find((cp) => cp.name !== lost.name);
    const intro = [
      `${lost.name} (${lost.address}) is gone (a dead disk, a deleted machine) while the others keep etcd's quorum (${Math.floor(cps.length / 2) + 1} of ${cps.length} members).`,
    ];
    if (!healthy) {
      return { title: `Restore control plane ${lost.name}`, intro: [...intro, "It is the only control plane: there is no quorum to keep. Restore the whole cluster instead (restore-cluster-from-snapshot.md)."], steps: [] };
    }
    const steps: RunbookStep[] = [
      {
        title: `${healthy.name}: remove ${lost.name}'s Node and etcd member (etcd keeps a dead member in its quorum until then)`,
        on: on(healthy),
        commands: [
          `${admin} delete node ${lost.name} --ignore-not-found`,
          etcdContainer,
          `ID=$(${etcdctl("https://127.0.0.1:2379")} member list | awk -F', ' '$3 == "${lost.name}" {print $1}')`,
          `if [ -n "$ID" ]; then ${etcdctl("https://127.0.0.1:2379")} member remove "$ID"; fi`,
          `${etcdctl("https://127.0.0.1:2379")} member list --write-out=table`,
        ],
      },
      {
        title: `${lost.name}: if the host still exists, clear what kubeadm left there`,
        on: on(lost),
        commands: ["kubeadm reset --force", "rm -rf /var/lib/etcd /etc/kubernetes/pki /etc/cni/net.d"],
        note: "Skip this where the machine itself is new or reinstalled.",
      },
      {
        title: `Build ${lost.name} again with the program`,
        on: "operator",
        commands:
          lost.name === cps[0]!.name
            ? [`pulumi up --replace "$(pulumi stack --show-urns | grep -oE 'urn:pulumi:[^ ]*::${lost.name}-init$')"`]
            : [`pulumi up --replace "$(pulumi stack --show-urns | grep -oE 'urn:pulumi:[^ ]*::${lost.name}-join$')"`],
        note:
          lost.name === cps[0]!.name
            ? `${lost.name} is the first control plane, the one kubeadm init ran on: its step initialises a new cluster, so it is rebuilt by the whole-cluster restore (restore-cluster-from-snapshot.md) rather than replaced alone.`
            : `A machine the program made (vSphere, Proxmox) is made again by \`pulumi up --replace\` on its machine instead; its node preparation and join follow. ${lost.name} joins as a new etcd member with its old name and address.`,
      },
      {
        title: `${healthy.name}: check ${lost.name} is back`,
        on: on(healthy),
        commands: [`${admin} get node ${lost.name}`, etcdContainer, `${etcdctl("https://127.0.0.1:2379")} endpoint health --cluster`],
      },
    ];
    return { title: `Restore control plane ${lost.name} (${lost.address})`, intro, steps };
  });
}

export function describeTarget(target: EtcdSnapshotTarget): string {
  if (target.type === "s3") return `${target.url}/${target.bucket}/${target.prefix}/ (S3, region ${target.region})`;
  if (target.type === "nfs") return `${target.server}:${target.path}/${target.prefix}/ (NFS)`;
  return `${target.dir} on the control plane that took each one (no off-node target)`;
}

export function runbookMarkdown(runbook: Runbook): string {
  const lines = [`# ${runbook.title}`, "", ...runbook.intro.flatMap((p) => [p, ""])];
  runbook.steps.forEach((step, i) => {
    const where = step.on === "operator" ? "on the machine running Pulumi" : `on ${step.on.node} (${step.on.address}), as root`;
    lines.push(`## ${i + 1}. ${step.title}`, "", `Run ${where}:`, "", "```sh", ...step.commands, "```", "");
    if (step.note) lines.push(step.note, "");
  });
  return lines.join("\n");
}
