#!/usr/bin/env bash
# kubeadm join of a control plane (one at a time: after the previous control plane) or a worker
# (in parallel), run ON the joining node with no admin credential: the bootstrap token has been
# made valid by the node's token step on the first control plane (token.sh), and labels/taints
# are set by its membership step there (membership.sh). Before joining: a half-initialised node
# stops or is reset (seed 000, T-034); the API endpoint must answer /readyz (T-038), or else the
# join falls back to the first control plane's own apiserver (T-039, logged as such). The join
# itself is retried with backoff, resetting the node between attempts. KUBEADM_ACTION=delete
# only resets the node (remove.sh).
#
# Parameters (environment):
#   NODE_NAME, NODE_ADDRESS, JOIN_ROLE (control-plane | worker)          required
#   API_ENDPOINT_HOST, API_ENDPOINT_PORT
#   CONTROL_PLANE_ADDRESSES        the apiservers there before this node (diagnostics probes)
#   KUBEADM_CONFIG                 JoinConfiguration through the API endpoint (token as ${KUBEADM_TOKEN})
#   FALLBACK_API_HOST              the first control plane's address: its apiserver is the fallback
#   KUBEADM_CONFIG_FALLBACK        JoinConfiguration with file discovery of DISCOVERY_KUBECONFIG_PATH
#   DISCOVERY_KUBECONFIG, DISCOVERY_KUBECONFIG_PATH   the discovery file (cluster CA + fallback server)
#   PREVIOUS_CONTROL_PLANE, PREVIOUS_CONTROL_PLANE_ADDRESS   control planes: its apiserver must answer
#   JOIN_ATTEMPTS (default 3), ENDPOINT_ATTEMPTS (default 10), FALLBACK_ATTEMPTS (default 3)
#   RESET_STALE_STATE, APISERVER_PORT, CRI_SOCKET, KUBEADM_ACTION (create | delete)
# Secrets: KUBEADM_TOKEN
set -euo pipefail
# shellcheck source=../../node/scripts/lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/../../node/scripts/lib.sh"
# shellcheck source=lib.sh
[[ "$(type -t kubeadm_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=remove.sh
[[ "$(type -t reset_node)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/remove.sh"

# Joined: a control plane's apiserver answers with admin.conf in place; a worker's kubelet can
# read its own Node with its own credentials (kubelet.conf; the Node authorizer allows that).
already_joined() {
  [[ -f "$KUBELET_CONF" ]] || return 1
  if [[ "$JOIN_ROLE" == control-plane ]]; then
    [[ -f "$ADMIN_CONF" ]] && local_apiserver_ready
  else
    kubectl --kubeconfig "$KUBELET_CONF" --request-timeout=20s get node "$NODE_NAME" --output name >/dev/null 2>&1
  fi
}

JOIN_CONFIG=""
JOIN_CONFIG_SOURCE=KUBEADM_CONFIG

select_join_endpoint() {
  step "API endpoint for the join"
  local choice
  choice=$(join_endpoint_choice) ||
    die "neither the API endpoint $API_ENDPOINT_HOST:$API_ENDPOINT_PORT nor the first control plane's apiserver ${FALLBACK_API_HOST:-(none)}:$APISERVER_PORT answers /readyz from $NODE_NAME (see the probes below)"
  if [[ "$choice" == endpoint ]]; then
    JOIN_CONFIG_SOURCE=KUBEADM_CONFIG
    ok "joining through the API endpoint $API_ENDPOINT_HOST:$API_ENDPOINT_PORT"
    return 0
  fi
  require_env KUBEADM_CONFIG_FALLBACK DISCOVERY_KUBECONFIG DISCOVERY_KUBECONFIG_PATH
  JOIN_CONFIG_SOURCE=KUBEADM_CONFIG_FALLBACK
  KUBEADM_TMP_FILES+=("$DISCOVERY_KUBECONFIG_PATH")
  ensure_file "$DISCOVERY_KUBECONFIG_PATH" 600 "$DISCOVERY_KUBECONFIG"
  note "FALLBACK: the API endpoint $API_ENDPOINT_HOST:$API_ENDPOINT_PORT does not answer /readyz from $NODE_NAME; joining through the first control plane's apiserver $FALLBACK_API_HOST:$APISERVER_PORT instead (controlPlaneEndpoint stays $API_ENDPOINT_HOST:$API_ENDPOINT_PORT)"
  note "FALLBACK: this node's kubelet.conf will point at $FALLBACK_API_HOST:$APISERVER_PORT; fix the endpoint (VIP/load balancer), then set its server back to https://$API_ENDPOINT_HOST:$API_ENDPOINT_PORT and restart kubelet"
}

join_attempt() {
  local from
  from=$(wc -l <"$KUBEADM_LOG")
  if logged kubeadm join --config "$JOIN_CONFIG"; then return 0; fi
  echo "kubeadm join failed on $NODE_NAME; last lines of its output:"
  tail -n 15 "$KUBEADM_LOG"
  # A failed control-plane join may have added an etcd member: reset removes it again.
  reset_preserving_cluster_identity
  # kubeadm refuses a name whose Node is Ready. This node's own Node, from a join interrupted after
  # it registered, stays Ready after the reset until the node-monitor grace period (50 s) passes
  # with no heartbeat; another host of the same name keeps it Ready, and the attempts run out.
  if tail -n +"$((from + 1))" "$KUBEADM_LOG" | grep -q 'status "Ready" already exists in the cluster'; then
    note "a Node named $NODE_NAME is still Ready: if it is this node's own, from an earlier join whose kubelet has just stopped, it turns NotReady within the node-monitor grace period; waiting ${NODE_GRACE_SECONDS:-60}s (if another host has this name, rename one of them)"
    sleep "${NODE_GRACE_SECONDS:-60}"
  fi
  return 1
}

run_kubeadm_join() {
  step "kubeadm join ($JOIN_ROLE)"
  JOIN_CONFIG=$(mktemp /run/onprem-k8s-kubeadm.XXXXXX)
  KUBEADM_TMP_FILES+=("$JOIN_CONFIG")
  render_kubeadm_config "$JOIN_CONFIG" "$JOIN_CONFIG_SOURCE"
  begin_kubeadm_attempt join
  if ! retry_backoff "${JOIN_ATTEMPTS:-3}" 10 60 join_attempt; then
    # Each failed attempt was reset: nothing of it is left for the next run.
    end_kubeadm_attempt
    die "kubeadm join of $NODE_NAME failed ${JOIN_ATTEMPTS:-3} times"
  fi
  end_kubeadm_attempt
  changed "$NODE_NAME joined as $JOIN_ROLE"
}

wait_previous_control_plane() {
  step "previous control plane $PREVIOUS_CONTROL_PLANE answers /readyz"
  retry_backoff "${HEALTH_ATTEMPTS:-12}" 5 30 readyz_ok "$PREVIOUS_CONTROL_PLANE_ADDRESS" "$APISERVER_PORT" ||
    die "the apiserver of $PREVIOUS_CONTROL_PLANE ($PREVIOUS_CONTROL_PLANE_ADDRESS:$APISERVER_PORT) does not answer /readyz from $NODE_NAME: control planes join one at a time"
  ok "$PREVIOUS_CONTROL_PLANE answers"
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
  hold_kubeadm_lock
  step "node state"
  recover_interrupted_attempt join
  if already_joined; then
    ok "$NODE_NAME has already joined"
  else
    [[ "$(node_kubeadm_state)" == none ]] || handle_stale_state "$JOIN_ROLE"
    [[ "$JOIN_ROLE" == control-plane ]] && wait_previous_control_plane
    select_join_endpoint
    run_kubeadm_join
  fi
  if [[ "$JOIN_ROLE" == control-plane ]]; then
    # kubeadm wrote admin.conf here; its own apiserver answers even while the VIP does not.
    use_local_admin_conf "$NODE_ADDRESS"
    wait_control_plane_healthy "$NODE_NAME" "$NODE_ADDRESS"
  fi
  nodeprep_end
}

main() {
  case "${KUBEADM_ACTION:-create}" in
    create) join_node ;;
    delete) reset_node ;;
    *) echo "KUBEADM_ACTION must be create or delete, got '${KUBEADM_ACTION}'" >&2; exit 2 ;;
  esac
}

main "$@"
