#!/usr/bin/env bash
# shellcheck disable=SC2153  # NODES and the other parameters come from the environment
# One acceptance check (components/checks), run by `pulumi up` on the first control plane as root
# after the add-ons: it retries until the cluster passes or TIMEOUT_SECONDS is over, then prints
# `PASS <check>: ...` or `FAIL <check>: ...` and, on failure, the diagnostics that tell what is
# wrong (which apiserver, which node and why, which member). Test objects live in CHECK_NAMESPACE
# and go away afterwards unless KEEP_OBJECTS is true. Safe to re-run from any point.
#
# Environment: CHECK, KUBECONFIG, TIMEOUT_SECONDS; per check:
#   endpoint-readyz: ENDPOINT_URL
#   apiserver-readyz: APISERVERS (name=https://address:6443, comma-separated)
#   nodes: NODES (names, comma-separated), KUBERNETES_VERSION (v1.34.4)
#   etcd: CONTROL_PLANES (names), CRI_SOCKET, ETCD_PKI
#   cni: CNI_DAEMONSET (namespace/name), NODES
#   dns: CLUSTER_DOMAIN, PROBE_IMAGE, CHECK_NAMESPACE, KEEP_OBJECTS
#   metrics: NODES
#   storage: PROBE_IMAGE, CHECK_NAMESPACE, KEEP_OBJECTS
#   load-balancer: PROBE_IMAGE, CHECK_NAMESPACE, KEEP_OBJECTS, POOLS (address blocks, comma-separated)
#   mtu: NODE_ADDRESSES (name=address, comma-separated), MTU
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

# A Pod in the check namespace, deleted afterwards unless the objects are kept.
USED_NAMESPACE=false
ensure_namespace() {
  USED_NAMESPACE=true
  kubectl get namespace "$CHECK_NAMESPACE" >/dev/null 2>&1 || kubectl create namespace "$CHECK_NAMESPACE" >/dev/null
}
cleanup_objects() {
  [[ "$USED_NAMESPACE" == true && "$KEEP_OBJECTS" != true ]] || return 0
  kubectl delete namespace "$CHECK_NAMESPACE" --ignore-not-found --wait=false --request-timeout=20s >/dev/null 2>&1 || true
}

probe_pod() { # name, shell command
  kubectl -n "$CHECK_NAMESPACE" delete pod "$1" --ignore-not-found --wait=true >/dev/null 2>&1
  kubectl -n "$CHECK_NAMESPACE" run "$1" --image="$PROBE_IMAGE" --restart=Never --command -- sh -c "$2" >/dev/null 2>&1 || return 1
  kubectl -n "$CHECK_NAMESPACE" wait pod "$1" --for=jsonpath='{.status.phase}'=Succeeded --timeout=60s >/dev/null 2>&1
}

check_dns() {
  local available name="kubernetes.default.svc.$CLUSTER_DOMAIN"
  available=$(kubectl -n kube-system get deployment coredns --request-timeout=20s -o jsonpath='{.status.availableReplicas}/{.spec.replicas}' 2>&1) ||
    { fail_with "the CoreDNS Deployment cannot be read" "$available"; return 1; }
  if [[ "${available%%/*}" == "" || "${available%%/*}" == 0 ]]; then
    fail_with "CoreDNS has no available replica (${available/#\//0/}), so no Service name resolves" \
      "$(kubectl -n kube-system get deployment coredns 2>&1; kubectl -n kube-system get pods -l k8s-app=kube-dns -o wide 2>&1; kubectl -n kube-system get endpointslices -l kubernetes.io/service-name=kube-dns 2>&1)"
    return 1
  fi
  ensure_namespace
  if probe_pod dns-probe "nslookup $name"; then
    SUMMARY="$name resolves through the cluster DNS ($available CoreDNS replicas available)"
    return 0
  fi
  fail_with "$name does not resolve from a Pod although CoreDNS has $available replicas available" "$(kubectl -n "$CHECK_NAMESPACE" logs dns-probe 2>&1; kubectl -n "$CHECK_NAMESPACE" describe pod dns-probe 2>&1 | tail -n 15)"
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

check_storage() {
  ensure_namespace
  kubectl -n "$CHECK_NAMESPACE" apply -f - >/dev/null 2>&1 <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: storage-probe}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 64Mi}}}
EOF
  local phase
  phase=$(kubectl -n "$CHECK_NAMESPACE" get pvc storage-probe -o jsonpath='{.status.phase}' 2>&1)
  pod_with_claim() {
    kubectl -n "$CHECK_NAMESPACE" delete pod "$1" --ignore-not-found --wait=true >/dev/null 2>&1
    kubectl -n "$CHECK_NAMESPACE" apply -f - >/dev/null 2>&1 <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  restartPolicy: Never
  containers: [{name: probe, image: "$PROBE_IMAGE", command: [sh, -c, "$2"], volumeMounts: [{name: data, mountPath: /data}]}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: storage-probe}}]
EOF
    kubectl -n "$CHECK_NAMESPACE" wait pod "$1" --for=jsonpath='{.status.phase}'=Succeeded --timeout=120s >/dev/null 2>&1
  }
  if pod_with_claim storage-writer "echo acceptance > /data/probe" && pod_with_claim storage-reader "grep -qx acceptance /data/probe"; then
    SUMMARY="a claim on the default StorageClass bound; one Pod wrote a file another read"
    return 0
  fi
  phase=$(kubectl -n "$CHECK_NAMESPACE" get pvc storage-probe -o jsonpath='{.status.phase}' 2>&1)
  fail_with "a claim on the default StorageClass did not serve a write and a read (claim: ${phase:-missing})" "$(kubectl get storageclass 2>&1; kubectl -n "$CHECK_NAMESPACE" describe pvc storage-probe 2>&1 | tail -n 10; kubectl -n "$CHECK_NAMESPACE" get pods -o wide 2>&1)"
}

check_load_balancer() {
  ensure_namespace
  kubectl -n "$CHECK_NAMESPACE" apply -f - >/dev/null 2>&1 <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: lb-probe, labels: {app: lb-probe}}
spec:
  replicas: 1
  selector: {matchLabels: {app: lb-probe}}
  template:
    metadata: {labels: {app: lb-probe}}
    spec: {containers: [{name: web, image: "$PROBE_IMAGE", command: [sh, -c, "mkdir -p /www && echo acceptance > /www/index.html && exec httpd -f -p 8080 -h /www"], ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: lb-probe}
spec: {type: LoadBalancer, selector: {app: lb-probe}, ports: [{port: 80, targetPort: 8080}]}
EOF
  local address body
  address=$(kubectl -n "$CHECK_NAMESPACE" get service lb-probe -o jsonpath='{.status.loadBalancer.ingress[0].ip}' 2>&1)
  if [[ -z "$address" ]]; then
    fail_with "the LoadBalancer Service got no address from the pools ($POOLS)" "$(kubectl -n "$CHECK_NAMESPACE" describe service lb-probe 2>&1 | tail -n 10)"
    return 1
  fi
  if body=$(curl --silent --show-error --max-time 5 "http://$address/" 2>&1) && [[ "$body" == acceptance ]]; then
    SUMMARY="a LoadBalancer Service got $address (pools $POOLS) and answers HTTP"
    return 0
  fi
  fail_with "the LoadBalancer Service got $address but does not answer HTTP" "$body"$'\n'"$(kubectl -n "$CHECK_NAMESPACE" get pods -o wide 2>&1)"
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
  endpoint-readyz | apiserver-readyz | nodes | etcd | cni | dns | metrics | storage | load-balancer | mtu) ;;
  *) echo "FAIL $CHECK: no such check" >&2; exit 2 ;;
esac
run="check_${CHECK//-/_}"
trap cleanup_objects EXIT
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
echo "PASS $CHECK: $SUMMARY"
