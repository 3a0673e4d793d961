#!/usr/bin/env bash
# kubeadm init on the first control plane, after the PKI and the API endpoint are in place.
# Skipped when the control plane already runs (its local apiserver answers /readyz and
# admin.conf exists: seed 000, T-031). External load balancers are checked for TCP reachability
# first. After init, kube-vip is switched from super-admin.conf back to admin.conf (kube-vip#684)
# and the endpoint must answer /readyz. KUBEADM_ACTION=delete resets the node (remove.sh): the
# first control plane goes only with the cluster (the membership guard refuses anything else).
#
# Parameters (environment):
#   NODE_NAME, NODE_ADDRESS                 required
#   API_ENDPOINT_HOST, API_ENDPOINT_PORT    the control-plane endpoint
#   ENDPOINT_MODE                           kube-vip | keepalived-haproxy | external
#   CONTROL_PLANE_ADDRESSES                 this control plane's address: the diagnostics probe it
#   KUBEADM_CONFIG                          rendered InitConfiguration (token as ${KUBEADM_TOKEN})
#   KUBE_VIP_MANIFEST                       optional: kube-vip manifest using admin.conf, written after init
#   RESET_STALE_STATE, APISERVER_PORT, CRI_SOCKET, KUBEADM_ACTION (create | delete)
# Secrets: KUBEADM_TOKEN
set -euo pipefail
# shellcheck source=../../node/scripts/lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/../../node/scripts/lib.sh"
# shellcheck source=lib.sh
[[ "$(type -t kubeadm_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=remove.sh
[[ "$(type -t reset_node)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/remove.sh"

check_external_endpoint() {
  [[ "$ENDPOINT_MODE" == external ]] || return 0
  step "external load balancer $API_ENDPOINT_HOST:$API_ENDPOINT_PORT reachable"
  retry_backoff 5 2 10 tcp_open "$API_ENDPOINT_HOST" "$API_ENDPOINT_PORT" ||
    die "the external load balancer $API_ENDPOINT_HOST:$API_ENDPOINT_PORT is not reachable over TCP from $NODE_NAME: check its frontend, the firewall between them and that it forwards to every control plane's :$APISERVER_PORT"
  ok "external load balancer $API_ENDPOINT_HOST:$API_ENDPOINT_PORT accepts TCP connections"
}

run_kubeadm_init() {
  step "kubeadm init"
  local config
  config=$(mktemp /run/onprem-k8s-kubeadm.XXXXXX)
  KUBEADM_TMP_FILES+=("$config")
  render_kubeadm_config "$config"
  begin_kubeadm_attempt init
  # --skip-token-print: the closing join hint would print the bootstrap token.
  if ! logged kubeadm init --config "$config" --skip-token-print; then
    # A failure this run saw and reports: its leftovers stop the next run (handle_stale_state).
    end_kubeadm_attempt
    die "kubeadm init failed on $NODE_NAME"
  fi
  end_kubeadm_attempt
  changed "kubeadm init on $NODE_NAME"
}

switch_kube_vip_to_admin_conf() {
  [[ -n "${KUBE_VIP_MANIFEST:-}" ]] || return 0
  step "kube-vip on admin.conf"
  ensure_file "$KUBE_VIP_MANIFEST_PATH" 600 "$KUBE_VIP_MANIFEST"
  [[ "$FILE_CHANGED" == true ]] || ok "kube-vip already uses admin.conf"
}

init_control_plane() {
  kubeadm_begin init
  require_env NODE_NAME NODE_ADDRESS API_ENDPOINT_HOST API_ENDPOINT_PORT ENDPOINT_MODE KUBEADM_CONFIG KUBEADM_TOKEN
  ensure_tools
  hold_kubeadm_lock
  step "control-plane state"
  recover_interrupted_attempt init
  local state
  state=$(node_kubeadm_state)
  if [[ "$state" == running && -f "$ADMIN_CONF" ]]; then
    ok "control plane already initialised on $NODE_NAME (local apiserver answers /readyz)"
  else
    [[ "$state" == none ]] || handle_stale_state "control plane"
    check_external_endpoint
    run_kubeadm_init
  fi
  switch_kube_vip_to_admin_conf
  step "local apiserver ready"
  retry_backoff 12 5 30 local_apiserver_ready || die "the apiserver on $NODE_NAME does not answer /readyz after kubeadm init"
  wait_endpoint
  nodeprep_end
}

main() {
  case "${KUBEADM_ACTION:-create}" in
    create) init_control_plane ;;
    delete) JOIN_ROLE=control-plane reset_node ;;
    *) echo "KUBEADM_ACTION must be create or delete, got '${KUBEADM_ACTION}'" >&2; exit 2 ;;
  esac
}

main "$@"
