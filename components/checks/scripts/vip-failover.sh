#!/usr/bin/env bash
# shellcheck disable=SC2153,SC2034  # the parameters come from the environment (acceptance.sh lists them); SUMMARY and ADDRESS are read there
# The on-demand VIP failover check (a library: acceptance.sh, bundled after it, runs it). Its step
# runs on every control plane in turn; where this host holds the VIP, it stops the service that
# holds it (keepalived, or kube-vip's static Pod), waits for the VIP to leave and for the API to
# answer through the endpoint from here, then starts the service again. Wherever the VIP is, the
# host holding it gets its turn, so every run fails over at least once. A run stopped halfway
# leaves the service stopped: the next run starts it again before anything else.

VIP_HOLD_DIR=${VIP_HOLD_DIR:-/var/lib/onprem-k8s/vip-failover}
VIP_MOVE_SECONDS=${VIP_MOVE_SECONDS:-60}

holds_vip() { ip -o -4 address show | grep -qw "inet ${VIP//./\\.}"; }

vip_service_start() {
  case "$VIP_SERVICE" in
    keepalived) systemctl start keepalived ;;
    kube-vip) if [[ -f "$VIP_HOLD_DIR/kube-vip.yaml" ]]; then mv "$VIP_HOLD_DIR/kube-vip.yaml" "$KUBE_VIP_MANIFEST"; fi ;;
  esac
}

vip_service_stop() {
  case "$VIP_SERVICE" in
    keepalived) systemctl stop keepalived ;;
    kube-vip) mkdir -p "$VIP_HOLD_DIR" && mv "$KUBE_VIP_MANIFEST" "$VIP_HOLD_DIR/kube-vip.yaml" ;;
  esac
}

check_vip_failover() {
  local host waited=0 answered body
  host=$(hostname)
  # An earlier run stopped between the two: the service comes back first.
  vip_service_start >/dev/null 2>&1
  if ! holds_vip; then
    SUMMARY="$host does not hold the VIP $VIP: nothing to fail over from here"
    return 0
  fi
  vip_service_stop || { fail_with "$VIP_SERVICE could not be stopped on $host"; return 1; }
  trap vip_service_start EXIT
  while holds_vip && ((waited < VIP_MOVE_SECONDS)); do sleep 1; waited=$((waited + 1)); done
  if holds_vip; then
    vip_service_start
    trap - EXIT
    fail_with "the VIP $VIP stayed on $host for ${VIP_MOVE_SECONDS}s after $VIP_SERVICE stopped" "$(ip -o -4 address show 2>&1)"
    return 1
  fi
  answered=""
  while ((waited < 2 * VIP_MOVE_SECONDS)); do
    if body=$(curl --silent --show-error --insecure --max-time 3 "$ENDPOINT_URL/readyz" 2>&1) && [[ "$body" == ok ]]; then answered=$waited; break; fi
    sleep 1
    waited=$((waited + 1))
  done
  vip_service_start
  trap - EXIT
  if [[ -n "$answered" ]]; then
    SUMMARY="$VIP_SERVICE stopped on $host, the VIP $VIP moved away and the API answered through $ENDPOINT_URL after ${answered}s; $VIP_SERVICE started again"
    return 0
  fi
  fail_with "$VIP_SERVICE stopped on $host and the VIP $VIP moved away, but the API did not answer through $ENDPOINT_URL within $((2 * VIP_MOVE_SECONDS))s" "$body"
}
