#!/usr/bin/env bash
# Helpers shared by the kubeadm scripts (pki, init, join, remove). Shipped after the node
# library (components/node/scripts/lib.sh) and before the script itself, so it defines
# functions only and may use the node library's step/changed/ok/die/retry/ensure_file.
# shellcheck disable=SC2034  # variables are read by the sourcing scripts
#
# Secrets (bootstrap token, PEM keys) arrive as environment variables
# exported at the top of stdin, never on the command line, and are never printed: output is
# filtered for bootstrap tokens on top of the node library's URL-credential mask.
set -euo pipefail

KUBERNETES_DIR=/etc/kubernetes
PKI_DIR=/etc/kubernetes/pki
MANIFESTS_DIR=/etc/kubernetes/manifests
ADMIN_CONF=/etc/kubernetes/admin.conf
KUBELET_CONF=/etc/kubernetes/kubelet.conf
KUBE_VIP_MANIFEST_PATH=/etc/kubernetes/manifests/kube-vip.yaml
# Where kubeadm upgrade writes its backups (kubeadm-backup-etcd-*, kubeadm-backup-manifests-*).
UPGRADE_BACKUP_DIR=/etc/kubernetes/tmp
CONTROL_PLANE_MANIFESTS=(kube-apiserver.yaml kube-controller-manager.yaml kube-scheduler.yaml etcd.yaml)
KUBEADM_LOG=""
KUBEADM_TMP_FILES=()

# Bootstrap tokens have a fixed shape; whatever prints one (kubeadm init's closing hint) is masked.
kubeadm_mask() {
  sed -u -E 's/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/[bootstrap-token]/g'
}

kubeadm_begin() {
  nodeprep_begin "$1"
  exec > >(kubeadm_mask) 2>&1
  KUBEADM_LOG=$(mktemp /tmp/kubeadm-out.XXXXXX)
  KUBEADM_TMP_FILES+=("$KUBEADM_LOG")
  trap 'rm -f "$NODEPREP_PM_LOG" "${KUBEADM_TMP_FILES[@]}"' EXIT
  : "${APISERVER_PORT:=6443}"
  : "${CRI_SOCKET:=unix:///run/containerd/containerd.sock}"
  : "${RESET_STALE_STATE:=false}"
}

url_host() {
  case "$1" in
    *:*) printf '[%s]' "$1" ;;
    *) printf '%s' "$1" ;;
  esac
}

tcp_open() {
  # shellcheck disable=SC2016  # expanded by the inner bash
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# HTTP status of GET /readyz (000 when nothing answers). /readyz is readable anonymously.
readyz_code() {
  curl --silent --insecure --noproxy '*' --max-time 5 --output /dev/null --write-out '%{http_code}' \
    "https://$(url_host "$1"):$2/readyz" 2>/dev/null || true
}

readyz_ok() { [[ "$(readyz_code "$1" "$2")" == 200 ]]; }
local_apiserver_ready() { readyz_ok 127.0.0.1 "$APISERVER_PORT"; }
# shellcheck disable=SC2153  # API_ENDPOINT_* are parameters of the sourcing script
endpoint_ready() { readyz_ok "$API_ENDPOINT_HOST" "$API_ENDPOINT_PORT"; }

control_plane_addresses() {
  local IFS=,
  # shellcheck disable=SC2086  # split the comma list on purpose
  printf '%s\n' ${CONTROL_PLANE_ADDRESSES:-}
}

# TCP and /readyz to the endpoint and to every apiserver, as an operator would check by hand
# (seed 000, T-032/T-042): which hop is broken, the VIP or the apiservers behind it.
endpoint_probes() {
  local address tcp
  if [[ -n "${API_ENDPOINT_HOST:-}" ]]; then
    # ip route get takes an address only: a DNS name (the usual endpoint) is resolved first.
    address=$(getent ahosts "$API_ENDPOINT_HOST" 2>/dev/null | awk 'NR == 1 { print $1 }' || true)
    if [[ -z "$address" ]]; then
      echo "route to $API_ENDPOINT_HOST: the name does not resolve on ${NODE_NAME:-$(hostname)}"
    else
      echo "route to $API_ENDPOINT_HOST ($address): $(ip route get "$address" 2>&1 | head -n 1 || true)"
    fi
    if tcp_open "$API_ENDPOINT_HOST" "$API_ENDPOINT_PORT"; then tcp=open; else tcp=closed; fi
    echo "endpoint $API_ENDPOINT_HOST:$API_ENDPOINT_PORT: tcp $tcp, /readyz $(readyz_code "$API_ENDPOINT_HOST" "$API_ENDPOINT_PORT")"
  fi
  while read -r address; do
    [[ -n "$address" ]] || continue
    if tcp_open "$address" "$APISERVER_PORT"; then tcp=open; else tcp=closed; fi
    echo "apiserver $address:$APISERVER_PORT: tcp $tcp, /readyz $(readyz_code "$address" "$APISERVER_PORT")"
  done < <(control_plane_addresses)
}

# Replaces the node library's diagnostics: kubeadm's own output, then the kubelet journal,
# the containers and the endpoint probes (seed 000, T-030/T-042).
nodeprep_diagnostics() {
  local failed_command="$1" line="$2" code="$3"
  echo "=== kubeadm diagnostics: $NODEPREP_SCRIPT failed on ${NODE_NAME:-$(hostname)} ==="
  echo "step: $NODEPREP_STEP"
  echo "failed command: $failed_command (line $line, exit code $code)"
  if [[ -n "$KUBEADM_LOG" && -s "$KUBEADM_LOG" ]]; then
    echo "--- kubeadm/kubectl output (last 60 lines) ---"
    tail -n 60 "$KUBEADM_LOG"
  fi
  if [[ -s "${NODEPREP_PM_LOG:-}" ]]; then
    echo "--- package manager output (last 20 lines) ---"
    tail -n 20 "$NODEPREP_PM_LOG"
  fi
  echo "--- systemctl status kubelet ---"
  systemctl status kubelet --no-pager 2>&1 | tail -n 12 || true
  echo "--- journalctl -u kubelet -n 60 ---"
  journalctl -u kubelet -n 60 --no-pager 2>&1 || true
  echo "--- crictl ps -a ---"
  crictl --runtime-endpoint "$CRI_SOCKET" ps -a 2>&1 || true
  echo "--- endpoint probes ---"
  endpoint_probes || true
  echo "=== end of diagnostics ==="
}


# Runs a command with its output kept for the diagnostics block and shown on success.
logged() {
  echo "+ $*" >>"$KUBEADM_LOG"
  if "$@" >>"$KUBEADM_LOG" 2>&1; then return 0; fi
  return 1
}

ensure_tools() {
  command -v curl >/dev/null 2>&1 && return 0
  detect_os_family
  ensure_packages curl
}

# kubectl with the admin.conf kubeadm wrote on this control plane, against this control plane's
# own apiserver (<address>:APISERVER_PORT, a SAN of its certificate): admin credentials never
# leave the control planes, and these steps work while the VIP does not.
use_local_admin_conf() {
  local address="$1"
  [[ -f "$ADMIN_CONF" ]] ||
    die "$ADMIN_CONF is missing on $(hostname): this step must run on an initialised control plane (the first one, after kubeadm init)"
  ADMIN_KUBECONFIG_FILE="$ADMIN_CONF"
  KUBE_SERVER="https://$(url_host "$address"):$APISERVER_PORT"
}

kube() {
  kubectl --kubeconfig "$ADMIN_KUBECONFIG_FILE" --server "$KUBE_SERVER" --request-timeout=20s "$@"
}

node_registered() {
  kube get node "$1" --output name >/dev/null 2>&1
}

# none | running | stale: control-plane state on this host. A host with control-plane
# manifests, etcd data or a kubelet.conf whose local apiserver does not answer within
# STALE_WAIT_SECONDS is half-initialised (seed 000, T-034). kube-vip.yaml alone is not state.
node_kubeadm_state() {
  local has_state=false manifest waited=0 wait="${STALE_WAIT_SECONDS:-90}"
  for manifest in "${CONTROL_PLANE_MANIFESTS[@]}"; do
    [[ -e "$MANIFESTS_DIR/$manifest" ]] && has_state=true
  done
  [[ -d /var/lib/etcd/member ]] && has_state=true
  [[ -e "$KUBELET_CONF" ]] && has_state=true
  if [[ "$has_state" == false ]]; then echo none; return 0; fi
  if [[ ! -e "$MANIFESTS_DIR/kube-apiserver.yaml" ]]; then echo stale; return 0; fi
  # Right after a reboot the apiserver takes a while: give it time before calling it stale.
  until local_apiserver_ready; do
    if (( waited >= wait )); then echo stale; return 0; fi
    sleep 5
    waited=$((waited + 5))
  done
  echo running
}

# kubeadm reset -f, keeping what Pulumi placed on a control plane and kubeadm would wipe: the
# shared CA keys, the service-account keys and the kube-vip manifest. A worker has nothing of the
# kind: its pki/ca.crt comes from its own join, and a kept one makes the next join's preflight
# fail (FileAvailable--etc-kubernetes-pki-ca.crt), so a worker is reset plainly.
reset_preserving_cluster_identity() {
  local keep file
  if [[ "${JOIN_ROLE:-control-plane}" == worker ]]; then
    logged kubeadm reset -f --cri-socket "$CRI_SOCKET"
    changed "kubeadm reset -f on ${NODE_NAME}"
    return 0
  fi
  etcd_member_out_before_reset
  keep=$(mktemp -d /run/onprem-k8s-keep.XXXXXX)
  KUBEADM_TMP_FILES+=("$keep")
  for file in ca.crt ca.key sa.key sa.pub front-proxy-ca.crt front-proxy-ca.key etcd/ca.crt etcd/ca.key; do
    if [[ -f "$PKI_DIR/$file" ]]; then
      mkdir -p "$keep/pki/$(dirname "$file")"
      cp -p "$PKI_DIR/$file" "$keep/pki/$file"
    fi
  done
  [[ -f "$KUBE_VIP_MANIFEST_PATH" ]] && cp -p "$KUBE_VIP_MANIFEST_PATH" "$keep/kube-vip.yaml"
  logged kubeadm reset -f --cri-socket "$CRI_SOCKET"
  if [[ -d "$keep/pki" ]]; then
    mkdir -p "$PKI_DIR"
    cp -rp "$keep/pki/." "$PKI_DIR/"
  fi
  if [[ -f "$keep/kube-vip.yaml" ]]; then
    mkdir -p "$MANIFESTS_DIR"
    cp -p "$keep/kube-vip.yaml" "$KUBE_VIP_MANIFEST_PATH"
  fi
  rm -rf "$keep"
  changed "kubeadm reset -f on ${NODE_NAME} (cluster CA, service-account keys and kube-vip manifest kept)"
}

# A joining control plane whose etcd manifest is written has added its etcd member (a learner,
# promoted once in sync), and a promoted member counts toward quorum: with two members there is
# none while it is down, as on a node restarted mid-join whose kubelet has not started it again.
# kubeadm reset wipes /var/lib/etcd even when it does not remove the member: without the API, or
# without the node's registration (its Node, which a join stopped early has not registered yet),
# it only warns (v1.34 reset/removeetcdmember.go), and quorum would be lost for good. So the
# previous control plane's /readyz (its etcd has quorum) is awaited first, kubelet started so the
# node's static Pods bring the member back, and a running member is removed through its own etcd
# before the reset. One that does not run did not count toward that quorum (a learner, or one of
# three): the join that follows takes it over (kubeadm reuses a member of the same peer URL).
etcd_member_out_before_reset() {
  [[ "${JOIN_ROLE:-}" == control-plane && -n "${PREVIOUS_CONTROL_PLANE_ADDRESS:-}" && -f "$MANIFESTS_DIR/etcd.yaml" ]] || return 0
  if ! readyz_ok "$PREVIOUS_CONTROL_PLANE_ADDRESS" "$APISERVER_PORT"; then
    step "etcd quorum before resetting $NODE_NAME (its etcd member may count toward it)"
    if ! unit_active kubelet; then
      systemctl start kubelet
      changed "started kubelet on $NODE_NAME: its static Pods bring its etcd member back"
    fi
    retry_backoff "${HEALTH_ATTEMPTS:-12}" 5 30 readyz_ok "$PREVIOUS_CONTROL_PLANE_ADDRESS" "$APISERVER_PORT" ||
      die "not resetting $NODE_NAME: the interrupted join added its etcd member, and the apiserver of ${PREVIOUS_CONTROL_PLANE:-the previous control plane} ($PREVIOUS_CONTROL_PLANE_ADDRESS:$APISERVER_PORT) does not answer /readyz, so etcd may have no quorum without this member; a reset now would wipe /var/lib/etcd without removing the member and lose quorum for good. On $NODE_NAME: start kubelet ('systemctl start kubelet') and check its etcd ('crictl ps --name etcd', 'crictl logs <id>') until ${PREVIOUS_CONTROL_PLANE:-the previous control plane} answers, then run pulumi up again."
    ok "${PREVIOUS_CONTROL_PLANE:-the previous control plane} answers /readyz: etcd has quorum"
  fi
  remove_running_own_etcd_member
}

etcdctl_in() { # container, etcdctl arguments
  local container="$1"
  shift
  crictl --runtime-endpoint "$CRI_SOCKET" exec "$container" etcdctl --endpoints=https://127.0.0.1:2379 \
    --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt \
    --key=/etc/kubernetes/pki/etcd/healthcheck-client.key "$@"
}

# The member of this node's peer URL, removed through its own running etcd (the leader applies it).
remove_running_own_etcd_member() {
  local container members id peer
  container=$(static_pod_container etcd)
  [[ -n "$container" ]] || return 0
  peer="https://$(url_host "$NODE_ADDRESS"):2380"
  members=$(etcdctl_in "$container" member list 2>>"$KUBEADM_LOG") ||
    die "not resetting $NODE_NAME: its etcd runs but 'etcdctl member list' fails through it (crictl logs $container); run pulumi up again once it answers"
  id=$(awk -F', ' -v peer="$peer" '$4 == peer { print $1 }' <<<"$members")
  # Alone in its member list, it is a cluster of its own (a stale node's): nothing to protect.
  [[ -n "$id" && "$(grep -c . <<<"$members")" -gt 1 ]] || return 0
  etcdctl_in "$container" member remove "$id" >>"$KUBEADM_LOG" 2>&1 ||
    die "not resetting $NODE_NAME: removing its etcd member $id ($peer) failed (kubeadm/kubectl output below); run pulumi up again"
  changed "removed the etcd member $id of $NODE_NAME ($peer) before its reset"
}

# Stops (or, with RESET_STALE_STATE=true, resets) a half-initialised node.
handle_stale_state() {
  local what="$1"
  if [[ "$RESET_STALE_STATE" != true ]]; then
    die "$NODE_NAME holds a half-initialised $what (control-plane manifests, /var/lib/etcd or kubelet.conf present, but its API does not answer). Inspect it, then either run 'kubeadm reset -f' on $NODE_NAME or set cluster.kubeadm.resetStaleState: true and run pulumi up again."
  fi
  note "$NODE_NAME holds a half-initialised $what; resetting it (kubeadm.resetStaleState is true)"
  reset_preserving_cluster_identity
}

# --- kubeadm runs that were interrupted (docs/recovery.md) ---
# A run stopped mid-way (the Pulumi CLI killed, CI cancelled, the node restarted) leaves kubeadm's
# files and no word about them: the next run would take them for a foreign half-initialised node
# and stop, or (an init killed once its control plane answered) for a finished init and skip the
# phases that never ran. The attempt marker says they are this program's own, from an init or
# join of this node that never finished: they are reset (the cluster's identity kept) and the
# step starts over. The lock is held by the script and every kubeadm it starts: a kubeadm still
# running from the interrupted run is waited for, never raced.
KUBEADM_ATTEMPT_DIR=/var/lib/onprem-k8s
KUBEADM_ATTEMPT_MARKER=$KUBEADM_ATTEMPT_DIR/kubeadm-attempt
KUBEADM_LOCK_FD=""

hold_kubeadm_lock() {
  mkdir -p "$KUBEADM_ATTEMPT_DIR"
  exec {KUBEADM_LOCK_FD}>"$KUBEADM_ATTEMPT_DIR/kubeadm.lock"
  flock -n "$KUBEADM_LOCK_FD" && return 0
  note "a kubeadm started by an earlier, interrupted run still runs on $NODE_NAME; waiting for it to end"
  flock -w "${KUBEADM_LOCK_WAIT_SECONDS:-600}" "$KUBEADM_LOCK_FD" ||
    die "a kubeadm started by an earlier run still runs on $NODE_NAME after ${KUBEADM_LOCK_WAIT_SECONDS:-600}s ('pgrep -a kubeadm'): let it end or stop it, then run pulumi up again"
}

# Written (and on disk) before kubeadm <init|join> runs, removed once it has answered.
begin_kubeadm_attempt() {
  mkdir -p "$KUBEADM_ATTEMPT_DIR"
  printf '%s %s\n' "$1" "$NODE_NAME" >"$KUBEADM_ATTEMPT_MARKER"
  sync "$KUBEADM_ATTEMPT_MARKER" 2>/dev/null || sync
}

end_kubeadm_attempt() {
  rm -f "$KUBEADM_ATTEMPT_MARKER"
}

# Resets what an interrupted kubeadm <init|join> of this node left, so the step starts over.
recover_interrupted_attempt() {
  [[ -f "$KUBEADM_ATTEMPT_MARKER" && "$(cat "$KUBEADM_ATTEMPT_MARKER")" == "$1 $NODE_NAME" ]] || return 0
  note "an earlier kubeadm $1 of $NODE_NAME was interrupted before it finished (its run was stopped or the node restarted); resetting what it left and starting over"
  reset_preserving_cluster_identity
  end_kubeadm_attempt
}

# Places one PKI file from an environment variable. A different CA or service-account key
# already on the host is never overwritten: it belongs to another cluster (or an older one).
place_pki_file() {
  local var="$1" file="$2" mode="$3" guarded="$4" content
  content="${!var:-}"
  [[ -n "$content" ]] || die "required parameter $var is empty"
  if [[ -f "$PKI_DIR/$file" && "$guarded" == true ]] && [[ "$(cat "$PKI_DIR/$file")" != "$(printf '%s' "$content")" ]]; then
    die "refusing to overwrite $PKI_DIR/$file on $NODE_NAME: it holds a DIFFERENT key or CA than this cluster's (another cluster's PKI?). If this host may be wiped, run 'kubeadm reset -f' and remove $PKI_DIR on it, then run pulumi up again."
  fi
  ensure_file "$PKI_DIR/$file" "$mode" "$content"
}

write_pki() {
  step "cluster PKI in $PKI_DIR"
  mkdir -p "$PKI_DIR/etcd"
  chmod 755 "$PKI_DIR"
  place_pki_file PKI_CA_CRT ca.crt 644 true
  place_pki_file PKI_CA_KEY ca.key 600 true
  place_pki_file PKI_ETCD_CA_CRT etcd/ca.crt 644 true
  place_pki_file PKI_ETCD_CA_KEY etcd/ca.key 600 true
  place_pki_file PKI_FRONT_PROXY_CA_CRT front-proxy-ca.crt 644 true
  place_pki_file PKI_FRONT_PROXY_CA_KEY front-proxy-ca.key 600 true
  place_pki_file PKI_SA_KEY sa.key 600 true
  place_pki_file PKI_SA_PUB sa.pub 644 true
}

# A kubeadm config (the parameter named by $2, default KUBEADM_CONFIG) with the token
# placeholder substituted, in a root-only file. Only the placeholder named here is replaced
# (the same contract as envsubst '${KUBEADM_TOKEN}').
render_kubeadm_config() {
  local target="$1" source="${2:-KUBEADM_CONFIG}" content
  require_env "$source" KUBEADM_TOKEN
  [[ "$KUBEADM_TOKEN" =~ ^[a-z0-9]{6}\.[a-z0-9]{16}$ ]] || die "KUBEADM_TOKEN is not a kubeadm bootstrap token ([a-z0-9]{6}.[a-z0-9]{16})"
  content="${!source}"
  # shellcheck disable=SC2016  # the literal placeholder text
  content="${content//'${KUBEADM_TOKEN}'/$KUBEADM_TOKEN}"
  umask 077
  printf '%s\n' "$content" >"$target"
  umask 022
}

# Makes sure the bootstrap token exists and stays valid for at least 30 minutes: a node added
# months after init joins with no manual step. Written as kubeadm's bootstrap-token Secret
# (stdin to kubectl: the token never reaches a command line). Runs on the first control plane
# (token.sh), before the node's join.
ensure_bootstrap_token() {
  step "bootstrap token"
  local id="${KUBEADM_TOKEN%%.*}" secret="${KUBEADM_TOKEN#*.}" expiration="" expires_at now ttl="${BOOTSTRAP_TOKEN_TTL_SECONDS:-7200}"
  expiration=$(kube -n kube-system get secret "bootstrap-token-$id" -o 'jsonpath={.data.expiration}' 2>/dev/null | base64 -d 2>/dev/null || true)
  now=$(date +%s)
  if [[ -n "$expiration" ]] && expires_at=$(date -d "$expiration" +%s 2>/dev/null) && (( expires_at - now > 1800 )); then
    ok "bootstrap token $id valid until $expiration"
    return 0
  fi
  expiration=$(date -u -d "@$((now + ttl))" +%Y-%m-%dT%H:%M:%SZ)
  logged kube apply -f - <<MANIFEST || die "could not create bootstrap token $id through $KUBE_SERVER"
apiVersion: v1
kind: Secret
metadata:
  name: bootstrap-token-$id
  namespace: kube-system
type: bootstrap.kubernetes.io/token
stringData:
  description: onprem-k8s join token, refreshed before each join
  token-id: $id
  token-secret: $secret
  expiration: "$expiration"
  usage-bootstrap-authentication: "true"
  usage-bootstrap-signing: "true"
  auth-extra-groups: system:bootstrappers:kubeadm:default-node-token
MANIFEST
  changed "bootstrap token $id valid until $expiration"
}

# A control plane is healthy when its apiserver's /readyz (which includes its local etcd
# member) answers 200 and its etcd static Pod is Ready in the API.
control_plane_healthy() {
  local name="$1" address="$2" ready
  readyz_ok "$address" "$APISERVER_PORT" || return 1
  ready=$(kube -n kube-system get pod "etcd-$name" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)
  [[ "$ready" == True ]]
}

wait_control_plane_healthy() {
  local name="$1" address="$2"
  step "control plane $name healthy (apiserver /readyz and etcd member)"
  retry_backoff "${HEALTH_ATTEMPTS:-12}" 5 30 control_plane_healthy "$name" "$address" ||
    die "control plane $name ($address) is not healthy: its apiserver /readyz or its etcd Pod is not ready"
  ok "control plane $name is healthy"
}

wait_endpoint() {
  step "API endpoint $API_ENDPOINT_HOST:$API_ENDPOINT_PORT answers /readyz"
  retry_backoff "${ENDPOINT_ATTEMPTS:-10}" 3 30 endpoint_ready ||
    die "the API endpoint $API_ENDPOINT_HOST:$API_ENDPOINT_PORT does not answer /readyz from $NODE_NAME (see the probes below: endpoint vs apiservers)"
  ok "API endpoint $API_ENDPOINT_HOST:$API_ENDPOINT_PORT is ready"
}

# Which apiserver a join talks to (seed 000, T-038/T-039): prints "endpoint" when the API
# endpoint answers /readyz (ENDPOINT_ATTEMPTS tries), else "fallback" when the first control
# plane's own apiserver FALLBACK_API_HOST:APISERVER_PORT does (FALLBACK_ATTEMPTS tries); fails
# when neither answers. Progress goes to stderr: stdout is the choice only.
join_endpoint_choice() {
  if retry_backoff "${ENDPOINT_ATTEMPTS:-10}" 3 30 endpoint_ready >&2; then
    echo endpoint
    return 0
  fi
  if [[ -n "${FALLBACK_API_HOST:-}" ]] && retry_backoff "${FALLBACK_ATTEMPTS:-3}" 3 10 readyz_ok "$FALLBACK_API_HOST" "$APISERVER_PORT" >&2; then
    echo fallback
    return 0
  fi
  return 1
}

# --- static Pods (renew-certs.sh, adopt-endpoint.sh: restarted after their certificates or kubeconfigs changed) ---

# Outside the manifests directory: kubelet must not see a held manifest.
HELD_MANIFESTS_DIR=/var/lib/onprem-k8s/held-manifests

held_manifests() {
  [[ -d "$HELD_MANIFESTS_DIR" ]] && [[ -n "$(ls -A "$HELD_MANIFESTS_DIR")" ]]
}

pod_stopped() { [[ -z "$(static_pod_container "$1")" ]]; }
pod_running() { [[ -n "$(static_pod_container "$1")" ]]; }
local_apiserver_answers() { readyz_ok "$NODE_ADDRESS" "$APISERVER_PORT"; }

# A manifest a run left outside /etc/kubernetes/manifests goes back first: kubelet starts its Pod.
restore_held_manifests() {
  local held
  held_manifests || return 0
  for held in "$HELD_MANIFESTS_DIR"/*.yaml; do
    [[ -f "$held" ]] || continue
    if [[ -e "$MANIFESTS_DIR/$(basename "$held")" ]]; then
      die "$(basename "$held") is both in $MANIFESTS_DIR and held in $HELD_MANIFESTS_DIR on $NODE_NAME: keep the one kubeadm wrote last, remove the other, then run pulumi up again"
    fi
    mv "$held" "$MANIFESTS_DIR/"
    changed "put $(basename "$held") back into $MANIFESTS_DIR (a run before stopped while it was held out)"
  done
}

# kubeadm's way to restart a static Pod: kubelet stops it when its manifest leaves the directory
# and starts it again when the manifest is back.
restart_static_pod() {
  local pod="$1" attempts="${RESTART_ATTEMPTS:-45}"
  [[ -f "$MANIFESTS_DIR/$pod.yaml" ]] || return 0
  step "restart of the $pod static Pod on $NODE_NAME"
  mkdir -p "$HELD_MANIFESTS_DIR"
  mv "$MANIFESTS_DIR/$pod.yaml" "$HELD_MANIFESTS_DIR/$pod.yaml"
  if ! retry "$attempts" 2 pod_stopped "$pod"; then
    mv "$HELD_MANIFESTS_DIR/$pod.yaml" "$MANIFESTS_DIR/$pod.yaml"
    die "kubelet on $NODE_NAME did not stop $pod after its manifest left $MANIFESTS_DIR (journalctl -u kubelet); the manifest is back, run pulumi up again"
  fi
  mv "$HELD_MANIFESTS_DIR/$pod.yaml" "$MANIFESTS_DIR/$pod.yaml"
  retry "$attempts" 2 pod_running "$pod" ||
    die "kubelet on $NODE_NAME did not start $pod again from $MANIFESTS_DIR/$pod.yaml (journalctl -u kubelet, crictl ps -a --name $pod)"
  changed "restarted $pod on $NODE_NAME"
  case "$pod" in
    etcd)
      retry_backoff "${HEALTH_ATTEMPTS:-12}" 5 30 local_etcd_healthy ||
        die "etcd on $NODE_NAME is not healthy after its restart (crictl logs of the etcd container)" ;;
    kube-apiserver)
      retry_backoff "${HEALTH_ATTEMPTS:-12}" 5 30 local_apiserver_answers ||
        die "the apiserver on $NODE_NAME ($NODE_ADDRESS:$APISERVER_PORT) does not answer /readyz after its restart" ;;
  esac
}

# --- certificates (renew-certs.sh; any step that changes certificates reports the same way) ---

# The lines around the expiry report; components/kubeadm/cert-expiry.ts looks for the same ones.
CERTIFICATE_EXPIRY_BEGIN="=== kubeadm certs check-expiration -o json ==="
CERTIFICATE_EXPIRY_END="=== end of certificate expiration ==="

# Prints kubeadm's CertificateExpirationInfo (JSON) between the marker lines: the program reads
# the step's stdout and exports when this control plane's certificates expire.
report_certificate_expiry() {
  local report
  step "certificate expiration on ${NODE_NAME:-$(hostname)}"
  report=$(kubeadm certs check-expiration -o json 2>>"$KUBEADM_LOG") ||
    die "kubeadm certs check-expiration failed on ${NODE_NAME:-$(hostname)}"
  printf '%s\n%s\n%s\n' "$CERTIFICATE_EXPIRY_BEGIN" "$report" "$CERTIFICATE_EXPIRY_END"
}

# The running container of a static Pod on this node ("" when none runs).
static_pod_container() {
  crictl --runtime-endpoint "$CRI_SOCKET" ps --name "^$1\$" --state running --quiet 2>/dev/null | head -n 1 || true
}

# This node's etcd member answers `etcdctl endpoint health` (etcdctl inside its etcd container,
# with the healthcheck client certificate kubeadm issued).
local_etcd_healthy() {
  local container
  container=$(static_pod_container etcd)
  [[ -n "$container" ]] || return 1
  etcdctl_in "$container" endpoint health >/dev/null 2>&1
}

# The Node's Ready condition is True in the API (kube: use_local_admin_conf first).
node_ready() {
  [[ "$(kube get node "$1" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)" == True ]]
}

# --- adoption (adopt-*.sh; components/kubeadm/adoption.ts reads the same markers) ---

ADOPTION_BEGIN="=== onprem-k8s adoption:"
ADOPTION_END="=== end of adoption item ==="
