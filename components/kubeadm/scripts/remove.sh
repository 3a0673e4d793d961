#!/usr/bin/env bash
# The node's own part of its removal, run as the `delete` of its init/join command: kubeadm
# reset (and, on control planes, stopping keepalived/haproxy so the VIP moves on). Everything
# that needs admin rights (drain, deleting the Node, removing the etcd member) has already run
# on the first control plane: the node's membership step (membership.sh) depends on its join,
# so Pulumi deletes it first; the machine goes last. Defines functions only: shipped inside the
# init/join bundles (the delete command runs with the same stdin as the create), selected with
# KUBEADM_ACTION=delete.
#
# Parameters (environment):
#   NODE_NAME, JOIN_ROLE (control-plane | worker)
# shellcheck source=../../node/scripts/lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/../../node/scripts/lib.sh"
# shellcheck source=lib.sh
[[ "$(type -t kubeadm_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

stop_endpoint_services() {
  local unit
  for unit in keepalived haproxy; do
    if unit_active "$unit" || unit_enabled "$unit"; then
      systemctl disable --now "$unit" >/dev/null 2>&1 || true
      changed "stopped and disabled $unit (the VIP moves to the remaining control planes)"
    fi
  done
}

reset_node() {
  kubeadm_begin reset
  require_env NODE_NAME JOIN_ROLE
  [[ "$JOIN_ROLE" == control-plane ]] && stop_endpoint_services
  step "kubeadm reset"
  # kubeadm reset empties $PKI_DIR but keeps the directory: an empty one is nothing to reset.
  if [[ "$(STALE_WAIT_SECONDS=0 node_kubeadm_state)" == none && -z "$(ls -A "$PKI_DIR" 2>/dev/null)" ]]; then
    ok "nothing to reset on $NODE_NAME"
  else
    logged kubeadm reset -f --cri-socket "$CRI_SOCKET"
    rm -f "$KUBE_VIP_MANIFEST_PATH"
    changed "kubeadm reset -f on $NODE_NAME"
  fi
  # kubeadm upgrade keeps its backups under tmp (a copy of etcd's data, so every Secret, and the old
  # manifests), and kubeadm reset leaves them: a removed node must not keep the cluster's Secrets.
  if [[ -n "$(ls -A "$UPGRADE_BACKUP_DIR" 2>/dev/null)" ]]; then
    rm -rf "$UPGRADE_BACKUP_DIR"
    changed "removed kubeadm's upgrade backups ($UPGRADE_BACKUP_DIR) on $NODE_NAME"
  fi
  nodeprep_end
}
