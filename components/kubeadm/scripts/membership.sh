#!/usr/bin/env bash
# A node's membership in the cluster, run ON THE FIRST CONTROL PLANE with the admin.conf kubeadm
# wrote there (admin credentials never leave the control planes), after the node's join.
#   create: waits for the Node to register, then sets its labels and taints through the API
#           (kubelets may not set node-role.kubernetes.io/* labels themselves).
#   delete (KUBEADM_ACTION=delete): drains the Node, for a control plane removes its etcd member
#           BY NAME through this control plane's etcd, then deletes the Node. Pulumi runs it before the
#           node's own reset (the join's delete) and before its machine goes; working by name also
#           removes the member of a control plane whose machine was replaced or is already gone.
#           The program's membership guard (membership.ts) has refused unsafe removals before;
#           here, at the moment the member goes, every etcd member that stays must be healthy
#           (control planes leave one at a time, the last first: a shrink 3 -> 1 removes one,
#           then the next, each against the cluster as it is then).
#
# Parameters (environment):
#   NODE_NAME, JOIN_ROLE (control-plane | worker)      required; the node this step is about
#   HOST_NAME, HOST_ADDRESS                            required; this (the first) control plane
#   NODE_LABELS   optional; newline-separated key=value
#   NODE_TAINTS   optional; newline-separated key[=value]:effect
#   DRAIN_POLICY  strict (default): stop when the drain does not finish; best-effort: go on
#   DRAIN_TIMEOUT_SECONDS (default 300), REGISTER_ATTEMPTS (default 12), APISERVER_PORT, CRI_SOCKET
set -euo pipefail
# shellcheck source=../../node/scripts/lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/../../node/scripts/lib.sh"
# shellcheck source=lib.sh
[[ "$(type -t kubeadm_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

label_node() {
  [[ -n "${NODE_LABELS:-}" ]] || return 0
  step "labels of $NODE_NAME"
  local label key current
  while IFS= read -r label; do
    [[ -n "$label" ]] || continue
    key="${label%%=*}"
    current=$(kube get node "$NODE_NAME" -o "go-template={{index .metadata.labels \"$key\"}}" 2>/dev/null || true)
    if [[ "$key=$current" == "$label" ]]; then
      ok "label $label"
    else
      logged kube label node "$NODE_NAME" "$label" --overwrite
      changed "label $label on $NODE_NAME"
    fi
  done <<<"$NODE_LABELS"
}

taint_node() {
  [[ -n "${NODE_TAINTS:-}" ]] || return 0
  step "taints of $NODE_NAME"
  local taint current
  # One key[=value]:effect per line, as kubectl taint takes them.
  current=$(kube get node "$NODE_NAME" -o 'go-template={{range .spec.taints}}{{.key}}{{if .value}}={{.value}}{{end}}:{{.effect}}{{"\n"}}{{end}}' 2>/dev/null || true)
  while IFS= read -r taint; do
    [[ -n "$taint" ]] || continue
    if grep -qxF -- "$taint" <<<"$current"; then
      ok "taint $taint"
    else
      logged kube taint node "$NODE_NAME" "$taint" --overwrite
      changed "taint $taint on $NODE_NAME"
    fi
  done <<<"$NODE_TAINTS"
}

apply_membership() {
  step "Node $NODE_NAME registered"
  retry_backoff "${REGISTER_ATTEMPTS:-12}" 5 30 node_registered "$NODE_NAME" ||
    die "Node $NODE_NAME is not registered in the API although its join finished: check kubelet on $NODE_NAME (journalctl -u kubelet)"
  ok "Node $NODE_NAME is registered"
  label_node
  taint_node
}

# Whether the API answers; without it, drain and Node deletion are skipped (the node's own reset
# and the machine's removal still follow).
api_answers() {
  kube get --raw /readyz >/dev/null 2>&1 && return 0
  note "the API does not answer at $KUBE_SERVER: $1 of $NODE_NAME skipped"
  return 1
}

drain_node() {
  step "drain $NODE_NAME"
  api_answers drain || return 0
  if ! node_registered "$NODE_NAME"; then
    ok "Node $NODE_NAME is not registered"
    return 0
  fi
  if logged kube drain "$NODE_NAME" --ignore-daemonsets --delete-emptydir-data --timeout="${DRAIN_TIMEOUT_SECONDS:-300}s"; then
    changed "drained $NODE_NAME"
  elif [[ "${DRAIN_POLICY:-strict}" == strict ]]; then
    die "drain of $NODE_NAME did not finish within ${DRAIN_TIMEOUT_SECONDS:-300}s (a PodDisruptionBudget or an unevictable Pod?). Resolve it or drain by hand, then run pulumi up again."
  else
    note "drain of $NODE_NAME did not finish; going on (DRAIN_POLICY=best-effort)"
  fi
}

delete_node() {
  step "delete Node $NODE_NAME"
  api_answers "Node deletion" || return 0
  if ! node_registered "$NODE_NAME"; then
    ok "Node $NODE_NAME is not registered"
    return 0
  fi
  logged kube delete node "$NODE_NAME" --wait=true
  changed "deleted Node $NODE_NAME"
}

ETCD_CONTAINER=""

# etcdctl inside this control plane's etcd container (the etcd image ships etcdctl; the hosts
# need none), with the healthcheck client certificate kubeadm issued from the etcd CA.
etcdctl_local() {
  crictl --runtime-endpoint "$CRI_SOCKET" exec "$ETCD_CONTAINER" etcdctl \
    --endpoints=https://127.0.0.1:2379 \
    --cacert=/etc/kubernetes/pki/etcd/ca.crt \
    --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt \
    --key=/etc/kubernetes/pki/etcd/healthcheck-client.key "$@"
}

# Member ID of an etcd member by name (kubeadm names members after their node), from
# `etcdctl member list` lines "<id>, <status>, <name>, <peer urls>, <client urls>, <learner>".
etcd_member_id() {
  awk -F', ' -v name="$1" '$3 == name { print $1 }'
}

# Client URL -> health of every member, from `endpoint health --cluster` (healthy lines on stdout,
# unhealthy ones on stderr; it exits non-zero when any member is unhealthy, the leaving one included).
# Prints the client URLs of the members other than $1 that are NOT healthy (none: all good).
unhealthy_remaining_members() {
  local leaving="$1" members health url
  members=$(etcdctl_local member list 2>&1) || { echo "(etcdctl member list failed: $members)"; return 0; }
  health=$(etcdctl_local endpoint health --cluster 2>&1 || true)
  while IFS= read -r url; do
    if [[ -z "$url" ]]; then
      echo "(a member that never started)"
    elif ! grep -qF -- "$url is healthy" <<<"$health"; then
      echo "$url"
    fi
  done < <(awk -F', ' -v name="$leaving" '$3 != name { print $5 }' <<<"$members")
}

remaining_members_healthy() {
  local unhealthy
  unhealthy=$(unhealthy_remaining_members "$1")
  [[ -z "$unhealthy" ]] && return 0
  echo "etcd members that stay but are not healthy: $(paste -sd' ' <<<"$unhealthy")"
  return 1
}

remove_etcd_member() {
  step "etcd member $NODE_NAME"
  ETCD_CONTAINER=$(crictl --runtime-endpoint "$CRI_SOCKET" ps --name '^etcd$' --state running --quiet 2>/dev/null | head -n 1 || true)
  [[ -n "$ETCD_CONTAINER" ]] ||
    die "no running etcd container on $HOST_NAME: cannot remove the etcd member of $NODE_NAME. Check 'crictl ps -a --name etcd' on $HOST_NAME."
  local members id
  members=$(etcdctl_local member list 2>&1) || die "etcdctl member list failed on $HOST_NAME: $members"
  id=$(etcd_member_id "$NODE_NAME" <<<"$members")
  if [[ -z "$id" ]]; then
    ok "$NODE_NAME is no etcd member"
    return 0
  fi
  step "etcd members that stay are healthy before $NODE_NAME leaves"
  retry_backoff "${HEALTH_ATTEMPTS:-6}" 5 30 remaining_members_healthy "$NODE_NAME" ||
    die "not removing the etcd member $NODE_NAME: the members that would stay are not all healthy (see above), and a removal needs a quorum of them. Bring them back (etcdctl endpoint health --cluster on $HOST_NAME), then run pulumi up again."
  ok "every other etcd member is healthy"
  logged etcdctl_local member remove "$id" ||
    die "could not remove the etcd member $NODE_NAME ($id); check 'etcdctl member list' on $HOST_NAME before retrying"
  changed "removed the etcd member $NODE_NAME ($id)"
}

remove_membership() {
  step "removal of $NODE_NAME"
  # Never this control plane itself: its removal is the cluster's (the init step's delete).
  [[ "$NODE_NAME" != "$HOST_NAME" ]] ||
    die "refusing to remove $NODE_NAME from the cluster through itself: the first control plane goes only with the cluster"
  drain_node
  # The member before the Node, as kubeadm reset does: a control plane whose member cannot go yet
  # stays registered, and the acceptance checks count a member whose Node is still registered as
  # leaving (scripts/acceptance.sh check_etcd), so a removal cut short here is never mistaken for
  # a stale member.
  if [[ "$JOIN_ROLE" == control-plane ]]; then remove_etcd_member; fi
  delete_node
}

main() {
  kubeadm_begin membership
  require_env NODE_NAME JOIN_ROLE HOST_NAME HOST_ADDRESS
  case "$JOIN_ROLE" in
    control-plane | worker) ;;
    *) die "JOIN_ROLE must be control-plane or worker, got '$JOIN_ROLE'" ;;
  esac
  ensure_tools
  use_local_admin_conf "$HOST_ADDRESS"
  case "${KUBEADM_ACTION:-create}" in
    create) apply_membership ;;
    delete) remove_membership ;;
    *) die "KUBEADM_ACTION must be create or delete, got '${KUBEADM_ACTION}'" ;;
  esac
  nodeprep_end
}

main "$@"
