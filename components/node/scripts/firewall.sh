#!/usr/bin/env bash
# firewalld ports and IP protocols for the node (as the service onprem-k8s), the CNI's pod zone,
# SELinux mode and the haproxy SELinux boolean
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
#   FIREWALL_POD_INTERFACES  optional CNI interfaces, comma-separated, `+` as firewalld's prefix
#                    wildcard (cali+, vxlan.calico, cilium_+, lxc+)
#   FIREWALL_POD_SOURCES     optional pod CIDRs, comma-separated
#                    Both go into the zone k8s-pods (target ACCEPT: pods reach the node's own
#                    services, e.g. NodeLocal DNSCache), which this step owns exactly, and the
#                    policies k8s-pods-in / k8s-pods-out forward between it and every other zone.
#                    Without them firewalld's forward chain rejects pod traffic between nodes
#                    (natively routed, or from a host-network client). No masquerade: the CNI
#                    masquerades pod egress itself (Calico natOutgoing, Cilium's masquerading);
#                    firewalld's would also rewrite pod-to-pod traffic between nodes.
#                    Calico's system requirements advise firewalld off (os.firewall: disabled);
#                    the interface names are Calico's node requirements' and Cilium's devices.
#                    docs/firewalls.md has the whole list and its sources.
set -euo pipefail
# shellcheck source=lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

firewall_cmd() {
  if [[ -n "${FIREWALL_ZONE:-}" ]]; then firewall-cmd --zone="$FIREWALL_ZONE" "$@"; else firewall-cmd "$@"; fi
}

# The ports and protocols are the firewalld service onprem-k8s, which this step owns: its lists
# are made exactly the node's, so a port the description no longer needs (BGP after a switch from
# IP-in-IP to VXLAN) closes, while ports the site opened itself stay as they are.
SERVICE=onprem-k8s
POD_ZONE=k8s-pods

configure_firewalld() {
  step "firewalld"
  ensure_packages firewalld
  ensure_unit_enabled_and_running firewalld
  if ! firewall-cmd --permanent --get-services | tr ' ' '\n' | grep -qxF "$SERVICE"; then
    fw_change --new-service="$SERVICE"
    changed "created service $SERVICE"
  fi
  exact_list --service="$SERVICE" --get-ports port "${FIREWALL_PORTS:-}" "opened" "closed"
  exact_list --service="$SERVICE" --get-protocols protocol "${FIREWALL_PROTOCOLS:-}" "accepted protocol" "no longer accepting protocol"
  if ! firewall_cmd --permanent --query-service="$SERVICE" >/dev/null; then
    fw_change ${FIREWALL_ZONE:+"--zone=$FIREWALL_ZONE"} --add-service="$SERVICE"
    changed "service $SERVICE in ${FIREWALL_ZONE:+zone }${FIREWALL_ZONE:-the default zone}"
  fi
  if [[ -n "${FIREWALL_POD_INTERFACES:-}${FIREWALL_POD_SOURCES:-}" ]]; then
    configure_pod_zone
  fi
  if is_pending firewalld-reload; then
    note_pending_from_earlier_run firewalld-reload "firewalld's reload"
    firewall-cmd --reload >/dev/null
    changed "reloaded firewalld"
    pending_done firewalld-reload
  fi
}

# A change of firewalld's permanent configuration. The reload that makes it live is marked owed
# first: a run killed between the two would find the permanent configuration as wanted next time
# and never reload, leaving the port closed until something else reloads firewalld.
fw_change() {
  pending_mark firewalld-reload
  firewall-cmd --permanent "$@" >/dev/null
}

# Makes one permanent list of a zone or service exactly `wanted` (comma-separated), with one
# listing instead of a query per entry (each firewall-cmd call is a D-Bus round trip). Arguments:
# target (--zone=z / --service=s), list option, entry kind (port, protocol, interface, source),
# wanted, and the words for an added and a removed entry.
exact_list() {
  local target=$1 list=$2 kind=$3 wanted=$4 on=$5 off=$6 entry present
  present=" $(firewall-cmd --permanent "$target" "$list") "
  for entry in $(tr ',\n' '  ' <<<"$wanted"); do
    if [[ "$present" != *" $entry "* ]]; then
      fw_change "$target" "--add-$kind=$entry"
      changed "$on $entry"
    fi
  done
  for entry in $present; do
    if ! tr ',' '\n' <<<"$wanted" | grep -qxF -- "$entry"; then
      fw_change "$target" "--remove-$kind=$entry"
      changed "$off $entry"
    fi
  done
}

# A policy accepting everything from `ingress` to `egress` (zone names, or ANY).
accept_policy() {
  local name=$1 ingress=$2 egress=$3
  if ! firewall-cmd --permanent --get-policies | tr ' ' '\n' | grep -qxF "$name"; then
    fw_change --new-policy="$name"
    changed "created policy $name"
  fi
  if ! firewall-cmd --permanent --policy="$name" --query-ingress-zone="$ingress" >/dev/null; then
    fw_change --policy="$name" --add-ingress-zone="$ingress"
    changed "policy $name from $ingress"
  fi
  if ! firewall-cmd --permanent --policy="$name" --query-egress-zone="$egress" >/dev/null; then
    fw_change --policy="$name" --add-egress-zone="$egress"
    changed "policy $name to $egress"
  fi
  if [[ "$(firewall-cmd --permanent --policy="$name" --get-target)" != ACCEPT ]]; then
    fw_change --policy="$name" --set-target=ACCEPT
    changed "policy $name accepts"
  fi
}

configure_pod_zone() {
  step "firewalld pod network"
  if ! firewall-cmd --permanent --get-zones | tr ' ' '\n' | grep -qxF "$POD_ZONE"; then
    fw_change --new-zone="$POD_ZONE"
    changed "created zone $POD_ZONE"
  fi
  if [[ "$(firewall-cmd --permanent --zone="$POD_ZONE" --get-target)" != ACCEPT ]]; then
    fw_change --zone="$POD_ZONE" --set-target=ACCEPT
    changed "zone $POD_ZONE accepts"
  fi
  exact_list --zone="$POD_ZONE" --list-interfaces interface "${FIREWALL_POD_INTERFACES:-}" "zone $POD_ZONE: added interface" "zone $POD_ZONE: removed interface"
  exact_list --zone="$POD_ZONE" --list-sources source "${FIREWALL_POD_SOURCES:-}" "zone $POD_ZONE: added source" "zone $POD_ZONE: removed source"
  accept_policy k8s-pods-in ANY "$POD_ZONE"
  accept_policy k8s-pods-out "$POD_ZONE" ANY
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
  # A reload an earlier run owed is moot once firewalld is off.
  pending_done firewalld-reload
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
  local entry
  for entry in $(tr ',\n' '  ' <<<"${FIREWALL_PORTS:-}"); do
    [[ "$entry" =~ ^[0-9]+(-[0-9]+)?/(tcp|udp)$ ]] || die "FIREWALL_PORTS: invalid entry '$entry'; expected <port>[-<port>]/<tcp|udp>"
  done
  for entry in $(tr ',\n' '  ' <<<"${FIREWALL_PROTOCOLS:-}"); do
    [[ "$entry" =~ ^[a-z][a-z0-9-]*$ ]] || die "FIREWALL_PROTOCOLS: invalid entry '$entry'; expected a protocol name such as vrrp"
  done
  for entry in $(tr ',\n' '  ' <<<"${FIREWALL_POD_INTERFACES:-}"); do
    [[ "$entry" =~ ^[A-Za-z0-9_.-]{1,14}\+?$ ]] || die "FIREWALL_POD_INTERFACES: invalid entry '$entry'; expected an interface name, a trailing + matching a prefix (cali+)"
  done
  for entry in $(tr ',\n' '  ' <<<"${FIREWALL_POD_SOURCES:-}"); do
    [[ "$entry" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$ ]] || die "FIREWALL_POD_SOURCES: invalid entry '$entry'; expected an IPv4 CIDR such as 10.244.0.0/16"
  done
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
