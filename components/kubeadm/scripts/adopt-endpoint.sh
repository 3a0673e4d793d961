#!/usr/bin/env bash
# Adoption, phase 3 (docs/adoption.md), ON THE ADOPTED CONTROL PLANE once the endpoint (VIP) is in
# front of it: the cluster learns its endpoint.
#   1. The apiserver certificate is re-issued with the endpoint's names and addresses: the old pair
#      is moved to $BACKUP_DIR/pki (once: a re-run never overwrites the original), `kubeadm init
#      phase certs apiserver` writes the new one from ADOPTION_KUBEADM_CONFIG, the apiserver is
#      restarted (its manifest out of the directory and back) and must answer /readyz.
#   2. kubeadm-config gets controlPlaneEndpoint and the SANs (`kubeadm init phase upload-config
#      kubeadm`): later joins and upgrades read it.
#   3. cluster-info (kube-public, what joining nodes discover) and kube-proxy's kubeconfig
#      (kube-system/kube-proxy, when kube-proxy runs) point at the endpoint; the bootstrap signer
#      signs cluster-info again by itself; kube-proxy's Pods restart to read it.
# Each part checks first and changes only what differs: safe to re-run from any point.
#
# Parameters (environment):
#   NODE_NAME, NODE_ADDRESS                required; the adopted control plane
#   API_ENDPOINT_HOST, API_ENDPOINT_PORT   required; the endpoint
#   ENDPOINT_SANS                          required; comma-separated names/addresses the certificate must carry
#   ADOPTION_KUBEADM_CONFIG                required; InitConfiguration + the cluster's ClusterConfiguration
#                                          with controlPlaneEndpoint and certSANs (components/kubeadm/adoption.ts)
#   BACKUP_DIR                             required; where the replaced files are kept
#   APISERVER_PORT, CRI_SOCKET, HEALTH_ATTEMPTS, RESTART_ATTEMPTS
set -euo pipefail
# shellcheck source=../../node/scripts/lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/../../node/scripts/lib.sh"
# shellcheck source=lib.sh
[[ "$(type -t kubeadm_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ENDPOINT_URL=""
CONFIG_FILE=""

# The SANs of a certificate, one per line ("DNS:x" and "IP Address:y" become x and y).
certificate_sans() {
  openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null | tail -n +2 | tr ',' '\n' | sed -E 's/^[[:space:]]*(DNS|IP Address)://; s/[[:space:]]+$//' | grep -v '^$' || true
}

# Prints the endpoint SANs the certificate lacks (all of them when it cannot be read).
missing_sans() {
  local sans san
  sans=$(certificate_sans "$1")
  tr ',' '\n' <<<"$ENDPOINT_SANS" | while IFS= read -r san; do
    [[ -n "$san" ]] || continue
    grep -qxF -- "$san" <<<"$sans" || echo "$san"
  done
}

reissue_apiserver_certificate() {
  step "apiserver certificate carries the endpoint's names"
  local missing
  missing=$(missing_sans "$PKI_DIR/apiserver.crt")
  if [[ -z "$missing" ]]; then
    ok "the apiserver certificate carries $ENDPOINT_SANS"
    return 0
  fi
  mkdir -p "$BACKUP_DIR/pki"
  chmod 700 "$BACKUP_DIR"
  if [[ ! -f "$BACKUP_DIR/pki/apiserver.crt" ]]; then
    cp -p "$PKI_DIR/apiserver.crt" "$PKI_DIR/apiserver.key" "$BACKUP_DIR/pki/"
    changed "kept the original apiserver certificate and key in $BACKUP_DIR/pki"
  fi
  rm -f "$PKI_DIR/apiserver.crt" "$PKI_DIR/apiserver.key"
  logged kubeadm init phase certs apiserver --config "$CONFIG_FILE" ||
    die "kubeadm init phase certs apiserver failed on $NODE_NAME; the original pair is in $BACKUP_DIR/pki (copy it back to $PKI_DIR to undo)"
  missing=$(missing_sans "$PKI_DIR/apiserver.crt")
  [[ -z "$missing" ]] || die "the re-issued apiserver certificate on $NODE_NAME still lacks: $(paste -sd' ' <<<"$missing")"
  changed "re-issued the apiserver certificate with $(paste -sd' ' < <(tr ',' '\n' <<<"$ENDPOINT_SANS"))"
  restore_held_manifests
  restart_static_pod kube-apiserver
}

upload_cluster_configuration() {
  step "kubeadm-config names the endpoint"
  local current
  current=$(kube -n kube-system get configmap kubeadm-config -o 'jsonpath={.data.ClusterConfiguration}')
  if grep -qxF "controlPlaneEndpoint: $API_ENDPOINT_HOST:$API_ENDPOINT_PORT" <<<"$current"; then
    ok "controlPlaneEndpoint is $API_ENDPOINT_HOST:$API_ENDPOINT_PORT"
    return 0
  fi
  mkdir -p "$BACKUP_DIR"
  [[ -f "$BACKUP_DIR/ClusterConfiguration.yaml" ]] || printf '%s\n' "$current" >"$BACKUP_DIR/ClusterConfiguration.yaml"
  logged kubeadm init phase upload-config kubeadm --config "$CONFIG_FILE" ||
    die "kubeadm init phase upload-config kubeadm failed on $NODE_NAME (the ClusterConfiguration before it is in $BACKUP_DIR/ClusterConfiguration.yaml)"
  changed "kubeadm-config: controlPlaneEndpoint $API_ENDPOINT_HOST:$API_ENDPOINT_PORT"
}

# Points the kubeconfig in ConfigMap <namespace>/<name>, key <key>, at the endpoint; 1 when it changed.
repoint_configmap_kubeconfig() {
  local namespace="$1" name="$2" key="$3" current updated file
  current=$(kube -n "$namespace" get configmap "$name" -o "jsonpath={.data.${key//./\\.}}" 2>/dev/null || true)
  if [[ -z "$current" ]]; then
    ok "no $namespace/$name ConfigMap with $key: nothing to point"
    return 0
  fi
  updated=$(sed -E "s#^([[:space:]]*server:[[:space:]]*).*\$#\\1$ENDPOINT_URL#" <<<"$current")
  if [[ "$updated" == "$current" ]]; then
    ok "$namespace/$name points at $ENDPOINT_URL"
    return 0
  fi
  mkdir -p "$BACKUP_DIR/configmaps"
  [[ -f "$BACKUP_DIR/configmaps/$namespace-$name-$key" ]] || printf '%s\n' "$current" >"$BACKUP_DIR/configmaps/$namespace-$name-$key"
  file=$(mktemp /run/onprem-k8s-adopt.XXXXXX)
  KUBEADM_TMP_FILES+=("$file")
  printf '%s\n' "$updated" >"$file"
  # apply keeps the ConfigMap's other keys (cluster-info's signatures, kube-proxy's config.conf).
  kube -n "$namespace" create configmap "$name" --from-file="$key=$file" --dry-run=client -o yaml | logged kube apply -f - ||
    die "could not point $namespace/$name at $ENDPOINT_URL"
  changed "$namespace/$name ($key) points at $ENDPOINT_URL"
  return 1
}

repoint_cluster_configmaps() {
  step "cluster-info and kube-proxy point at the endpoint"
  repoint_configmap_kubeconfig kube-public cluster-info kubeconfig || true
  if ! repoint_configmap_kubeconfig kube-system kube-proxy kubeconfig.conf; then
    logged kube -n kube-system rollout restart daemonset kube-proxy || die "could not restart kube-proxy's Pods on the new kubeconfig"
    changed "restarted kube-proxy's Pods"
  fi
}

main() {
  kubeadm_begin adopt-endpoint
  require_env NODE_NAME NODE_ADDRESS API_ENDPOINT_HOST API_ENDPOINT_PORT ENDPOINT_SANS ADOPTION_KUBEADM_CONFIG BACKUP_DIR
  ensure_tools
  ENDPOINT_URL="https://$(url_host "$API_ENDPOINT_HOST"):$API_ENDPOINT_PORT"
  use_local_admin_conf "$NODE_ADDRESS"
  CONFIG_FILE=$(mktemp /run/onprem-k8s-kubeadm.XXXXXX)
  KUBEADM_TMP_FILES+=("$CONFIG_FILE")
  printf '%s\n' "$ADOPTION_KUBEADM_CONFIG" >"$CONFIG_FILE"
  reissue_apiserver_certificate
  step "apiserver on $NODE_NAME and through the endpoint"
  retry_backoff "${HEALTH_ATTEMPTS:-12}" 5 30 local_apiserver_ready || die "the apiserver on $NODE_NAME does not answer /readyz"
  wait_endpoint
  upload_cluster_configuration
  repoint_cluster_configmaps
  nodeprep_end
}

main "$@"
