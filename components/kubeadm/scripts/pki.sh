#!/usr/bin/env bash
# Places the cluster PKI Pulumi generated (cluster CA, etcd CA, front-proxy CA, service-account
# keys) in /etc/kubernetes/pki on a control plane, before kubeadm init or join: control planes
# then join without --upload-certs and its 2-hour TTL (seed 003). Idempotent: files are written
# only when their content differs; a DIFFERENT CA or key already there is never overwritten.
# A half-initialised control plane (seed 000, T-034) stops here, or is reset first.
#
# Parameters (environment):
#   NODE_NAME            required; the node's name
#   RESET_STALE_STATE    true | false (default): kubeadm reset -f a half-initialised control plane
#   APISERVER_PORT       local apiserver port (default 6443)
#   STALE_WAIT_SECONDS   how long an existing apiserver may take to answer (default 90)
# Secrets (exported at the top of stdin):
#   PKI_CA_CRT PKI_CA_KEY PKI_ETCD_CA_CRT PKI_ETCD_CA_KEY PKI_FRONT_PROXY_CA_CRT
#   PKI_FRONT_PROXY_CA_KEY PKI_SA_KEY PKI_SA_PUB   PEM texts
#   APISERVER_ENCRYPTION_KEY   with APISERVER_ENCRYPTION_CONFIG (apiserver-files.sh, which also
#                              writes the other APISERVER_* files the description turns on)
set -euo pipefail
# shellcheck source=../../node/scripts/lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/../../node/scripts/lib.sh"
# shellcheck source=lib.sh
[[ "$(type -t kubeadm_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=apiserver-files.sh
[[ "$(type -t write_apiserver_files)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/apiserver-files.sh"

main() {
  kubeadm_begin pki
  require_env NODE_NAME
  ensure_tools
  step "control-plane state"
  local state
  state=$(node_kubeadm_state)
  case "$state" in
    none) ok "no kubeadm state on $NODE_NAME yet" ;;
    running) ok "control plane running on $NODE_NAME" ;;
    stale) handle_stale_state "control plane" ;;
  esac
  write_pki
  # A running apiserver's files change with its settings step, which restarts it right after:
  # written here, a change would wait for any restart, one control plane apart from the others.
  if [[ "$state" == running ]]; then
    ok "the apiserver's files on running $NODE_NAME change with its settings step"
  else
    write_apiserver_files
  fi
  nodeprep_end
}

main "$@"
