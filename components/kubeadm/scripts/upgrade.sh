#!/usr/bin/env bash
# One node's part of the rolling upgrade to KUBERNETES_VERSION (components/kubeadm/upgrade.ts
# chains them: the first control plane, each other control plane in turn, then the workers in
# batches). Every action first reads the node's current version and does nothing when the node is
# already there, so an interrupted upgrade resumes where it stopped and a fresh cluster's steps are
# no-ops. UPGRADE_ACTION:
#   first-control-plane  on the first control plane: kubeadm to the new version, `kubeadm upgrade
#                        plan`, `kubeadm upgrade apply vX --yes`, then kubelet and kubectl, kubelet
#                        restarted; waits for its apiserver's /readyz, its Node Ready at vX, etcd
#   control-plane        on another control plane: the same with `kubeadm upgrade node`
#   drain                on the first control plane, about worker NODE_NAME: marks it (annotation),
#                        cordons and drains it with evictions (PodDisruptionBudgets respected,
#                        DRAIN_TIMEOUT_SECONDS), naming the pods that block
#   worker               on the worker: kubeadm, `kubeadm upgrade node`, kubelet and kubectl, kubelet
#                        restarted; its Node reports vX
#   uncordon             on the first control plane: a worker an upgrade cordoned (the annotation,
#                        also one left by an interrupted run) is uncordoned once Ready at vX
#
# Parameters (environment):
#   UPGRADE_ACTION, NODE_NAME, KUBERNETES_VERSION (x.y.z)      required
#   NODE_ADDRESS                   control-plane actions: this node's address (its apiserver)
#   HOST_NAME, HOST_ADDRESS        drain, uncordon: the first control plane, where they run
#   KUBERNETES_REPO_URL            the target minor's package repository (default pkgs.k8s.io's)
#   KUBERNETES_REPO_KEY            optional signing key as data
#   API_ENDPOINT_HOST, API_ENDPOINT_PORT, CONTROL_PLANE_ADDRESSES   the diagnostics' probes (the first control plane and this node's own)
#   DRAIN_TIMEOUT_SECONDS (default 600), READY_ATTEMPTS (default 30), APISERVER_PORT, CRI_SOCKET
set -euo pipefail
# shellcheck source=../../node/scripts/lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/../../node/scripts/lib.sh"
# shellcheck source=../../node/scripts/packages-lib.sh
[[ "$(type -t install_packages)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/../../node/scripts/packages-lib.sh"
# shellcheck source=lib.sh
[[ "$(type -t kubeadm_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Marks a worker this upgrade cordoned, so its uncordon (also after an interrupted run) knows it
# was ours and never lifts a cordon an operator set.
CORDON_ANNOTATION=onprem-k8s.io/upgrade-cordoned
CONTROL_PLANE_COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler)

# kubectl as the node itself (kubelet.conf): a worker holds no admin credential.
kube_as_node() {
  kubectl --kubeconfig "$KUBELET_CONF" --request-timeout=20s "$@"
}

# The version the Node's running kubelet reports (empty when the API does not answer).
node_kubelet_version() {
  "$@" get node "$NODE_NAME" -o 'jsonpath={.status.nodeInfo.kubeletVersion}' 2>/dev/null || true
}

node_reports_target() { [[ "$(node_kubelet_version kube_as_node)" == "$TARGET" ]]; }

node_ready_at_target() {
  [[ "$(node_kubelet_version kube)" == "$TARGET" ]] || return 1
  [[ "$(kube get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}

# The image tag of a static Pod manifest on this host ("v1.34.4"), empty without one.
static_pod_version() {
  sed -n -E "s#^[[:space:]]*image:[[:space:]]*[^[:space:]]*/$1:(v[0-9][^[:space:]\"']*).*#\\1#p" "$MANIFESTS_DIR/$1.yaml" 2>/dev/null | head -n 1
}

packages_at_target() {
  local pkg installed
  for pkg in "${PACKAGES[@]}"; do
    installed=$(installed_version "$pkg")
    [[ -n "$installed" ]] || return 1
    [[ "$installed" == "$K8S_VERSION" ]] || version_newer "$installed" "$K8S_VERSION" || return 1
  done
}

# Where this node stands, one line each, for the log and the already-there decision.
CURRENT_OK=true
report_current() {
  local what="$1" have="$2"
  if [[ "$have" == "$TARGET" ]]; then
    ok "$what: $have"
  elif [[ "$have" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] && version_newer "${have#v}" "$K8S_VERSION"; then
    die "$what on $NODE_NAME runs $have, newer than $TARGET: kubeadm upgrades only. Set cluster.kubernetes.version to ${have#v} (or newer) and run pulumi up again"
  else
    echo "current: $what: ${have:-unknown}, target $TARGET"
    CURRENT_OK=false
  fi
}

node_at_target() {
  local role="$1" component
  step "current version of $NODE_NAME"
  CURRENT_OK=true
  if [[ "$role" == worker ]]; then
    report_current "kubelet (Node $NODE_NAME)" "$(node_kubelet_version kube_as_node)"
  else
    report_current "kubelet (Node $NODE_NAME)" "$(node_kubelet_version kube)"
    for component in "${CONTROL_PLANE_COMPONENTS[@]}"; do report_current "$component" "$(static_pod_version "$component")"; done
  fi
  if packages_at_target; then ok "packages kubeadm, kubelet, kubectl at $K8S_VERSION or newer"; else echo "current: packages below $K8S_VERSION"; CURRENT_OK=false; fi
  [[ "$CURRENT_OK" == true ]]
}

packages_to_target() {
  configure_kubernetes_repository
  install_packages "$@"
}

restart_kubelet() {
  local version
  version=$(node_kubelet_version "$@")
  if [[ "$version" == "$TARGET" ]]; then
    ok "kubelet already runs $TARGET"
    return 0
  fi
  step "kubelet restart"
  NODEPREP_UNIT=kubelet
  systemctl daemon-reload
  systemctl restart kubelet
  changed "restarted kubelet on $NODE_NAME (was ${version:-unknown})"
}

ETCD_CONTAINER=""
etcd_members_healthy() {
  ETCD_CONTAINER=$(crictl --runtime-endpoint "$CRI_SOCKET" ps --name '^etcd$' --state running --quiet 2>/dev/null | head -n 1 || true)
  [[ -n "$ETCD_CONTAINER" ]] || return 1
  crictl --runtime-endpoint "$CRI_SOCKET" exec "$ETCD_CONTAINER" etcdctl \
    --endpoints=https://127.0.0.1:2379 \
    --cacert=/etc/kubernetes/pki/etcd/ca.crt \
    --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt \
    --key=/etc/kubernetes/pki/etcd/healthcheck-client.key endpoint health --cluster >>"$KUBEADM_LOG" 2>&1
}

# After a control plane's upgrade: its apiserver answers /readyz, its Node is Ready at the target,
# and every etcd member is healthy.
wait_control_plane_upgraded() {
  local attempts="${READY_ATTEMPTS:-30}"
  step "apiserver of $NODE_NAME answers /readyz"
  retry_backoff "$attempts" 2 15 readyz_ok "$NODE_ADDRESS" "$APISERVER_PORT" ||
    die "the apiserver of $NODE_NAME ($NODE_ADDRESS:$APISERVER_PORT) does not answer /readyz after its upgrade to $TARGET"
  step "Node $NODE_NAME Ready at $TARGET"
  retry_backoff "$attempts" 2 15 node_ready_at_target ||
    die "Node $NODE_NAME is not Ready at $TARGET after its upgrade (it reports '$(node_kubelet_version kube)'); check kubelet on $NODE_NAME (journalctl -u kubelet)"
  step "etcd members healthy"
  retry_backoff "$attempts" 2 15 etcd_members_healthy ||
    die "etcd is not healthy after the upgrade of $NODE_NAME: 'etcdctl endpoint health --cluster' fails on $NODE_NAME"
  ok "$NODE_NAME: apiserver ready, Node Ready at $TARGET, etcd healthy"
}

upgrade_control_plane() {
  local first="$1" plan
  require_env NODE_ADDRESS
  use_local_admin_conf "$NODE_ADDRESS"
  if node_at_target control-plane; then
    ok "$NODE_NAME already runs $TARGET: nothing to upgrade"
    return 0
  fi
  # Never start on an unhealthy control plane: the upgrade would take its etcd member down with it.
  wait_control_plane_healthy "$NODE_NAME" "$NODE_ADDRESS"
  packages_to_target kubeadm
  if [[ "$first" == true ]]; then
    step "kubeadm upgrade plan $TARGET"
    plan=$(kubeadm upgrade plan "$TARGET" 2>&1) || { printf '%s\n' "$plan" >>"$KUBEADM_LOG"; die "kubeadm upgrade plan $TARGET failed on $NODE_NAME"; }
    printf '%s\n' "$plan" | sed 's/^/  plan: /'
    step "kubeadm upgrade apply $TARGET"
    logged kubeadm upgrade apply "$TARGET" --yes || die "kubeadm upgrade apply $TARGET failed on $NODE_NAME (kubeadm rolls a failed control-plane component back); fix the cause, then run pulumi up again"
    changed "kubeadm upgrade apply $TARGET on $NODE_NAME"
  else
    step "kubeadm upgrade node"
    logged kubeadm upgrade node || die "kubeadm upgrade node failed on $NODE_NAME"
    changed "kubeadm upgrade node on $NODE_NAME"
  fi
  packages_to_target kubelet kubectl
  restart_kubelet kube
  wait_control_plane_upgraded
}

drain_for_upgrade() {
  require_env HOST_NAME HOST_ADDRESS
  use_local_admin_conf "$HOST_ADDRESS"
  step "current version of $NODE_NAME"
  local version timeout="${DRAIN_TIMEOUT_SECONDS:-600}" blocking
  version=$(node_kubelet_version kube)
  [[ -n "$version" ]] || die "cannot read Node $NODE_NAME through $KUBE_SERVER: is it registered, does the API answer?"
  if [[ "$version" == "$TARGET" ]]; then
    ok "$NODE_NAME already runs $TARGET: no drain"
    return 0
  fi
  step "drain $NODE_NAME"
  logged kube annotate node "$NODE_NAME" "$CORDON_ANNOTATION=$TARGET" --overwrite
  if logged kube drain "$NODE_NAME" --ignore-daemonsets --delete-emptydir-data --timeout="${timeout}s"; then
    changed "cordoned and drained $NODE_NAME (evictions, PodDisruptionBudgets respected)"
    return 0
  fi
  # kubectl names each pod it could not evict: "error when evicting pods/"web-0" -n "default" ...".
  blocking=$(sed -n -E 's#.*evicting pods/"([^"]+)" -n "([^"]+)".*#\2/\1#p' "$KUBEADM_LOG" | sort -u | xargs)
  # Otherwise kubectl's own reason (e.g. a pod no controller manages: it is never deleted here).
  local why
  why=$(sed -n -E 's/^error: (.*)/\1/p' "$KUBEADM_LOG" | tail -n 1)
  why=${why:-see the kubectl output below}
  [[ -z "$blocking" ]] || why="pod(s) $blocking cannot be evicted (a PodDisruptionBudget allows no disruption now?)"
  die "drain of $NODE_NAME did not finish within ${timeout}s: $why. $NODE_NAME stays cordoned; resolve it (scale the workload, relax its PodDisruptionBudget, or drain by hand), then run pulumi up again: the upgrade resumes here"
}

upgrade_worker() {
  if node_at_target worker; then
    ok "$NODE_NAME already runs $TARGET: nothing to upgrade"
    return 0
  fi
  packages_to_target kubeadm
  step "kubeadm upgrade node"
  logged kubeadm upgrade node || die "kubeadm upgrade node failed on $NODE_NAME"
  changed "kubeadm upgrade node on $NODE_NAME"
  packages_to_target kubelet kubectl
  restart_kubelet kube_as_node
  step "Node $NODE_NAME reports $TARGET"
  retry_backoff "${READY_ATTEMPTS:-30}" 2 15 node_reports_target ||
    die "the kubelet of $NODE_NAME does not report $TARGET after its restart (journalctl -u kubelet)"
  ok "kubelet of $NODE_NAME runs $TARGET"
}

uncordon_after_upgrade() {
  require_env HOST_NAME HOST_ADDRESS
  use_local_admin_conf "$HOST_ADDRESS"
  step "Node $NODE_NAME after its upgrade"
  local marked version
  marked=$(kube get node "$NODE_NAME" -o "go-template={{index .metadata.annotations \"$CORDON_ANNOTATION\"}}" 2>/dev/null || true)
  if [[ -z "$marked" || "$marked" == "<no value>" ]]; then
    version=$(node_kubelet_version kube)
    [[ "$version" == "$TARGET" ]] || die "$NODE_NAME runs '${version:-unknown}', not $TARGET, after its upgrade step"
    ok "$NODE_NAME runs $TARGET and no upgrade cordoned it"
    return 0
  fi
  retry_backoff "${READY_ATTEMPTS:-30}" 2 15 node_ready_at_target ||
    die "Node $NODE_NAME is not Ready at $TARGET (it reports '$(node_kubelet_version kube)'); it stays cordoned: check kubelet on $NODE_NAME, then run pulumi up again"
  logged kube uncordon "$NODE_NAME"
  logged kube annotate node "$NODE_NAME" "$CORDON_ANNOTATION-"
  changed "uncordoned $NODE_NAME (Ready at $TARGET)"
}

main() {
  kubeadm_begin "upgrade ${UPGRADE_ACTION:-}"
  require_env UPGRADE_ACTION NODE_NAME KUBERNETES_VERSION
  K8S_VERSION=$KUBERNETES_VERSION
  [[ "$K8S_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "KUBERNETES_VERSION: invalid value '$K8S_VERSION'; expected <major>.<minor>.<patch>, e.g. 1.34.4"
  TARGET="v$K8S_VERSION"
  RETRIES=${KUBERNETES_REPO_RETRIES:-5}
  RETRY_DELAY=${KUBERNETES_REPO_RETRY_DELAY_SECONDS:-10}
  detect_os_family
  default_repo_url
  ensure_tools
  case "$UPGRADE_ACTION" in
    first-control-plane) upgrade_control_plane true ;;
    control-plane) upgrade_control_plane false ;;
    drain) drain_for_upgrade ;;
    worker) upgrade_worker ;;
    uncordon) uncordon_after_upgrade ;;
    *) die "UPGRADE_ACTION must be first-control-plane, control-plane, drain, worker or uncordon, got '$UPGRADE_ACTION'" ;;
  esac
  nodeprep_end
}

main "$@"
