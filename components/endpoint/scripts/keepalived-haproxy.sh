#!/usr/bin/env bash
# keepalived + haproxy on a control plane (seeds 000, 004): packages, the keepalived_script
# user, the /readyz check script, haproxy.cfg (checked with haproxy -c before it is placed),
# keepalived.conf with the VRRP password substituted on the node, haproxy_connect_any on SELinux
# hosts (T-036). Services restart only when their configuration changed. VRRP through firewalld
# is the node firewall part's (components/node: FIREWALL_PROTOCOLS=vrrp on keepalived control
# planes), which owns every firewall rule and runs before this step. A changed configuration (a
# control plane added or removed: every node's backends and peers change) is reloaded, not
# restarted: haproxy's reload keeps its listening socket and open connections, keepalived's keeps
# the VIP where it is (a restart would hand it over and back on the node holding it).
#
# Parameters (environment):
#   NODE_NAME            required
#   HAPROXY_CONFIG       required; rendered haproxy.cfg
#   KEEPALIVED_CONFIG    required; rendered keepalived.conf with ${KEEPALIVED_AUTH_PASS}
#   CHECK_SCRIPT         required; content of check-apiserver.sh
#   SCRIPT_USER          default keepalived_script
# Secrets (exported at the top of stdin): KEEPALIVED_AUTH_PASS
set -euo pipefail
# shellcheck source=../../node/scripts/lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/../../node/scripts/lib.sh"

ensure_script_user() {
  step "user ${SCRIPT_USER}"
  if id -u "$SCRIPT_USER" >/dev/null 2>&1; then
    ok "user $SCRIPT_USER exists"
    return 0
  fi
  local shell=/usr/sbin/nologin
  [[ -x "$shell" ]] || shell=/sbin/nologin
  useradd --system --no-create-home --shell "$shell" "$SCRIPT_USER"
  changed "created system user $SCRIPT_USER (runs keepalived's check script)"
}

ensure_selinux_boolean() {
  step "SELinux haproxy_connect_any"
  if ! command -v getenforce >/dev/null 2>&1 || [[ "$(getenforce 2>/dev/null)" == Disabled ]]; then
    ok "SELinux not active"
    return 0
  fi
  if [[ "$(getsebool haproxy_connect_any 2>/dev/null)" == *"--> on" ]]; then
    ok "haproxy_connect_any is on"
    return 0
  fi
  setsebool -P haproxy_connect_any 1
  changed "SELinux boolean haproxy_connect_any on (persistent): haproxy may bind its API port"
}

configure_haproxy() {
  step "haproxy.cfg"
  local candidate
  candidate=$(mktemp /tmp/haproxy-cfg.XXXXXX)
  printf '%s\n' "$HAPROXY_CONFIG" >"$candidate"
  if ! haproxy -c -f "$candidate" >"$NODEPREP_PM_LOG" 2>&1; then
    rm -f "$candidate"
    die "the rendered haproxy.cfg is rejected by haproxy -c on $NODE_NAME"
  fi
  rm -f "$candidate"
  mkdir -p /run/haproxy
  RESTART_UNIT=haproxy ensure_file /etc/haproxy/haproxy.cfg 644 "$HAPROXY_CONFIG"
}

configure_keepalived() {
  step "keepalived.conf"
  [[ "$KEEPALIVED_AUTH_PASS" =~ ^[A-Za-z0-9]{1,8}$ ]] || die "KEEPALIVED_AUTH_PASS must be 1-8 letters or digits (VRRPv2 PASS)"
  local RESTART_UNIT=keepalived
  ensure_file /etc/keepalived/check-apiserver.sh 755 "$CHECK_SCRIPT"
  # Only the named placeholder is replaced, as envsubst '${KEEPALIVED_AUTH_PASS}' would.
  # shellcheck disable=SC2016  # the literal placeholder text
  ensure_file /etc/keepalived/keepalived.conf 600 "${KEEPALIVED_CONFIG//'${KEEPALIVED_AUTH_PASS}'/$KEEPALIVED_AUTH_PASS}"
}

# A configuration change owes the unit a restart, kept on the node until done (restart_if_pending):
# a run killed before it would otherwise leave the service on its old configuration for good.
ensure_service() {
  local unit="$1"
  step "service $unit"
  ensure_unit_enabled_and_running "$unit"
  # A reload, not a restart: a changed backend or peer list (growth) keeps the VIP and open connections.
  restart_if_pending "$unit" "configuration changed" reload-or-restart
}

main() {
  nodeprep_begin keepalived-haproxy
  require_env NODE_NAME HAPROXY_CONFIG KEEPALIVED_CONFIG CHECK_SCRIPT KEEPALIVED_AUTH_PASS
  : "${SCRIPT_USER:=keepalived_script}"
  detect_os_family
  step "packages"
  ensure_packages haproxy keepalived curl
  ensure_script_user
  ensure_selinux_boolean
  configure_haproxy
  configure_keepalived
  ensure_service haproxy
  ensure_service keepalived
  nodeprep_end
}

main "$@"
