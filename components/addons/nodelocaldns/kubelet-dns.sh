#!/usr/bin/env bash
# Points kubelet's clusterDNS at CLUSTER_DNS: the NodeLocal DNSCache address while the cache is
# on (with Cilium's kube-proxy replacement the Service IP is rewritten before the cache sees it),
# the cluster DNS Service otherwise. kubeadm writes clusterDNS only at init/join, so switching the
# cache on or off on a running cluster needs this on every node (MODE=node) and in kubeadm's
# kubelet-config ConfigMap, which later joins copy (MODE=configmap, on a control plane).
# Parameters: CLUSTER_DNS, MODE (node|configmap), KUBELET_CONFIG, ADMIN_KUBECONFIG.
set -euo pipefail

: "${CLUSTER_DNS:?CLUSTER_DNS is required}"
MODE="${MODE:-node}"
KUBELET_CONFIG="${KUBELET_CONFIG:-/var/lib/kubelet/config.yaml}"
ADMIN_KUBECONFIG="${ADMIN_KUBECONFIG:-/etc/kubernetes/admin.conf}"

# Prints the KubeletConfiguration on stdin with its clusterDNS list replaced by CLUSTER_DNS
# (added when absent). kubeadm writes the list as `clusterDNS:` followed by `- <ip>` lines.
with_cluster_dns() {
  awk -v dns="$CLUSTER_DNS" '
    /^clusterDNS:/ { print "clusterDNS:"; print "- " dns; skipping = 1; found = 1; next }
    skipping && /^[ ]*- / { next }
    { skipping = 0; print }
    END { if (!found) { print "clusterDNS:"; print "- " dns } }
  '
}

case "$MODE" in
  node)
    [[ -f "$KUBELET_CONFIG" ]] || { echo "error: $KUBELET_CONFIG not found: has this node joined?" >&2; exit 1; }
    desired="$(with_cluster_dns < "$KUBELET_CONFIG")"
    if [[ "$desired" == "$(cat "$KUBELET_CONFIG")" ]]; then
      echo "no changes: kubelet clusterDNS is already $CLUSTER_DNS"
      exit 0
    fi
    printf '%s\n' "$desired" > "$KUBELET_CONFIG.onprem-k8s.tmp"
    mv "$KUBELET_CONFIG.onprem-k8s.tmp" "$KUBELET_CONFIG"
    systemctl restart kubelet
    echo "changed: kubelet clusterDNS set to $CLUSTER_DNS, kubelet restarted"
    ;;
  configmap)
    kube() { kubectl --kubeconfig "$ADMIN_KUBECONFIG" -n kube-system "$@"; }
    current="$(kube get configmap kubelet-config -o jsonpath='{.data.kubelet}')"
    desired="$(printf '%s\n' "$current" | with_cluster_dns)"
    if [[ "$desired" == "$current" ]]; then
      echo "no changes: kubelet-config ConfigMap already has clusterDNS $CLUSTER_DNS"
      exit 0
    fi
    printf '%s\n' "$desired" | kube create configmap kubelet-config --from-file=kubelet=/dev/stdin --dry-run=client -o yaml | kube apply -f -
    echo "changed: kubelet-config ConfigMap clusterDNS set to $CLUSTER_DNS"
    ;;
  *)
    echo "error: MODE must be node or configmap, not '$MODE'" >&2
    exit 2
    ;;
esac
