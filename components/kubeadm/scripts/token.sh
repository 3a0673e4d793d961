#!/usr/bin/env bash
# A node's token step, run ON THE FIRST CONTROL PLANE before that node joins: makes sure the
# bootstrap token's Secret exists and stays valid long enough (a node added months after init
# joins with no manual step), with the admin.conf kubeadm wrote there. The joining node itself
# never holds admin credentials. No delete: the token outlives any one node.
#
# Parameters (environment):
#   NODE_NAME              required; the node about to join (for messages)
#   HOST_NAME, HOST_ADDRESS  required; this (the first) control plane
#   BOOTSTRAP_TOKEN_TTL_SECONDS (default 7200)
#   APISERVER_PORT, CRI_SOCKET
# Secrets: KUBEADM_TOKEN
set -euo pipefail
# shellcheck source=../../node/scripts/lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/../../node/scripts/lib.sh"
# shellcheck source=lib.sh
[[ "$(type -t kubeadm_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
  kubeadm_begin token
  require_env NODE_NAME HOST_NAME HOST_ADDRESS KUBEADM_TOKEN
  ensure_tools
  use_local_admin_conf "$HOST_ADDRESS"
  step "apiserver on $HOST_NAME"
  retry_backoff 12 5 30 local_apiserver_ready || die "the apiserver on $HOST_NAME does not answer /readyz: the token for $NODE_NAME cannot be checked"
  ensure_bootstrap_token
  nodeprep_end
}

main "$@"
