#!/usr/bin/env bash
# Removal of a node, run as the `delete` of its init/join command before its machine goes:
# drain, delete the Node from the API, remove its etcd member (control planes), kubeadm reset.
# Defines functions only: shipped inside the init/join bundles (the delete command runs with the
# same stdin as the create), selected with KUBEADM_ACTION=delete.
#
# Parameters (environment):
#   NODE_NAME, JOIN_ROLE (control-plane | worker)
#   REMOVE_MODE            member (default): leave a running cluster; last: the cluster itself goes
#                          (the first control plane at destroy), so only kubeadm reset runs
#   DRAIN_POLICY           strict (default): stop when the drain does not finish; best-effort: go on
#   DRAIN_TIMEOUT_SECONDS  default 300
# Secrets: ADMIN_KUBECONFIG
# shellcheck source=../../node/scripts/lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/../../node/scripts/lib.sh"
# shellcheck source=lib.sh
[[ "$(type -t kubeadm_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

drain_and_delete_node() {
  step "drain $NODE_NAME"
  if ! kube get --raw /readyz >/dev/null 2>&1; then
    note "the API does not answer at $API_ENDPOINT_HOST:$API_ENDPOINT_PORT: drain and Node deletion skipped"
    return 0
  fi
  if ! node_registered "$NODE_NAME"; then
    ok "Node $NODE_NAME is not registered"
    return 0
  fi
  if logged kube drain "$NODE_NAME" --ignore-daemonsets --delete-emptydir-data --timeout="${DRAIN_TIMEOUT_SECONDS:-300}s"; then
    changed "drained $NODE_NAME"
  elif [[ "${DRAIN_POLICY:-strict}" == strict ]]; then
    die "drain of $NODE_NAME did not finish within ${DRAIN_TIMEOUT_SECONDS:-300}s (a PodDisruptionBudget or an unevictable Pod?). Resolve it or drain by hand, then run pulumi up again."
  else
    note "drain of $NODE_NAME did not finish; going on (DRAIN_POLICY=best-effort)"
  fi
  step "delete Node $NODE_NAME"
  logged kube delete node "$NODE_NAME" --wait=true
  changed "deleted Node $NODE_NAME"
}

remove_etcd_member() {
  step "etcd member of $NODE_NAME"
  if [[ ! -f "$MANIFESTS_DIR/etcd.yaml" ]]; then
    ok "no local etcd member"
    return 0
  fi
  logged kubeadm reset phase remove-etcd-member --kubeconfig "$ADMIN_CONF" ||
    die "could not remove the etcd member of $NODE_NAME; check 'etcdctl member list' on another control plane before retrying"
  changed "removed the etcd member of $NODE_NAME"
}

stop_endpoint_services() {
  local unit
  for unit in keepalived haproxy; do
    if unit_active "$unit" || unit_enabled "$unit"; then
      systemctl disable --now "$unit" >/dev/null 2>&1 || true
      changed "stopped and disabled $unit (the VIP moves to the remaining control planes)"
    fi
  done
}

remove_node() {
  kubeadm_begin remove
  require_env NODE_NAME JOIN_ROLE
  ensure_tools
  if [[ "${REMOVE_MODE:-member}" == member ]]; then
    use_admin_kubeconfig
    drain_and_delete_node
    [[ "$JOIN_ROLE" == control-plane ]] && remove_etcd_member
  else
    note "$NODE_NAME is the last control plane: the cluster goes with it, only kubeadm reset runs"
  fi
  [[ "$JOIN_ROLE" == control-plane ]] && stop_endpoint_services
  step "kubeadm reset"
  if [[ "$(node_kubeadm_state)" == none && ! -d "$PKI_DIR" ]]; then
    ok "nothing to reset on $NODE_NAME"
  else
    logged kubeadm reset -f --cri-socket "$CRI_SOCKET"
    rm -f "$KUBE_VIP_MANIFEST_PATH"
    changed "kubeadm reset -f on $NODE_NAME"
  fi
  nodeprep_end
}
