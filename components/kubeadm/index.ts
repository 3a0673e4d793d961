// Control-plane layer: PKI, API endpoint, kubeadm init, serial control-plane joins, parallel
// worker joins, and removal. Contract used by components/cluster.ts. The steps, in order, are in
// steps.ts and joins.ts; control-plane.ts runs them; params.ts computes their parameters.
//
//   <cp>-pki ─▶ <cp>-endpoint ─▶ <cp1>-init ─▶ <cp2>-token ─▶ <cp2>-join ─▶ <cp3>-token ─▶ <cp3>-join ...
//                                     │                           └▶ <cp2>-membership     └▶ <cp3>-membership
//                                     └▶ <worker>-token ─▶ <worker>-join ─▶ <worker>-membership
//                                        (each worker: init + endpoint steps + own token + own prep)
//   after init and every control-plane join: <cp1>-certificates ─▶ <cp2>-certificates ─▶ ...
//   (report when the certificates expire; renew within the window: renewal.ts, renewal-steps.ts)
//   then <cp1>-settings ─▶ <cp2>-settings ─▶ ... (the description's control-plane settings, one
//   control plane at a time; a key rotation's read, write and rewrite steps before them: settings.ts)
//
// Only control planes act with admin rights: <node>-token (bootstrap token valid) and
// <node>-membership (labels/taints; on delete: drain, delete the Node, remove the etcd member by
// name) run on the FIRST control plane with its admin.conf; <node>-join runs on the node with
// the bootstrap token only, and its delete is `kubeadm reset`. Pulumi deletes dependents first:
// membership (on the first control plane), then the node's reset, then its machine. The first
// control plane has neither step: its token is InitConfiguration's, and its removal is the
// cluster's (init's delete resets it; the membership guard refuses removing it otherwise).
// Control-plane removals are checked against the stack's previous membership (membership.ts)
// before anything changes, version changes against the stack's previous version (version-guard.ts).
// A version change is the rolling upgrade of upgrade.ts: <cp>-upgrade steps one at a time after the
// joins, then each worker's -upgrade-drain, -upgrade, -upgrade-uncordon in batches.
export { buildControlPlane, KubeadmControlPlane, type ControlPlane } from "./control-plane";
export { inspectAdoptedCluster, type AdoptedCluster } from "./adoption-steps";
export { refuseUnsafeControlPlaneRemoval, selfStackName } from "./removal-guard";
export { refuseUnsafeVersionChange } from "./version-guard";
export { previousCertificatesOutput } from "./renewal-steps";
export { refuseUnsafeEncryptionChange } from "./encryption-guard";
export {
  BOOTSTRAP_TOKEN_TTL_SECONDS,
  DISCOVERY_FALLBACK_KUBECONFIG_PATH,
  initConfigOf,
  joinConfigOf,
  joinParametersOf,
  kubeadmNodeParams,
  kubeletExtraArgsOf,
  nodeLabelsParam,
  nodeTaintsParam,
} from "./params";
