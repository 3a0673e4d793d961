#!/usr/bin/env bash
# shellcheck disable=SC2153  # NODES and the other parameters come from the environment
# One acceptance check (components/checks), run by `pulumi up` as root after the add-ons: on the
# first control plane, or on each control plane in turn for vip-failover. It retries until the
# cluster passes or TIMEOUT_SECONDS is over, then prints `PASS <check>: ...` or `FAIL <check>: ...`
# and, on failure, the diagnostics that tell what is wrong (which apiserver, which node and why,
# which member). Test objects live in CHECK_NAMESPACE and stay until the `cleanup` check, the
# last step, deletes them (unless KEEP_OBJECTS is true): the machine running Pulumi probes the
# addresses after these checks, and a failed update leaves them for a look. workload-checks.sh
# and vip-failover.sh, bundled before this file, hold the checks that make objects and the
# failover. Safe to re-run from any point.
#
# Environment: CHECK, KUBECONFIG, TIMEOUT_SECONDS; per check:
#   endpoint-readyz: ENDPOINT_URL
#   apiserver-readyz: APISERVERS (name=https://address:6443, comma-separated)
#   nodes: NODES (names, comma-separated), KUBERNETES_VERSION (v1.34.4)
#   etcd: CONTROL_PLANES (names), CRI_SOCKET, ETCD_PKI
#   cni: CNI_DAEMONSET (namespace/name), NODES
#   pod-network: NODES, PROBE_IMAGE, CHECK_NAMESPACE
#   dns: CLUSTER_DOMAIN, PROBE_IMAGE, CHECK_NAMESPACE
#   metrics: NODES
#   storage: PROBE_IMAGE, CHECK_NAMESPACE
#   load-balancer: PROBE_IMAGE, CHECK_NAMESPACE, POOLS (address blocks, comma-separated)
#   ingress: PROBE_IMAGE, CHECK_NAMESPACE, INGRESS_KIND (gateway or ingress), ROUTE_HOST,
#            INGRESS_SERVICE (namespace/name), INGRESS_ADDRESS (the fixed address, or empty),
#            GATEWAY (namespace/name) or INGRESS_CLASS
#   mtu: NODE_ADDRESSES (name=address, comma-separated), MTU
#   vip-failover: VIP, ENDPOINT_URL, VIP_SERVICE (keepalived or kube-vip), KUBE_VIP_MANIFEST (kube-vip)
#   cleanup: CHECK_NAMESPACE, KEEP_OBJECTS
set -uo pipefail

: "${CHECK:?}" "${KUBECONFIG:?}"
export KUBECONFIG
TIMEOUT_SECONDS=${TIMEOUT_SECONDS:-300}
RETRY_SECONDS=${RETRY_SECONDS:-5}
CHECK_NAMESPACE=${CHECK_NAMESPACE:-onprem-k8s-acceptance}
KEEP_OBJECTS=${KEEP_OBJECTS:-false}
CRI_SOCKET=${CRI_SOCKET:-unix:///run/containerd/containerd.sock}
ETCD_PKI=${ETCD_PKI:-/etc/kubernetes/pki/etcd}
# This control plane's etcd member.
ETCD_ENDPOINT=${ETCD_ENDPOINT:-https://127.0.0.1:2379}

# Each check function sets SUMMARY (one line) and DIAGNOSTICS (what to look at) and returns 0 or 1.
SUMMARY="" DIAGNOSTICS=""
fail_with() {
  SUMMARY=$1
  DIAGNOSTICS=${2:-}
  return 1
}
split() { tr ',' '\n' <<<"$1" | sed '/^$/d'; }

check_endpoint_readyz() {
  local body
  if body=$(curl --silent --show-error --insecure --max-time 10 "$ENDPOINT_URL/readyz" 2>&1) && [[ "$body" == ok ]]; then
    SUMMARY="the API answers ok through the endpoint $ENDPOINT_URL"
    return 0
  fi
  fail_with "the API does not answer through the endpoint $ENDPOINT_URL/readyz" "$body"$'\n'"$(curl --silent --insecure --max-time 10 "$ENDPOINT_URL/readyz?verbose" 2>&1 | grep -v '^\[+\]' || true)"
}

check_apiserver_readyz() {
  local entry name url body failed=() passed=() details=""
  while IFS= read -r entry; do
    name=${entry%%=*} url=${entry#*=}
    if body=$(curl --silent --show-error --insecure --max-time 10 "$url/readyz" 2>&1) && [[ "$body" == ok ]]; then
      passed+=("$name")
    else
      failed+=("$name")
      details+="$name ($url/readyz): ${body:-no answer}"$'\n'
    fi
  done < <(split "$APISERVERS")
  if ((${#failed[@]} == 0)); then
    SUMMARY="every apiserver answers ok directly: ${passed[*]}"
    return 0
  fi
  fail_with "the apiserver on ${failed[*]} does not answer (answering: ${passed[*]:-none})" "$details"
}

check_nodes() {
  local listing name version ready reason message expected problems=""
  listing=$(kubectl get nodes --request-timeout=20s -o jsonpath='{range .items[*]}{.metadata.name}{"\t"}{.status.nodeInfo.kubeletVersion}{"\t"}{range .status.conditions[?(@.type=="Ready")]}{.status}{"\t"}{.reason}{"\t"}{.message}{end}{"\n"}{end}' 2>&1) ||
    { fail_with "the node list cannot be read" "$listing"; return 1; }
  while IFS= read -r expected; do
    line=$(awk -F'\t' -v n="$expected" '$1 == n' <<<"$listing")
    if [[ -z "$line" ]]; then
      problems+="$expected: not registered"$'\n'
      continue
    fi
    IFS=$'\t' read -r name version ready reason message <<<"$line"
    [[ "$ready" == True ]] || problems+="$name: Ready=$ready ($reason: $message)"$'\n'
    [[ "$version" == "$KUBERNETES_VERSION" ]] || problems+="$name: kubelet $version, expected $KUBERNETES_VERSION"$'\n'
  done < <(split "$NODES")
  if [[ -z "$problems" ]]; then
    SUMMARY="all $(split "$NODES" | wc -l) nodes Ready at $KUBERNETES_VERSION"
    return 0
  fi
  fail_with "not every node is Ready at $KUBERNETES_VERSION: $(cut -d: -f1 <<<"$problems" | tr '\n' ' ')" "$problems"
}

check_etcd() {
  local container members health missing="" leaving="" stale="" cp name
  container=$(crictl --runtime-endpoint "$CRI_SOCKET" ps --name '^etcd$' --state running --quiet 2>/dev/null | head -n 1)
  [[ -n "$container" ]] || { fail_with "no running etcd container on $(hostname)" "$(crictl --runtime-endpoint "$CRI_SOCKET" ps -a --name etcd 2>&1)"; return 1; }
  etcdctl() { crictl --runtime-endpoint "$CRI_SOCKET" exec "$container" etcdctl --endpoints="$ETCD_ENDPOINT" --cacert="$ETCD_PKI/ca.crt" --cert="$ETCD_PKI/healthcheck-client.crt" --key="$ETCD_PKI/healthcheck-client.key" --command-timeout=10s "$@"; }
  members=$(etcdctl member list 2>&1) || { fail_with "the etcd member list cannot be read" "$members"; return 1; }
  while IFS= read -r cp; do
    awk -F', ' -v n="$cp" '$3 == n && $2 == "started" {found = 1} END {exit !found}' <<<"$members" || missing+="$cp "
  done < <(split "$CONTROL_PLANES")
  # A member of a control plane the description no longer lists: while its Node is registered it
  # is leaving in this update (Pulumi deletes the removed nodes' steps after these checks, and
  # membership.sh removes the member before the Node); without a Node it is stale.
  while IFS= read -r name; do
    split "$CONTROL_PLANES" | grep -qxF -- "$name" && continue
    if kubectl get node "$name" --request-timeout=20s >/dev/null 2>&1; then leaving+="$name "; else stale+="${name:-(unnamed)} "; fi
  done < <(awk -F', ' '{print $3}' <<<"$members")
  health=$(etcdctl endpoint health --cluster 2>&1)
  local healthy=$?
  if [[ -z "$missing" && -z "$stale" && $healthy -eq 0 ]]; then
    SUMMARY="etcd has one healthy member per control plane: $(split "$CONTROL_PLANES" | tr '\n' ' ')${leaving:+(and the members of ${leaving% }, control planes this update removes)}"
    return 0
  fi
  fail_with "etcd is not one healthy member per control plane${missing:+ (no started member: $missing)}${stale:+ (members of no described control plane and no Node: ${stale% })}" "member list:"$'\n'"$members"$'\n'"endpoint health:"$'\n'"$health"
}

check_cni() {
  local ns=${CNI_DAEMONSET%%/*} name=${CNI_DAEMONSET#*/} status desired ready nodes
  nodes=$(split "$NODES" | wc -l)
  status=$(kubectl -n "$ns" get daemonset "$name" --request-timeout=20s -o jsonpath='{.status.desiredNumberScheduled} {.status.numberReady}' 2>&1) ||
    { fail_with "the CNI DaemonSet $CNI_DAEMONSET cannot be read" "$status"; return 1; }
  read -r desired ready <<<"$status"
  if [[ "$desired" == "$nodes" && "$ready" == "$nodes" ]]; then
    SUMMARY="CNI $CNI_DAEMONSET Running and Ready on all $nodes nodes"
    return 0
  fi
  fail_with "CNI $CNI_DAEMONSET is Ready on ${ready:-0} of $nodes nodes (scheduled: ${desired:-0})" "$(kubectl -n "$ns" get pods -o wide 2>&1 | grep -E "^NAME|$name" || true)"
}

check_metrics() {
  local listing missing="" node
  listing=$(kubectl get --raw /apis/metrics.k8s.io/v1beta1/nodes --request-timeout=20s 2>&1) || { fail_with "the metrics API does not answer" "$listing"$'\n'"$(kubectl get apiservice v1beta1.metrics.k8s.io 2>&1)"; return 1; }
  while IFS= read -r node; do grep -q "\"name\":\"$node\"" <<<"$listing" || missing+="$node "; done < <(split "$NODES")
  if [[ -z "$missing" ]]; then
    SUMMARY="the metrics API answers for every node"
    return 0
  fi
  fail_with "the metrics API has no metrics for: $missing" "$(kubectl top nodes 2>&1)"
}

check_mtu() {
  local entry name address out size=$((MTU - 28)) unreachable="" details=""
  while IFS= read -r entry; do
    name=${entry%%=*} address=${entry#*=}
    if ! out=$(ping -M "do" -c 2 -W 2 -s "$size" "$address" 2>&1); then
      unreachable+="$name "
      details+="$name ($address): $(tail -n 2 <<<"$out" | tr '\n' ' ')"$'\n'
    fi
  done < <(split "$NODE_ADDRESSES")
  if [[ -z "$unreachable" ]]; then
    SUMMARY="$size-byte pings with DF set (MTU $MTU) reach every node from $(hostname)"
    return 0
  fi
  fail_with "full-size packets (MTU $MTU, DF set) do not reach: $unreachable" "$details"
}

case "$CHECK" in
  endpoint-readyz | apiserver-readyz | nodes | etcd | cni | pod-network | dns | metrics | storage | load-balancer | ingress | mtu | vip-failover | cleanup) ;;
  *) echo "FAIL $CHECK: no such check" >&2; exit 2 ;;
esac
run="check_${CHECK//-/_}"
# A failover is not retried: it stops a service on purpose and waits for the VIP itself.
[[ "$CHECK" != vip-failover ]] || TIMEOUT_SECONDS=0
deadline=$((SECONDS + TIMEOUT_SECONDS))
attempts=0
until "$run"; do
  attempts=$((attempts + 1))
  if ((SECONDS >= deadline)); then
    echo "FAIL $CHECK: $SUMMARY (still after ${TIMEOUT_SECONDS}s, $attempts attempts)"
    [[ -z "$DIAGNOSTICS" ]] || printf '%s\n' "$DIAGNOSTICS" | sed 's/^/  /'
    exit 1
  fi
  sleep "$RETRY_SECONDS"
done
# What a later step needs from this one (the address the machine running Pulumi probes) comes
# on a line of its own before the verdict, which is the report's line.
[[ -z "${ADDRESS:-}" ]] || echo "ADDRESS $ADDRESS"
echo "PASS $CHECK: $SUMMARY"
