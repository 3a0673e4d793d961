#!/usr/bin/env bash
# Writes the kube-vip static Pod to /etc/kubernetes/manifests on a control plane, before
# kubeadm init/join. On the first control plane of a cluster that is not initialised yet
# (no /etc/kubernetes/admin.conf), the init variant using super-admin.conf is written instead
# (Kubernetes 1.29+, kube-vip#684); init.sh switches it back to admin.conf right after init.
#
# Parameters (environment):
#   NODE_NAME                 required
#   KUBE_VIP_MANIFEST         required; the manifest using admin.conf
#   KUBE_VIP_INIT_MANIFEST    optional; first control plane only: the variant used during init
set -euo pipefail
# shellcheck source=../../node/scripts/lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/../../node/scripts/lib.sh"

MANIFEST_PATH=/etc/kubernetes/manifests/kube-vip.yaml

main() {
  nodeprep_begin kube-vip
  require_env NODE_NAME KUBE_VIP_MANIFEST
  step "kube-vip static Pod"
  local manifest="$KUBE_VIP_MANIFEST" kubeconfig=admin.conf
  if [[ -n "${KUBE_VIP_INIT_MANIFEST:-}" && ! -f /etc/kubernetes/admin.conf ]]; then
    manifest="$KUBE_VIP_INIT_MANIFEST"
    kubeconfig="super-admin.conf until kubeadm init has finished"
  fi
  mkdir -p "$(dirname "$MANIFEST_PATH")"
  ensure_file "$MANIFEST_PATH" 600 "$manifest"
  ok "kube-vip on $NODE_NAME uses $kubeconfig"
  nodeprep_end
}

main "$@"
