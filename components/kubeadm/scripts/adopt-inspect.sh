#!/usr/bin/env bash
# Adoption, phase 1 (docs/adoption.md), ON THE RUNNING CONTROL PLANE of a single-master cluster
# built by hand with `kubeadm init`, before anything changes anywhere: refuses what adoption cannot
# take over, naming what it found, and otherwise prints what the program takes into the stack:
#   - not a kubeadm control plane (no static Pod manifests, no admin.conf, no kubeadm-config);
#   - a Kubernetes version other than the description's (the ClusterConfiguration's and the
#     running apiserver's image tag);
#   - an external etcd (ClusterConfiguration etcd.external, or no etcd static Pod);
#   - more than one control plane (only a single master is adopted; its etcd has one member).
# Then, between marker lines, the cluster CA, service-account key pair, front-proxy CA and etcd CA
# (keys included: the step's output is a Pulumi secret) and the ClusterConfiguration. Read-only:
# safe to run any number of times. Once adopted (kubeadm-config names the endpoint: adopt-endpoint.sh
# ran) the cluster is the stack's: a run then only reports (its version is the upgrades' business,
# its etcd has the members that joined since).
#
# Parameters (environment):
#   NODE_NAME, NODE_ADDRESS     required; the running control plane
#   KUBERNETES_VERSION          required; the description's (x.y.z) when the stack adopted the cluster
#   API_ENDPOINT_HOST, API_ENDPOINT_PORT   required; the endpoint the adoption puts in front
#   APISERVER_PORT, CRI_SOCKET
set -euo pipefail
# shellcheck source=../../node/scripts/lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/../../node/scripts/lib.sh"
# shellcheck source=lib.sh
[[ "$(type -t kubeadm_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ADOPTED_PKI_FILES=(ca.crt ca.key sa.key sa.pub front-proxy-ca.crt front-proxy-ca.key etcd/ca.crt etcd/ca.key)
CLUSTER_CONFIGURATION=""

# What of a kubeadm control plane is on this host, one "present"/"missing" line each.
kubeadm_footprint() {
  local file
  for file in "$MANIFESTS_DIR/kube-apiserver.yaml" "$MANIFESTS_DIR/etcd.yaml" "$ADMIN_CONF" "$PKI_DIR/ca.crt" "$PKI_DIR/ca.key"; do
    if [[ -e "$file" ]]; then echo "present: $file"; else echo "missing: $file"; fi
  done
}

check_kubeadm_control_plane() {
  step "a kubeadm control plane on $NODE_NAME"
  if [[ ! -f "$MANIFESTS_DIR/kube-apiserver.yaml" || ! -f "$ADMIN_CONF" || ! -f "$PKI_DIR/ca.key" ]]; then
    die "$NODE_NAME is not a kubeadm control plane, so it cannot be adopted: $(kubeadm_footprint | paste -sd';' | sed 's/;/; /g'). Adopt the node where kubeadm init was run, named as its Node is."
  fi
  use_local_admin_conf "$NODE_ADDRESS"
  retry_backoff 6 5 30 local_apiserver_ready || die "the apiserver on $NODE_NAME does not answer /readyz: adoption starts from a healthy cluster"
  CLUSTER_CONFIGURATION=$(kube -n kube-system get configmap kubeadm-config -o 'jsonpath={.data.ClusterConfiguration}' 2>/dev/null || true)
  [[ -n "$CLUSTER_CONFIGURATION" ]] ||
    die "$NODE_NAME runs an apiserver, but the cluster has no kubeadm-config ConfigMap (kube-system): it was not built with kubeadm, so it cannot be adopted"
  ok "$NODE_NAME is a kubeadm control plane"
}

# A top-level key's value in the ClusterConfiguration (kubeadm writes it flat: "key: value").
cluster_configuration_value() {
  sed -n -E "s/^$1:[[:space:]]*\"?([^\"]*)\"?[[:space:]]*\$/\\1/p" <<<"$CLUSTER_CONFIGURATION" | head -n 1
}

check_version() {
  step "Kubernetes version"
  local configured image_tag
  configured=$(cluster_configuration_value kubernetesVersion)
  image_tag=$(sed -n -E 's#^[[:space:]]*image:[[:space:]]*.*/kube-apiserver:(v[0-9.]+).*$#\1#p' "$MANIFESTS_DIR/kube-apiserver.yaml" | head -n 1)
  if [[ "$configured" != "v$KUBERNETES_VERSION" || ( -n "$image_tag" && "$image_tag" != "v$KUBERNETES_VERSION" ) ]]; then
    die "the cluster on $NODE_NAME runs Kubernetes ${configured:-(no kubernetesVersion in kubeadm-config)} (its apiserver image ${image_tag:-unknown}), the description says $KUBERNETES_VERSION: set cluster.kubernetes.version to ${configured#v} to adopt it as it is, and upgrade afterwards"
  fi
  ok "Kubernetes $configured, as described"
}

check_stacked_etcd() {
  step "stacked etcd"
  local external members count
  external=$(awk '/^etcd:/ { in_etcd = 1; next } /^[^ ]/ { in_etcd = 0 } in_etcd && /^  external:/ { print "yes" }' <<<"$CLUSTER_CONFIGURATION")
  if [[ -n "$external" ]]; then
    die "the cluster on $NODE_NAME uses an external etcd ($(awk '/^    endpoints:/ { on = 1; next } on && /^    - / { sub(/^    - /, ""); printf "%s ", $0; next } { on = 0 }' <<<"$CLUSTER_CONFIGURATION")): adoption takes over a stacked etcd only (one member on each control plane)"
  fi
  [[ -f "$MANIFESTS_DIR/etcd.yaml" ]] ||
    die "no etcd static Pod on $NODE_NAME ($MANIFESTS_DIR/etcd.yaml is missing) although kubeadm-config names no external etcd: adoption takes over a stacked etcd only"
  ETCD_CONTAINER=$(static_pod_container etcd)
  [[ -n "$ETCD_CONTAINER" ]] || die "the etcd static Pod does not run on $NODE_NAME (crictl ps -a --name etcd)"
  members=$(crictl --runtime-endpoint "$CRI_SOCKET" exec "$ETCD_CONTAINER" etcdctl --endpoints=https://127.0.0.1:2379 \
    --cacert="$PKI_DIR/etcd/ca.crt" --cert="$PKI_DIR/etcd/healthcheck-client.crt" --key="$PKI_DIR/etcd/healthcheck-client.key" member list 2>&1) ||
    die "etcdctl member list failed on $NODE_NAME: $members"
  count=$(grep -c . <<<"$members")
  ((count == 1)) || die "etcd on $NODE_NAME has $count members ($(awk -F', ' '{ printf "%s ", $3 }' <<<"$members")): adoption takes over a single master; list every existing control plane in the description and adopt the first only once the others are its joins"
  ok "stacked etcd, one member ($NODE_NAME)"
}

print_report() {
  local file
  step "what the stack takes over"
  for file in "${ADOPTED_PKI_FILES[@]}"; do
    [[ -s "$PKI_DIR/$file" ]] || die "$PKI_DIR/$file is missing on $NODE_NAME: a kubeadm control plane has it (was it moved away?)"
    printf '%s\n' "$ADOPTION_BEGIN $file"
    cat "$PKI_DIR/$file"
    printf '%s\n' "$ADOPTION_END"
  done
  printf '%s\n%s\n%s\n' "$ADOPTION_BEGIN ClusterConfiguration" "$CLUSTER_CONFIGURATION" "$ADOPTION_END"
}

main() {
  kubeadm_begin adopt-inspect
  require_env NODE_NAME NODE_ADDRESS KUBERNETES_VERSION API_ENDPOINT_HOST API_ENDPOINT_PORT
  ensure_tools
  check_kubeadm_control_plane
  if [[ "$(cluster_configuration_value controlPlaneEndpoint)" == "$API_ENDPOINT_HOST:$API_ENDPOINT_PORT" ]]; then
    ok "the cluster is adopted already (kubeadm-config names $API_ENDPOINT_HOST:$API_ENDPOINT_PORT): reporting only"
  else
    check_version
    check_stacked_etcd
  fi
  print_report
  nodeprep_end
}

main "$@"
