#!/usr/bin/env bash
# shellcheck disable=SC2153,SC2034  # the parameters come from the environment (acceptance.sh lists them); SUMMARY and ADDRESS are read there
# The acceptance checks that start test objects in CHECK_NAMESPACE (a library: acceptance.sh,
# bundled after it, runs one). Several of these steps run at once, so every object is applied
# (never created) and the namespace is made with a tolerated conflict. The objects stay for the
# probe from the machine running Pulumi; the `cleanup` check deletes the namespace last.

ensure_namespace() {
  kubectl get namespace "$CHECK_NAMESPACE" --request-timeout=20s >/dev/null 2>&1 && return 0
  kubectl create namespace "$CHECK_NAMESPACE" --request-timeout=20s >/dev/null 2>&1 ||
    kubectl get namespace "$CHECK_NAMESPACE" --request-timeout=20s >/dev/null 2>&1
}

apply_objects() { kubectl -n "$CHECK_NAMESPACE" apply --request-timeout=20s -f - >/dev/null 2>&1; }

probe_pod() { # name, shell command[, node]
  kubectl -n "$CHECK_NAMESPACE" delete pod "$1" --ignore-not-found --wait=true >/dev/null 2>&1
  apply_objects <<EOF || return 1
apiVersion: v1
kind: Pod
metadata: {name: $1, labels: {app: $1}}
spec:
  restartPolicy: Never
  ${3:+nodeName: "$3"}
  tolerations: [{operator: Exists}]
  containers: [{name: probe, image: "$PROBE_IMAGE", command: [sh, -c, '$2']}]
EOF
  kubectl -n "$CHECK_NAMESPACE" wait pod "$1" --for=jsonpath='{.status.phase}'=Succeeded --timeout=60s >/dev/null 2>&1
}

# A Pod command: busybox httpd on :8080 answering `text` at /.
serve_text() { echo "mkdir -p /www && echo $1 > /www/index.html && exec httpd -f -p 8080 -h /www"; }

# busybox httpd answering "acceptance" on :8080 behind the ClusterIP Service web-probe; the
# load-balancer and ingress checks put their Service and route in front of it.
ensure_web() {
  ensure_namespace || return 1
  apply_objects <<EOF || return 1
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-probe, labels: {app: web-probe}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web-probe}}
  template:
    metadata: {labels: {app: web-probe}}
    spec: {containers: [{name: web, image: "$PROBE_IMAGE", command: [sh, -c, "$(serve_text acceptance)"], ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-probe}
spec: {selector: {app: web-probe}, ports: [{port: 80, targetPort: 8080}]}
EOF
  kubectl -n "$CHECK_NAMESPACE" rollout status deployment/web-probe --timeout=60s >/dev/null 2>&1
}

http_probe() { # url [host]: the body, or why not
  curl --silent --show-error --max-time 5 ${2:+--header "Host: $2"} "$1" 2>&1
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
  # The Pod's resolver is what kubelet gives it: NodeLocal DNSCache's address where it is wired.
  if probe_pod dns-probe "nslookup $name"; then
    SUMMARY="$name resolves through the cluster DNS ($available CoreDNS replicas available)"
    return 0
  fi
  fail_with "$name does not resolve from a Pod although CoreDNS has $available replicas available" "$(kubectl -n "$CHECK_NAMESPACE" logs dns-probe 2>&1; kubectl -n "$CHECK_NAMESPACE" describe pod dns-probe 2>&1 | tail -n 15)"
}

# One server Pod per node (pinned by name, tolerating every taint), then a client Pod on the first
# node fetching each of them by Pod address: every other node's Pods are reached across the pod
# network, not through a Service.
check_pod_network() {
  local nodes node i=0 ip targets="" answers unreached="" client
  mapfile -t nodes < <(split "$NODES")
  client=${nodes[0]}
  ensure_namespace || { fail_with "the namespace $CHECK_NAMESPACE cannot be made"; return 1; }
  for node in "${nodes[@]}"; do
    i=$((i + 1))
    apply_objects <<EOF || { fail_with "the server Pod for $node cannot be made"; return 1; }
apiVersion: v1
kind: Pod
metadata: {name: net-server-$i, labels: {app: net-server}}
spec:
  nodeName: "$node"
  tolerations: [{operator: Exists}]
  containers: [{name: web, image: "$PROBE_IMAGE", command: [sh, -c, "$(serve_text "$node")"]}]
EOF
  done
  if ! kubectl -n "$CHECK_NAMESPACE" wait pod -l app=net-server --for=condition=Ready --timeout=60s >/dev/null 2>&1; then
    fail_with "not every node's server Pod became Ready" "$(kubectl -n "$CHECK_NAMESPACE" get pods -l app=net-server -o wide 2>&1)"
    return 1
  fi
  i=0
  for node in "${nodes[@]}"; do
    i=$((i + 1))
    [[ "$node" != "$client" ]] || continue
    ip=$(kubectl -n "$CHECK_NAMESPACE" get pod "net-server-$i" -o jsonpath='{.status.podIP}' 2>/dev/null)
    targets+="$node=$ip "
  done
  if [[ -z "$targets" ]]; then
    SUMMARY="one node only: no other node's Pods to reach"
    return 0
  fi
  # HTTP by nc: busybox has it everywhere (Debian's static busybox crashes in its wget).
  probe_pod net-client "for t in $targets; do n=\${t%%=*}; a=\${t#*=}; if printf \"GET / HTTP/1.0\\r\\n\\r\\n\" | nc -w 5 \$a 8080 | grep -qx \"\$n\"; then echo \"ok \$n\"; else echo \"no \$n \$a\"; fi; done" "$client"
  answers=$(kubectl -n "$CHECK_NAMESPACE" logs net-client 2>&1)
  unreached=$(awk '$1 == "no" {print $2}' <<<"$answers" | tr '\n' ' ')
  if [[ -z "$unreached" ]] && (($(grep -c '^ok ' <<<"$answers") == $(wc -w <<<"$targets"))); then
    SUMMARY="a Pod on $client reached a Pod on every other node by its Pod address: $(awk '$1 == "ok" {print $2}' <<<"$answers" | tr '\n' ' ')"
    return 0
  fi
  fail_with "a Pod on $client does not reach the Pods on: ${unreached:-every other node}" "$answers"$'\n'"$(kubectl -n "$CHECK_NAMESPACE" get pods -o wide 2>&1)"
}

check_storage() {
  ensure_namespace
  apply_objects <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: storage-probe}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 64Mi}}}
EOF
  local phase
  pod_with_claim() {
    kubectl -n "$CHECK_NAMESPACE" delete pod "$1" --ignore-not-found --wait=true >/dev/null 2>&1
    apply_objects <<EOF
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
  ensure_web || { fail_with "the web probe did not start" "$(kubectl -n "$CHECK_NAMESPACE" get pods -o wide 2>&1)"; return 1; }
  apply_objects <<EOF
apiVersion: v1
kind: Service
metadata: {name: lb-probe}
spec: {type: LoadBalancer, selector: {app: web-probe}, ports: [{port: 80, targetPort: 8080}]}
EOF
  local address body
  address=$(kubectl -n "$CHECK_NAMESPACE" get service lb-probe -o jsonpath='{.status.loadBalancer.ingress[0].ip}' 2>/dev/null)
  if [[ -z "$address" ]]; then
    fail_with "the LoadBalancer Service got no address from the pools ($POOLS)" "$(kubectl -n "$CHECK_NAMESPACE" describe service lb-probe 2>&1 | tail -n 10)"
    return 1
  fi
  if body=$(http_probe "http://$address/") && [[ "$body" == acceptance ]]; then
    ADDRESS=$address
    SUMMARY="a LoadBalancer Service got $address (pools $POOLS) and answers HTTP from $(hostname)"
    return 0
  fi
  fail_with "the LoadBalancer Service got $address (pools $POOLS) but it does not answer HTTP from $(hostname)" "$body"$'\n'"$(kubectl -n "$CHECK_NAMESPACE" get pods,endpointslices -o wide 2>&1)"
}

# A route by host to the web probe through the ingress's own address: an HTTPRoute on the
# program's Gateway (INGRESS_KIND=gateway) or an Ingress of the controller's class.
check_ingress() {
  local route address body
  address=$(kubectl -n "${INGRESS_SERVICE%%/*}" get service "${INGRESS_SERVICE#*/}" -o jsonpath='{.status.loadBalancer.ingress[0].ip}' 2>/dev/null)
  if [[ -z "$address" || (-n "$INGRESS_ADDRESS" && "$address" != "$INGRESS_ADDRESS") ]]; then
    fail_with "the ingress Service $INGRESS_SERVICE has ${address:-no address}${INGRESS_ADDRESS:+, not its fixed address $INGRESS_ADDRESS}" "$(kubectl -n "${INGRESS_SERVICE%%/*}" describe service "${INGRESS_SERVICE#*/}" 2>&1 | tail -n 10)"
    return 1
  fi
  ensure_web || { fail_with "the web probe did not start" "$(kubectl -n "$CHECK_NAMESPACE" get pods -o wide 2>&1)"; return 1; }
  if [[ "$INGRESS_KIND" == gateway ]]; then
    route="httproute/ingress-probe"
    apply_objects <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ingress-probe}
spec:
  parentRefs: [{name: "${GATEWAY#*/}", namespace: "${GATEWAY%%/*}"}]
  hostnames: ["$ROUTE_HOST"]
  rules: [{backendRefs: [{name: web-probe, port: 80}]}]
EOF
  else
    route="ingress/ingress-probe"
    apply_objects <<EOF
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ingress-probe}
spec:
  ingressClassName: "$INGRESS_CLASS"
  rules: [{host: "$ROUTE_HOST", http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web-probe, port: {number: 80}}}}]}}]
EOF
  fi
  if body=$(http_probe "http://$address/" "$ROUTE_HOST") && [[ "$body" == acceptance ]]; then
    ADDRESS=$address
    SUMMARY="$route for $ROUTE_HOST answers through the ingress's address $address"
    return 0
  fi
  fail_with "$route for $ROUTE_HOST does not answer through the ingress's address $address" "$body"$'\n'"$(kubectl -n "$CHECK_NAMESPACE" describe "$route" 2>&1 | tail -n 15)"
}

check_cleanup() {
  if [[ "$KEEP_OBJECTS" == true ]]; then
    SUMMARY="the test objects stay in $CHECK_NAMESPACE (checks.keepTestObjects)"
    return 0
  fi
  # Not waited for: the namespace controller removes what is in it, and the next run's checks
  # retry while a namespace of the same name is still terminating.
  local out
  if out=$(kubectl delete namespace "$CHECK_NAMESPACE" --ignore-not-found --wait=false --request-timeout=20s 2>&1); then
    SUMMARY="the test objects are deleted with the namespace $CHECK_NAMESPACE"
    return 0
  fi
  fail_with "the namespace $CHECK_NAMESPACE could not be deleted" "$out"
}
