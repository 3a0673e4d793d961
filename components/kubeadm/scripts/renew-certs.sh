#!/usr/bin/env bash
# A control plane's certificates step (<node>-certificates), ON THAT CONTROL PLANE; the program
# chains these steps, so control planes renew one at a time. kubeadm issued this node's leaf
# certificates (apiserver, etcd, front-proxy client, the kubeconfigs' client certificates) for one
# year at init or join; the CAs are Pulumi's and stay.
#   RENEWAL_GENERATION 0: nothing to renew; the step reports only.
#   RENEWAL_GENERATION N, not yet completed here: `kubeadm certs renew all`, then each static Pod
#       restarted as kubeadm's documentation says (its manifest moved out of
#       /etc/kubernetes/manifests until kubelet has stopped the Pod, then back), etcd first and
#       each waited for, then the control plane healthy (apiserver /readyz, etcd, the Node Ready).
# Safe to run again from any point: the node records its progress in $RENEWAL_STATE_FILE
# (generation and phase: renewed, done). A manifest still held out is put back, and a renewal
# whose restart did not complete restarts (without renewing again) before anything else.
# Every run ends with the expiry report (report_certificate_expiry): the program exports it.
#
# Parameters (environment):
#   NODE_NAME, NODE_ADDRESS    required; this control plane
#   RENEWAL_GENERATION         required; a whole number (components/kubeadm/renewal.ts)
#   RESTART_ATTEMPTS (default 45, 2 s apart; kubelet looks at its manifests every 20 s)
#   HEALTH_ATTEMPTS (default 12), APISERVER_PORT, CRI_SOCKET
set -euo pipefail
# shellcheck source=../../node/scripts/lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/../../node/scripts/lib.sh"
# shellcheck source=lib.sh
[[ "$(type -t kubeadm_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RENEWAL_STATE_FILE=/var/lib/onprem-k8s/certificate-renewal
# etcd first (the apiserver waits for it), kube-vip last: it holds admin.conf's old certificate.
RESTART_ORDER=(etcd kube-apiserver kube-controller-manager kube-scheduler kube-vip)
RECORDED_GENERATION=""
RECORDED_PHASE=""

read_renewal_state() {
  RECORDED_GENERATION="" RECORDED_PHASE=""
  [[ -f "$RENEWAL_STATE_FILE" ]] || return 0
  RECORDED_GENERATION=$(sed -n 's/^generation=//p' "$RENEWAL_STATE_FILE")
  RECORDED_PHASE=$(sed -n 's/^phase=//p' "$RENEWAL_STATE_FILE")
}

write_renewal_state() {
  mkdir -p "$(dirname "$RENEWAL_STATE_FILE")"
  printf 'generation=%s\nphase=%s\n' "$1" "$2" >"$RENEWAL_STATE_FILE.tmp"
  mv "$RENEWAL_STATE_FILE.tmp" "$RENEWAL_STATE_FILE"
  RECORDED_GENERATION=$1 RECORDED_PHASE=$2
}

restart_control_plane() {
  local pod
  for pod in "${RESTART_ORDER[@]}"; do restart_static_pod "$pod"; done
}

wait_renewed_control_plane_healthy() {
  step "control plane $NODE_NAME healthy after the renewal"
  retry_backoff "${HEALTH_ATTEMPTS:-12}" 5 30 local_apiserver_answers ||
    die "the apiserver on $NODE_NAME ($NODE_ADDRESS:$APISERVER_PORT) does not answer /readyz"
  retry_backoff "${HEALTH_ATTEMPTS:-12}" 5 30 local_etcd_healthy ||
    die "etcd on $NODE_NAME does not answer etcdctl endpoint health"
  retry_backoff "${HEALTH_ATTEMPTS:-12}" 5 30 node_ready "$NODE_NAME" ||
    die "Node $NODE_NAME is not Ready after the renewal (kubectl describe node $NODE_NAME, journalctl -u kubelet)"
  ok "control plane $NODE_NAME is healthy: apiserver /readyz, etcd, Node Ready"
}

# The restart of an interrupted renewal, without renewing again.
complete_interrupted_renewal() {
  held_manifests || [[ "$RECORDED_PHASE" == renewed ]] || return 0
  note "a renewal on $NODE_NAME (generation ${RECORDED_GENERATION:-unknown}) stopped before its control plane restarted: restarting it now"
  restore_held_manifests
  restart_control_plane
  wait_renewed_control_plane_healthy
  write_renewal_state "${RECORDED_GENERATION:-0}" "done"
}

renew_certificates() {
  step "kubeadm certs renew all on $NODE_NAME (renewal $RENEWAL_GENERATION)"
  logged kubeadm certs renew all ||
    die "kubeadm certs renew all failed on $NODE_NAME: its output is below; nothing was restarted"
  write_renewal_state "$RENEWAL_GENERATION" renewed
  changed "renewed the kubeadm certificates on $NODE_NAME (renewal $RENEWAL_GENERATION)"
  restart_control_plane
  wait_renewed_control_plane_healthy
  write_renewal_state "$RENEWAL_GENERATION" "done"
}

main() {
  kubeadm_begin renew-certs
  require_env NODE_NAME NODE_ADDRESS RENEWAL_GENERATION
  [[ "$RENEWAL_GENERATION" =~ ^[0-9]+$ ]] || die "RENEWAL_GENERATION must be a whole number, got '$RENEWAL_GENERATION'"
  ensure_tools
  use_local_admin_conf "$NODE_ADDRESS"
  read_renewal_state
  complete_interrupted_renewal
  if ((RENEWAL_GENERATION > 0)) && [[ "$RECORDED_GENERATION" != "$RENEWAL_GENERATION" ]]; then
    renew_certificates
  else
    ok "certificates on $NODE_NAME: renewal ${RENEWAL_GENERATION} needs nothing here"
  fi
  report_certificate_expiry
  nodeprep_end
}

main "$@"
