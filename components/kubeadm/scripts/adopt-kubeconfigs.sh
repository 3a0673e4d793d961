#!/usr/bin/env bash
# Adoption, phase 4 (docs/adoption.md), ON EACH NODE of the adopted cluster, one node at a time
# (the program chains the steps): the node's kubeconfigs move from the first control plane's own
# address to the endpoint, so the node keeps working when that control plane is down.
#   control plane: admin.conf, super-admin.conf, controller-manager.conf, scheduler.conf, kubelet.conf
#   worker:        kubelet.conf
# Each file whose server differs is kept once in $BACKUP_DIR/kubeconfigs (a re-run never overwrites
# the original), its server line rewritten; then what reads it restarts (kubelet; the
# controller-manager and scheduler static Pods) and must be healthy again before the step ends:
# the Node Ready through the endpoint with the node's own credentials, a control plane's apiserver,
# controller-manager and scheduler answering. A node already on the endpoint (a node that joined
# through it) changes nothing.
#
# Parameters (environment):
#   NODE_NAME, NODE_ADDRESS, NODE_ROLE (control-plane | worker)   required
#   API_ENDPOINT_HOST, API_ENDPOINT_PORT                           required; the endpoint
#   BACKUP_DIR                                                     required
#   APISERVER_PORT, CRI_SOCKET, HEALTH_ATTEMPTS, RESTART_ATTEMPTS
set -euo pipefail
# shellcheck source=../../node/scripts/lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/../../node/scripts/lib.sh"
# shellcheck source=lib.sh
[[ "$(type -t kubeadm_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ENDPOINT_URL=""
CHANGED_FILES=()
# Written before a file is rewritten, removed once what reads it restarted: a run stopped in
# between restarts them on the next run although no file differs any more.
RESTART_PENDING=""

kubeconfig_server() { sed -n -E 's#^[[:space:]]*server:[[:space:]]*(.*)$#\1#p' "$1" | head -n 1; }

# Rewrites one kubeconfig's server line to the endpoint (kept once in the backup directory first).
move_kubeconfig() {
  local file="$KUBERNETES_DIR/$1" server
  [[ -f "$file" ]] || return 0
  server=$(kubeconfig_server "$file")
  if [[ "$server" == "$ENDPOINT_URL" ]]; then
    ok "$1 points at $ENDPOINT_URL"
    return 0
  fi
  mkdir -p "$BACKUP_DIR/kubeconfigs"
  chmod 700 "$BACKUP_DIR"
  [[ -f "$BACKUP_DIR/kubeconfigs/$1" ]] || cp -p "$file" "$BACKUP_DIR/kubeconfigs/$1"
  echo "$1" >>"$RESTART_PENDING"
  sed -i -E "s#^([[:space:]]*server:[[:space:]]*).*\$#\\1$ENDPOINT_URL#" "$file"
  CHANGED_FILES+=("$1")
  changed "$1: $server -> $ENDPOINT_URL (the original is in $BACKUP_DIR/kubeconfigs/$1)"
}

changed_file() { [[ " ${CHANGED_FILES[*]} " == *" $1 "* ]] || grep -qxF "$1" "$RESTART_PENDING" 2>/dev/null; }

# The Node is Ready, read through the endpoint with the kubelet's own credentials (the Node authorizer lets it).
own_node_ready() {
  [[ "$(kubectl --kubeconfig "$KUBELET_CONF" --request-timeout=20s get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)" == True ]]
}

restart_readers() {
  local pod
  if [[ "$NODE_ROLE" == control-plane ]]; then
    for pod in kube-controller-manager kube-scheduler; do
      if changed_file "${pod#kube-}.conf"; then restart_static_pod "$pod"; fi
    done
  fi
  if changed_file kubelet.conf; then
    step "kubelet on the endpoint"
    systemctl restart kubelet
    changed "restarted kubelet on $NODE_NAME"
  fi
  rm -f "$RESTART_PENDING"
}

wait_healthy() {
  step "$NODE_NAME healthy through $ENDPOINT_URL"
  if [[ "$NODE_ROLE" == control-plane ]]; then
    retry_backoff "${HEALTH_ATTEMPTS:-12}" 5 30 local_apiserver_ready || die "the apiserver on $NODE_NAME does not answer /readyz"
  fi
  retry_backoff "${HEALTH_ATTEMPTS:-12}" 5 30 own_node_ready ||
    die "Node $NODE_NAME is not Ready through $ENDPOINT_URL after its kubeconfigs moved (journalctl -u kubelet); the originals are in $BACKUP_DIR/kubeconfigs"
  ok "$NODE_NAME is Ready through the endpoint"
}

main() {
  kubeadm_begin adopt-kubeconfigs
  require_env NODE_NAME NODE_ADDRESS NODE_ROLE API_ENDPOINT_HOST API_ENDPOINT_PORT BACKUP_DIR
  case "$NODE_ROLE" in
    control-plane | worker) ;;
    *) die "NODE_ROLE must be control-plane or worker, got '$NODE_ROLE'" ;;
  esac
  ensure_tools
  ENDPOINT_URL="https://$(url_host "$API_ENDPOINT_HOST"):$API_ENDPOINT_PORT"
  RESTART_PENDING="$BACKUP_DIR/kubeconfigs/restart-pending"
  [[ -f "$KUBELET_CONF" ]] || die "$KUBELET_CONF is missing on $NODE_NAME: it is no node of the adopted cluster (kubeadm join was never run here)"
  step "kubeconfigs of $NODE_NAME"
  restore_held_manifests
  local file
  if [[ "$NODE_ROLE" == control-plane ]]; then
    for file in admin.conf super-admin.conf controller-manager.conf scheduler.conf kubelet.conf; do move_kubeconfig "$file"; done
  else
    move_kubeconfig kubelet.conf
  fi
  restart_readers
  wait_healthy
  nodeprep_end
}

main "$@"
