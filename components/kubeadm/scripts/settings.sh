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
# Safe to run again from any point: an unchanged manifest restarts nothing, and every run ends
# with the health checks, so a run cut short after a rewrite waits for that restart next time.
#
# Parameters (environment):
#   NODE_NAME, NODE_ADDRESS                 required; this control plane
#   KUBEADM_PHASE_CONFIG                    required; InitConfiguration (this node) + ClusterConfiguration
#   UPLOAD_CONFIG                           true on the first control plane
#   ETCD_PHASE                              true: rewrite etcd's manifest too
#   SETTINGS_DIGEST                         recorded in $SETTINGS_STATE_FILE once applied
#   API_ENDPOINT_HOST, API_ENDPOINT_PORT, CONTROL_PLANE_ADDRESSES
#   APISERVER_* files (apiserver-files.sh); RESTART_ATTEMPTS (default 45, 2 s apart), HEALTH_ATTEMPTS
# Secret: APISERVER_ENCRYPTION_KEY (with APISERVER_ENCRYPTION_CONFIG)
set -euo pipefail
# shellcheck source=../../node/scripts/lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/../../node/scripts/lib.sh"
# shellcheck source=lib.sh
[[ "$(type -t kubeadm_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=apiserver-files.sh
[[ "$(type -t write_apiserver_files)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/apiserver-files.sh"

SETTINGS_STATE_FILE=/var/lib/onprem-k8s/control-plane-settings
PHASE_CONFIG=""

local_apiserver_answers() { readyz_ok "$NODE_ADDRESS" "$APISERVER_PORT"; }
manifest_sum() { cksum <"$MANIFESTS_DIR/$1.yaml" 2>/dev/null || echo none; }
container_changed() {
  local now
  now=$(static_pod_container "$1")
  [[ -n "$now" && "$now" != "$2" ]]
}

write_phase_config() {
  PHASE_CONFIG=$(mktemp /run/onprem-k8s-kubeadm.XXXXXX)
  KUBEADM_TMP_FILES+=("$PHASE_CONFIG")
  umask 077
  printf '%s\n' "$KUBEADM_PHASE_CONFIG" >"$PHASE_CONFIG"
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
  ok "$component restarted with the new settings and is healthy"
}

main() {
  kubeadm_begin settings
  require_env NODE_NAME NODE_ADDRESS KUBEADM_PHASE_CONFIG SETTINGS_DIGEST
  ensure_tools
  [[ -f "$MANIFESTS_DIR/kube-apiserver.yaml" ]] ||
    die "$NODE_NAME runs no control plane ($MANIFESTS_DIR/kube-apiserver.yaml is missing): its init or join must complete first"
  use_local_admin_conf "$NODE_ADDRESS"
  write_apiserver_files
  write_phase_config
  upload_config
  [[ "${ETCD_PHASE:-false}" == true ]] && apply_component etcd "etcd local"
  apply_component kube-apiserver "control-plane apiserver"
  apply_component kube-controller-manager "control-plane controller-manager"
  apply_component kube-scheduler "control-plane scheduler"
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
