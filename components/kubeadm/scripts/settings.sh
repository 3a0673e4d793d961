#!/usr/bin/env bash
# A control plane's settings step (<node>-settings), ON THAT CONTROL PLANE; the program chains
# these steps, so control planes change one at a time (components/kubeadm/settings.ts). It brings
# the running control plane to the description's settings the way kubeadm would have set them at
# init or join:
#   1. the apiserver's files (apiserver-files.sh: audit policy, admission, authentication, encryption);
#   2. on the first control plane, `kubeadm init phase upload-config all`: the kubeadm-config and
#      kubelet-config ConfigMaps every later join and upgrade reads;
#   3. `kubeadm init phase control-plane <component>` (and `etcd local` when ETCD_PHASE=true),
#      one static Pod at a time: a manifest kubeadm rewrote differently is restarted by kubelet;
#      the step waits for the new container, then for its health (etcd endpoint health, the
#      apiserver's /readyz on this node), before the next;
#   4. the control plane healthy and the API answering through its endpoint.
# The apiserver reads its files only at its start: when they changed and its manifest did not, the
# step restarts it as kubeadm's documentation says (the manifest out of the directory until kubelet
# has stopped the Pod, then back); $APISERVER_RESTART_PENDING records that it must until it has.
# SETTINGS_ACTION=rewrite-secrets (a key rotation, on the first control plane once every apiserver
# writes with the new key) reads and writes every Secret again: now under the new key.
# Safe to run again from any point: an unchanged manifest restarts nothing, a restart still pending
# happens, a manifest still held out is put back, and every run ends with the health checks.
#
# Parameters (environment):
#   NODE_NAME, NODE_ADDRESS                 required; this control plane
#   KUBEADM_PHASE_CONFIG                    required; InitConfiguration (this node) + ClusterConfiguration,
#                                           kubernetesVersion the mark the cluster's version replaces
#   UPLOAD_CONFIG                           true on the first control plane
#   ETCD_PHASE                              true: rewrite etcd's manifest too
#   SETTINGS_DIGEST                         recorded in $SETTINGS_STATE_FILE once applied
#   SETTINGS_ACTION                         apply (default) | rewrite-secrets
#   API_ENDPOINT_HOST, API_ENDPOINT_PORT, CONTROL_PLANE_ADDRESSES (the first control plane's and its own: the diagnostics' probes)
#   APISERVER_* files (apiserver-files.sh); RESTART_ATTEMPTS (default 45, 2 s apart), HEALTH_ATTEMPTS
# Secrets: APISERVER_ENCRYPTION_KEY, APISERVER_ENCRYPTION_KEY_PREVIOUS (with APISERVER_ENCRYPTION_CONFIG)
set -euo pipefail
# shellcheck source=../../node/scripts/lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/../../node/scripts/lib.sh"
# shellcheck source=lib.sh
[[ "$(type -t kubeadm_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=apiserver-files.sh
[[ "$(type -t write_apiserver_files)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/apiserver-files.sh"

SETTINGS_STATE_FILE=/var/lib/onprem-k8s/control-plane-settings
# Outside the manifests directory: kubelet must not see a held manifest.
SETTINGS_HELD_DIR=/var/lib/onprem-k8s/settings-held-manifests
PHASE_CONFIG=""
APISERVER_RESTARTED=false

local_apiserver_answers() { readyz_ok "$NODE_ADDRESS" "$APISERVER_PORT"; }
manifest_sum() { cksum <"$MANIFESTS_DIR/$1.yaml" 2>/dev/null || echo none; }
pod_stopped() { [[ -z "$(static_pod_container "$1")" ]]; }
pod_running() { [[ -n "$(static_pod_container "$1")" ]]; }
container_changed() {
  local now
  now=$(static_pod_container "$1")
  [[ -n "$now" && "$now" != "$2" ]]
}

# The version the cluster runs, as kubeadm keeps it (an upgrade moves it): the configuration
# carries the mark onprem-k8s-cluster-version in its place.
cluster_kubernetes_version() {
  kube -n kube-system get configmap kubeadm-config -o 'jsonpath={.data.ClusterConfiguration}' 2>>"$KUBEADM_LOG" |
    sed -n -E 's/^kubernetesVersion:[[:space:]]*//p' | head -n 1
}

write_phase_config() {
  local version
  version=$(cluster_kubernetes_version)
  [[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
    die "could not read the cluster's version from the kubeadm-config ConfigMap through $NODE_NAME's apiserver (found '${version}')"
  PHASE_CONFIG=$(mktemp /run/onprem-k8s-kubeadm.XXXXXX)
  KUBEADM_TMP_FILES+=("$PHASE_CONFIG")
  umask 077
  printf '%s\n' "${KUBEADM_PHASE_CONFIG//onprem-k8s-cluster-version/$version}" >"$PHASE_CONFIG"
  umask 022
}

upload_config() {
  [[ "${UPLOAD_CONFIG:-false}" == true ]] || return 0
  step "kubeadm init phase upload-config all (the configuration later joins read)"
  logged kubeadm init phase upload-config all --config "$PHASE_CONFIG" ||
    die "kubeadm could not upload the cluster's configuration from $NODE_NAME (kubeadm-config, kubelet-config ConfigMaps): its output is below; no manifest was changed"
  ok "kubeadm-config and kubelet-config hold the description's settings"
}

wait_component_healthy() {
  case "$1" in
    etcd)
      retry_backoff "${HEALTH_ATTEMPTS:-12}" 5 30 local_etcd_healthy ||
        die "etcd on $NODE_NAME is not healthy after its manifest changed (crictl logs of the etcd container; the previous flags are in the manifest's history: kubeadm-config)" ;;
    kube-apiserver)
      retry_backoff "${HEALTH_ATTEMPTS:-12}" 5 30 local_apiserver_answers ||
        die "the apiserver on $NODE_NAME ($NODE_ADDRESS:$APISERVER_PORT) does not answer /readyz with the new settings (crictl ps -a --name kube-apiserver, crictl logs <id>): the other control planes keep the old ones until this one is healthy" ;;
  esac
}

# One component: kubeadm's phase rewrites its manifest; a changed one is restarted by kubelet.
apply_component() {
  local component="$1" phase="$2" before after container
  step "$component on $NODE_NAME"
  before=$(manifest_sum "$component")
  container=$(static_pod_container "$component")
  # shellcheck disable=SC2086  # the phase is two words on purpose
  logged kubeadm init phase $phase --config "$PHASE_CONFIG" ||
    die "kubeadm init phase $phase failed on $NODE_NAME: its output is below"
  after=$(manifest_sum "$component")
  if [[ "$before" == "$after" ]]; then
    ok "$component's manifest already has the description's settings"
    return 0
  fi
  changed "rewrote $MANIFESTS_DIR/$component.yaml on $NODE_NAME"
  retry "${RESTART_ATTEMPTS:-45}" 2 container_changed "$component" "$container" ||
    die "kubelet on $NODE_NAME did not restart $component after its manifest changed (journalctl -u kubelet, crictl ps -a --name $component)"
  wait_component_healthy "$component"
  [[ "$component" != kube-apiserver ]] || APISERVER_RESTARTED=true
  ok "$component restarted with the new settings and is healthy"
}

# A manifest a cut-short run left outside the manifests directory goes back first.
restore_held_apiserver() {
  [[ -f "$SETTINGS_HELD_DIR/kube-apiserver.yaml" ]] || return 0
  [[ ! -e "$MANIFESTS_DIR/kube-apiserver.yaml" ]] ||
    die "kube-apiserver.yaml is both in $MANIFESTS_DIR and held in $SETTINGS_HELD_DIR on $NODE_NAME: keep the one kubeadm wrote last, remove the other, then run pulumi up again"
  mv "$SETTINGS_HELD_DIR/kube-apiserver.yaml" "$MANIFESTS_DIR/"
  changed "put kube-apiserver.yaml back into $MANIFESTS_DIR (a run before stopped while it was held out)"
}

# The files changed (now or in a run cut short) and the manifest did not: kubelet would not restart it.
restart_apiserver_for_files() {
  local attempts="${RESTART_ATTEMPTS:-45}"
  [[ -f "$APISERVER_RESTART_PENDING" ]] || return 0
  if [[ "$APISERVER_RESTARTED" == false ]]; then
    step "restart of kube-apiserver on $NODE_NAME for its changed files"
    mkdir -p "$SETTINGS_HELD_DIR"
    mv "$MANIFESTS_DIR/kube-apiserver.yaml" "$SETTINGS_HELD_DIR/kube-apiserver.yaml"
    if ! retry "$attempts" 2 pod_stopped kube-apiserver; then
      mv "$SETTINGS_HELD_DIR/kube-apiserver.yaml" "$MANIFESTS_DIR/kube-apiserver.yaml"
      die "kubelet on $NODE_NAME did not stop kube-apiserver after its manifest left $MANIFESTS_DIR (journalctl -u kubelet); the manifest is back, run pulumi up again"
    fi
    mv "$SETTINGS_HELD_DIR/kube-apiserver.yaml" "$MANIFESTS_DIR/kube-apiserver.yaml"
    retry "$attempts" 2 pod_running kube-apiserver ||
      die "kubelet on $NODE_NAME did not start kube-apiserver again from $MANIFESTS_DIR/kube-apiserver.yaml (journalctl -u kubelet, crictl ps -a --name kube-apiserver)"
    wait_component_healthy kube-apiserver
    changed "restarted kube-apiserver on $NODE_NAME: it reads its changed files"
  fi
  rm -f "$APISERVER_RESTART_PENDING"
}

# Every Secret read and written again through this control plane's apiserver: each is then stored
# with the key listed first in every apiserver's EncryptionConfiguration.
rewrite_secrets() {
  local count
  step "every Secret rewritten with the current key"
  count=$(kube get secrets --all-namespaces --no-headers 2>>"$KUBEADM_LOG" | wc -l)
  kube get secrets --all-namespaces -o json 2>>"$KUBEADM_LOG" | logged kube replace -f - ||
    die "rewriting the Secrets through $NODE_NAME's apiserver failed (a Secret changed meanwhile is refused as a conflict): its output is below; run pulumi up again"
  changed "rewrote $count Secrets: each is stored with the new key"
}

main() {
  kubeadm_begin settings
  require_env NODE_NAME NODE_ADDRESS KUBEADM_PHASE_CONFIG SETTINGS_DIGEST
  ensure_tools
  [[ -f "$MANIFESTS_DIR/kube-apiserver.yaml" ]] ||
    die "$NODE_NAME runs no control plane ($MANIFESTS_DIR/kube-apiserver.yaml is missing): its init or join must complete first"
  use_local_admin_conf "$NODE_ADDRESS"
  if [[ "${SETTINGS_ACTION:-apply}" == rewrite-secrets ]]; then
    wait_component_healthy kube-apiserver
    rewrite_secrets
    nodeprep_end
    return 0
  fi
  restore_held_apiserver
  write_apiserver_files
  if [[ "$APISERVER_FILES_CHANGED" == true ]]; then
    mkdir -p "$(dirname "$APISERVER_RESTART_PENDING")"
    touch "$APISERVER_RESTART_PENDING"
  fi
  write_phase_config
  upload_config
  [[ "${ETCD_PHASE:-false}" == true ]] && apply_component etcd "etcd local"
  apply_component kube-apiserver "control-plane apiserver"
  apply_component kube-controller-manager "control-plane controller-manager"
  apply_component kube-scheduler "control-plane scheduler"
  restart_apiserver_for_files
  step "control plane $NODE_NAME healthy with settings $SETTINGS_DIGEST"
  wait_component_healthy etcd
  wait_component_healthy kube-apiserver
  wait_endpoint
  mkdir -p "$(dirname "$SETTINGS_STATE_FILE")"
  printf 'digest=%s\n' "$SETTINGS_DIGEST" >"$SETTINGS_STATE_FILE"
  ok "control plane $NODE_NAME runs settings $SETTINGS_DIGEST"
  nodeprep_end
}

main "$@"
