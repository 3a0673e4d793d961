#!/usr/bin/env bash
# Base OS preparation for a Kubernetes node: hostname, /etc/hosts, swap, kernel
# modules, sysctls, time sync.
#
# Parameters (environment):
#   NODE_HOSTNAME   required; the node's hostname
#   HOSTS_ENTRIES   newline-separated "<ip> <name> [alias...]" lines (all nodes and
#                   the API name); kept as a managed block in /etc/hosts
#   TIME_SYNC       chrony (default) | timesyncd | none
#   TIME_SERVERS    optional, comma-separated NTP servers; with chrony they replace the
#                   distribution's pool/server lines (commented out, restored when unset)
set -euo pipefail
# shellcheck source=lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KERNEL_MODULES=(overlay br_netfilter)
SYSCTLS=(
  "net.bridge.bridge-nf-call-iptables=1"
  "net.bridge.bridge-nf-call-ip6tables=1"
  "net.ipv4.ip_forward=1"
)

configure_hostname() {
  step "hostname"
  local current
  current=$(hostnamectl --static 2>/dev/null || cat /etc/hostname 2>/dev/null || true)
  if [[ "$current" == "$NODE_HOSTNAME" ]]; then
    ok "hostname is $NODE_HOSTNAME"
  else
    hostnamectl set-hostname "$NODE_HOSTNAME"
    changed "hostname $current -> $NODE_HOSTNAME"
  fi
}

configure_hosts_file() {
  step "/etc/hosts"
  ensure_block /etc/hosts nodes "${HOSTS_ENTRIES:-}"
}

disable_swap() {
  step "swap"
  if [[ -n "$(swapon --show=NAME --noheadings 2>/dev/null)" ]]; then
    swapoff -a
    changed "swap turned off"
  fi
  # Comment out active swap entries so swap stays off after a reboot.
  if grep -qE '^[^#]\S*\s+\S+\s+swap\s' /etc/fstab 2>/dev/null; then
    sed -i -E 's/^([^#]\S*\s+\S+\s+swap\s.*)$/# disabled for kubelet: \1/' /etc/fstab
    changed "swap entries commented out in /etc/fstab"
  fi
}

# Whether the kernel already provides what the module is loaded for. Asked of the feature itself:
# a module built in without parameters has no /sys/module/<name> (br_netfilter on many kernels).
module_present() {
  case "$1" in
    br_netfilter) [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]] ;;
    overlay) grep -qE '(^|[[:space:]])overlay$' /proc/filesystems ;;
    *) [[ -d "/sys/module/$1" ]] ;;
  esac
}

configure_kernel_modules() {
  step "kernel modules"
  local module
  ensure_file /etc/modules-load.d/kubernetes.conf 644 "$(printf '%s\n' "${KERNEL_MODULES[@]}")"
  for module in "${KERNEL_MODULES[@]}"; do
    module_present "$module" && continue
    modprobe "$module" || die "could not load kernel module $module (modprobe $module failed); kubelet needs it"
    changed "loaded kernel module $module"
  done
}

configure_sysctls() {
  step "sysctl"
  local setting key value
  ensure_file /etc/sysctl.d/99-kubernetes.conf 644 "$(printf '%s\n' "${SYSCTLS[@]/=/ = }")"
  for setting in "${SYSCTLS[@]}"; do
    key=${setting%%=*}
    value=${setting#*=}
    if [[ "$(sysctl -n "$key" 2>/dev/null || true)" != "$value" ]]; then
      sysctl -q -w "$key=$value"
      changed "sysctl $key=$value"
    fi
  done
}

# Given servers replace the distribution's pool/server lines (commented out with a marker, and
# restored once no servers are given): an isolated site cannot reach them, and chrony would keep
# resolving and polling them. Lines inside the managed block are left alone.
DISABLED_SOURCE_MARK="#onprem-k8s-disabled: "
set_distribution_sources() {
  local conf="$1" state="$2" current new
  current=$(cat "$conf" 2>/dev/null || true)
  new=$(print_lines "$current" | STATE="$state" MARK="$DISABLED_SOURCE_MARK" awk '
    $0 == "# BEGIN onprem-k8s ntp-servers" { managed = 1 }
    $0 == "# END onprem-k8s ntp-servers" { managed = 0; print; next }
    !managed && ENVIRON["STATE"] == "off" && /^[ \t]*(pool|server|peer)[ \t]/ { print ENVIRON["MARK"] $0; next }
    !managed && ENVIRON["STATE"] == "on" && index($0, ENVIRON["MARK"]) == 1 { print substr($0, length(ENVIRON["MARK"]) + 1); next }
    { print }
  ')
  [[ "$new" == "$current" ]] && return 0
  ensure_file "$conf" "$(stat -c %a "$conf" 2>/dev/null || echo 644)" "$new"
}

configure_chrony() {
  local unit=chrony conf=/etc/chrony/chrony.conf servers=""
  if [[ "$OS_FAMILY" == dnf ]]; then unit=chronyd; conf=/etc/chrony.conf; fi
  ensure_packages chrony
  if [[ -n "${TIME_SERVERS:-}" ]]; then
    servers=$(tr ',' '\n' <<<"$TIME_SERVERS" | sed -E '/^\s*$/d; s/^\s*(\S+)\s*$/server \1 iburst/')
  fi
  # A file changed below owes chrony a restart (restart_if_pending).
  local RESTART_UNIT=$unit
  ensure_block "$conf" ntp-servers "$servers"
  # Ubuntu 24.04 keeps its pools in sources.d/*.sources rather than chrony.conf.
  local state=on file
  if [[ -n "$servers" ]]; then state=off; fi
  for file in "$conf" "$(dirname "$conf")"/sources.d/*.sources; do
    [[ -f "$file" ]] || continue
    set_distribution_sources "$file" "$state"
  done
  ensure_unit_enabled_and_running "$unit"
  restart_if_pending "$unit"
}

configure_timesyncd() {
  local servers="" RESTART_UNIT=systemd-timesyncd
  servers=$(tr ',' ' ' <<<"${TIME_SERVERS:-}" | xargs)
  if [[ -n "$servers" ]]; then
    ensure_file /etc/systemd/timesyncd.conf.d/onprem-k8s.conf 644 "$(printf '[Time]\nNTP=%s' "$servers")"
  else
    ensure_absent /etc/systemd/timesyncd.conf.d/onprem-k8s.conf
  fi
  ensure_unit_enabled_and_running systemd-timesyncd
  restart_if_pending systemd-timesyncd
}

configure_time_sync() {
  step "time sync"
  case "${TIME_SYNC:-chrony}" in
    chrony) configure_chrony ;;
    timesyncd) configure_timesyncd ;;
    none) ok "time sync left alone (TIME_SYNC=none)" ;;
    *) die "TIME_SYNC: invalid value '${TIME_SYNC}'; expected chrony, timesyncd or none" ;;
  esac
}

main() {
  nodeprep_begin base
  require_env NODE_HOSTNAME
  detect_os_family
  configure_hostname
  configure_hosts_file
  disable_swap
  configure_kernel_modules
  configure_sysctls
  configure_time_sync
  nodeprep_end
}

main "$@"
