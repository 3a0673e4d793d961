#!/usr/bin/env bash
# firewalld ports for the node's role, SELinux mode and the haproxy SELinux boolean
# (dnf family; on apt family nodes only the firewalld part applies, if firewalld is used).
#
# Parameters (environment):
#   FIREWALL_MODE    firewalld | disabled
#   FIREWALL_PORTS   ports to open, comma- or newline-separated "<port>[-<port>]/<tcp|udp>"
#                    (computed by the caller from the node's role, see firewallPortsFor)
#   FIREWALL_ZONE    optional firewalld zone (default: the default zone)
#   SELINUX_MODE     optional: enforcing | permissive | disabled, any case ("Enforcing" ok);
#                    empty leaves SELinux alone
#   FIREWALL_PROTOCOLS  optional IP protocols to accept, comma-separated names firewalld knows,
#                    e.g. "vrrp" where keepalived runs (VRRP is IP protocol 112, not a port)
#   HAPROXY_ON_NODE  true | false (default): set haproxy_connect_any so haproxy may bind the VIP port
set -euo pipefail
# shellcheck source=lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

firewall_cmd() {
  if [[ -n "${FIREWALL_ZONE:-}" ]]; then firewall-cmd --zone="$FIREWALL_ZONE" "$@"; else firewall-cmd "$@"; fi
}

configure_firewalld() {
  step "firewalld"
  ensure_packages firewalld
  ensure_unit_enabled_and_running firewalld
  local port added=0
  for port in $(tr ',\n' '  ' <<<"${FIREWALL_PORTS:-}"); do
    [[ "$port" =~ ^[0-9]+(-[0-9]+)?/(tcp|udp)$ ]] || die "FIREWALL_PORTS: invalid entry '$port'; expected <port>[-<port>]/<tcp|udp>"
    if ! firewall_cmd --permanent --query-port="$port" >/dev/null; then
      firewall_cmd --permanent --add-port="$port" >/dev/null
      changed "opened $port${FIREWALL_ZONE:+ in zone $FIREWALL_ZONE}"
      added=1
    fi
  done
  local protocol
  for protocol in $(tr ',\n' '  ' <<<"${FIREWALL_PROTOCOLS:-}"); do
    [[ "$protocol" =~ ^[a-z][a-z0-9-]*$ ]] || die "FIREWALL_PROTOCOLS: invalid entry '$protocol'; expected a protocol name such as vrrp"
    if ! firewall_cmd --permanent --query-protocol="$protocol" >/dev/null; then
      firewall_cmd --permanent --add-protocol="$protocol" >/dev/null
      changed "accepted protocol $protocol${FIREWALL_ZONE:+ in zone $FIREWALL_ZONE}"
      added=1
    fi
  done
  if (( added )); then
    firewall-cmd --reload >/dev/null
    changed "reloaded firewalld"
  fi
}

disable_firewalld() {
  step "firewalld"
  if unit_active firewalld || unit_enabled firewalld; then
    NODEPREP_UNIT=firewalld
    systemctl disable --now firewalld
    changed "disabled firewalld"
  else
    ok "firewalld not in use"
  fi
}

# enforcing|permissive|disabled from any case; dies naming the parameter for anything else.
normalise_selinux_mode() {
  local mode
  mode=$(tr '[:upper:]' '[:lower:]' <<<"$1" | xargs)
  case "$mode" in
    enforcing|permissive|disabled) echo "$mode" ;;
    *) return 1 ;;
  esac
}

configure_selinux() {
  step "selinux"
  local mode=$SELINUX_TARGET current
  if ! command -v getenforce >/dev/null; then
    note "SELinux not present on this node; SELINUX_MODE=$mode ignored"
    return 0
  fi
  if [[ -f /etc/selinux/config ]] && ! grep -qxE "SELINUX=$mode" /etc/selinux/config; then
    if grep -qE '^SELINUX=' /etc/selinux/config; then
      sed -i -E "s/^SELINUX=.*/SELINUX=$mode/" /etc/selinux/config
    else
      echo "SELINUX=$mode" >>/etc/selinux/config
    fi
    changed "SELINUX=$mode in /etc/selinux/config"
  fi
  current=$(getenforce | tr '[:upper:]' '[:lower:]')
  case "$current:$mode" in
    disabled:disabled|enforcing:enforcing|permissive:permissive) ;;
    disabled:*) note "SELinux is disabled in the running kernel: $mode takes effect after a reboot" ;;
    enforcing:disabled)
      setenforce 0
      changed "SELinux permissive now (disabled after a reboot)"
      ;;
    permissive:disabled) note "SELinux disabled after a reboot" ;;
    *:enforcing) setenforce 1; changed "SELinux enforcing" ;;
    *:permissive) setenforce 0; changed "SELinux permissive" ;;
  esac
}

configure_haproxy_boolean() {
  step "selinux haproxy_connect_any"
  if ! command -v getsebool >/dev/null || [[ "$(getenforce 2>/dev/null)" == Disabled ]]; then
    ok "SELinux not active: haproxy_connect_any not needed"
    return 0
  fi
  if [[ "$(getsebool haproxy_connect_any)" != *"--> on" ]]; then
    setsebool -P haproxy_connect_any 1
    changed "SELinux boolean haproxy_connect_any on (persistent)"
  fi
}

main() {
  nodeprep_begin firewall
  # Validate every input before touching anything.
  SELINUX_TARGET=""
  if [[ -n "${SELINUX_MODE:-}" ]]; then
    SELINUX_TARGET=$(normalise_selinux_mode "$SELINUX_MODE") \
      || die "SELINUX_MODE: invalid value '$SELINUX_MODE'; expected Enforcing, Permissive or Disabled (case-insensitive)"
  fi
  detect_os_family
  case "${FIREWALL_MODE:-}" in
    firewalld) configure_firewalld ;;
    disabled) disable_firewalld ;;
    *) die "FIREWALL_MODE: invalid value '${FIREWALL_MODE:-}'; expected firewalld or disabled" ;;
  esac
  if [[ -n "$SELINUX_TARGET" ]]; then configure_selinux; fi
  if [[ "${HAPROXY_ON_NODE:-false}" == true ]]; then configure_haproxy_boolean; fi
  nodeprep_end
}

main "$@"
