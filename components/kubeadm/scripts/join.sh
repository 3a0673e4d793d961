#!/usr/bin/env bash
# kubeadm join of a control plane (one at a time: after the previous control plane's apiserver
# and etcd member are healthy) or a worker (in parallel). Before joining: the endpoint must
# answer (seed 000, T-038), the bootstrap token is made valid (a node added months later needs
# no manual step), a half-initialised node stops or is reset (T-034). The join itself is retried
# with backoff, resetting the node between attempts. KUBEADM_ACTION=delete runs the removal.
#
# Parameters (environment):
#   NODE_NAME, NODE_ADDRESS, JOIN_ROLE (control-plane | worker)          required
#   API_ENDPOINT_HOST, API_ENDPOINT_PORT, CONTROL_PLANE_ADDRESSES
#   KUBEADM_CONFIG                      rendered JoinConfiguration (token as ${KUBEADM_TOKEN})
#   PREVIOUS_CONTROL_PLANE, PREVIOUS_CONTROL_PLANE_ADDRESS   control planes: must be healthy first
#   NODE_LABELS                         optional; newline-separated key=value, set through the API
#                                       (kubelets may not set node-role.kubernetes.io/* labels)
#   JOIN_ATTEMPTS (default 3), BOOTSTRAP_TOKEN_TTL_SECONDS (default 7200)
#   RESET_STALE_STATE, APISERVER_PORT, CRI_SOCKET, KUBEADM_ACTION (create | delete)
#   REMOVE_MODE, DRAIN_POLICY, DRAIN_TIMEOUT_SECONDS (delete, see remove.sh)
# Secrets: KUBEADM_TOKEN, ADMIN_KUBECONFIG
set -euo pipefail
# shellcheck source=../../node/scripts/lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/../../node/scripts/lib.sh"
# shellcheck source=lib.sh
[[ "$(type -t kubeadm_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=remove.sh
[[ "$(type -t remove_node)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/remove.sh"

already_joined() {
  [[ -f "$KUBELET_CONF" ]] || return 1
  node_registered "$NODE_NAME" || return 1
  [[ "$JOIN_ROLE" == worker ]] || local_apiserver_ready
}

JOIN_CONFIG=""

join_attempt() {
  if logged kubeadm join --config "$JOIN_CONFIG"; then return 0; fi
  echo "kubeadm join failed on $NODE_NAME; last lines of its output:"
  tail -n 15 "$KUBEADM_LOG"
  # A failed control-plane join may have added an etcd member: reset removes it again.
  reset_preserving_cluster_identity
  return 1
}

run_kubeadm_join() {
  step "kubeadm join ($JOIN_ROLE)"
  JOIN_CONFIG=$(mktemp /run/onprem-k8s-kubeadm.XXXXXX)
  KUBEADM_TMP_FILES+=("$JOIN_CONFIG")
  render_kubeadm_config "$JOIN_CONFIG"
  retry_backoff "${JOIN_ATTEMPTS:-3}" 10 60 join_attempt ||
    die "kubeadm join of $NODE_NAME failed ${JOIN_ATTEMPTS:-3} times"
  changed "$NODE_NAME joined as $JOIN_ROLE"
}

label_node() {
  [[ -n "${NODE_LABELS:-}" ]] || return 0
  step "labels of $NODE_NAME"
  local label key current
  while IFS= read -r label; do
    [[ -n "$label" ]] || continue
    key="${label%%=*}"
    current=$(kube get node "$NODE_NAME" -o "go-template={{index .metadata.labels \"$key\"}}" 2>/dev/null || true)
    if [[ "$key=$current" == "$label" ]]; then
      ok "label $label"
    else
      logged kube label node "$NODE_NAME" "$label" --overwrite
      changed "label $label on $NODE_NAME"
    fi
  done <<<"$NODE_LABELS"
}

join_node() {
  kubeadm_begin join
  require_env NODE_NAME NODE_ADDRESS JOIN_ROLE API_ENDPOINT_HOST API_ENDPOINT_PORT KUBEADM_CONFIG KUBEADM_TOKEN
  case "$JOIN_ROLE" in
    control-plane) require_env PREVIOUS_CONTROL_PLANE PREVIOUS_CONTROL_PLANE_ADDRESS ;;
    worker) ;;
    *) die "JOIN_ROLE must be control-plane or worker, got '$JOIN_ROLE'" ;;
  esac
  ensure_tools
  use_admin_kubeconfig
  wait_endpoint
  step "node state"
  if already_joined; then
    ok "$NODE_NAME has already joined"
  else
    [[ "$(node_kubeadm_state)" == none ]] || handle_stale_state "$JOIN_ROLE"
    ensure_bootstrap_token
    if [[ "$JOIN_ROLE" == control-plane ]]; then
      wait_control_plane_healthy "$PREVIOUS_CONTROL_PLANE" "$PREVIOUS_CONTROL_PLANE_ADDRESS"
    fi
    run_kubeadm_join
  fi
  if [[ "$JOIN_ROLE" == control-plane ]]; then
    wait_control_plane_healthy "$NODE_NAME" "$NODE_ADDRESS"
  fi
  label_node
  nodeprep_end
}

main() {
  case "${KUBEADM_ACTION:-create}" in
    create) join_node ;;
    delete) remove_node ;;
    *) echo "KUBEADM_ACTION must be create or delete, got '${KUBEADM_ACTION}'" >&2; exit 2 ;;
  esac
}

main "$@"
