#!/usr/bin/env bash
# HTTP(S) proxy for the package manager, login shells, containerd and kubelet.
#
# Parameters (environment):
#   PROXY_MODE      present | absent (absent removes every file/line this script manages)
#   PROXY_HTTP      http proxy URL, may contain user:pass@ (never printed)
#   PROXY_HTTPS     https proxy URL (defaults to PROXY_HTTP)
#   PROXY_NO_PROXY  comma-separated no_proxy list (node IPs, VIP, API name, cluster CIDRs...)
set -euo pipefail
# shellcheck source=lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APT_PROXY_FILE=/etc/apt/apt.conf.d/95onprem-k8s-proxy
PROFILE_FILE=/etc/profile.d/onprem-k8s-proxy.sh
ENVIRONMENT_FILE=/etc/environment
DNF_CONF=/etc/dnf/dnf.conf
PROXY_UNITS=(containerd kubelet)

# Value for a systemd Environment="..." assignment: escape \ and " and the % specifier.
systemd_escape_value() {
  local value="$1"
  value=${value//\\/\\\\}
  value=${value//\"/\\\"}
  value=${value//%/%%}
  printf '%s' "$value"
}

configure_apt() {
  step "apt proxy"
  if [[ "$PROXY_MODE" == absent ]]; then ensure_absent "$APT_PROXY_FILE"; return; fi
  local content host
  content=$(printf 'Acquire::http::Proxy "%s";\nAcquire::https::Proxy "%s";' "$PROXY_HTTP" "$PROXY_HTTPS")
  # apt has no no_proxy list: exact host names and IPs become per-host DIRECT entries.
  for host in $(tr ',' ' ' <<<"$PROXY_NO_PROXY"); do
    if [[ "$host" =~ ^[A-Za-z0-9][A-Za-z0-9.-]*$ ]]; then
      content+=$(printf '\nAcquire::http::Proxy::%s "DIRECT";\nAcquire::https::Proxy::%s "DIRECT";' "$host" "$host")
    fi
  done
  ensure_file "$APT_PROXY_FILE" 600 "$content"
}

configure_dnf() {
  step "dnf proxy"
  # Drop proxy= lines this script does not manage (e.g. left by an older playbook).
  if grep -qE '^\s*proxy\s*=' "$DNF_CONF" 2>/dev/null && ! grep -q '^# BEGIN onprem-k8s proxy$' "$DNF_CONF"; then
    sed -i -E '/^\s*proxy\s*=/d' "$DNF_CONF"
    changed "removed unmanaged proxy= line from $DNF_CONF"
  fi
  local content=""
  [[ "$PROXY_MODE" == present ]] && content="proxy=$PROXY_HTTP"
  ensure_block "$DNF_CONF" proxy "$content" '^\[main\]'
}

configure_login_environment() {
  step "login environment"
  # Drop the block an older version kept in /etc/environment.
  ensure_block "$ENVIRONMENT_FILE" proxy ""
  if [[ "$PROXY_MODE" == absent ]]; then ensure_absent "$PROFILE_FILE"; return; fi
  local content="" name value
  for name in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    case "$name" in
      http_proxy|HTTP_PROXY) value=$PROXY_HTTP ;;
      https_proxy|HTTPS_PROXY) value=$PROXY_HTTPS ;;
      *) value=$PROXY_NO_PROXY ;;
    esac
    content+="export $name=$(printf '%q' "$value")"$'\n'
  done
  ensure_file "$PROFILE_FILE" 644 "${content%$'\n'}"
}

# Writes or removes the drop-in of each unit; restarts a unit only when its drop-in changed (or an
# earlier run changed it and was stopped before the restart: restart_if_pending).
configure_unit_dropins() {
  step "systemd drop-ins"
  local unit dropin content pending_units=()
  content=$(printf '[Service]\nEnvironment="HTTP_PROXY=%s"\nEnvironment="HTTPS_PROXY=%s"\nEnvironment="NO_PROXY=%s"\nEnvironment="http_proxy=%s"\nEnvironment="https_proxy=%s"\nEnvironment="no_proxy=%s"' \
    "$(systemd_escape_value "$PROXY_HTTP")" "$(systemd_escape_value "$PROXY_HTTPS")" "$(systemd_escape_value "$PROXY_NO_PROXY")" \
    "$(systemd_escape_value "$PROXY_HTTP")" "$(systemd_escape_value "$PROXY_HTTPS")" "$(systemd_escape_value "$PROXY_NO_PROXY")")
  for unit in "${PROXY_UNITS[@]}"; do
    dropin="/etc/systemd/system/$unit.service.d/http-proxy.conf"
    if [[ "$PROXY_MODE" == present ]]; then
      RESTART_UNIT=$unit ensure_file "$dropin" 600 "$content"
    else
      RESTART_UNIT=$unit ensure_absent "$dropin"
      rmdir "$(dirname "$dropin")" 2>/dev/null || true
    fi
    if is_pending "restart-$unit"; then pending_units+=("$unit"); fi
  done
  (( ${#pending_units[@]} == 0 )) && return 0
  systemctl daemon-reload
  for unit in "${pending_units[@]}"; do
    # Units not installed or not in use yet pick the drop-in up when first started.
    if unit_active "$unit" || unit_enabled "$unit"; then
      UNIT_STARTED=false restart_if_pending "$unit" "proxy drop-in changed"
    else
      pending_done "restart-$unit"
    fi
  done
}

main() {
  nodeprep_begin proxy
  case "${PROXY_MODE:-}" in
    present)
      require_env PROXY_HTTP
      PROXY_HTTPS=${PROXY_HTTPS:-$PROXY_HTTP}
      PROXY_NO_PROXY=${PROXY_NO_PROXY:-}
      ;;
    absent) PROXY_HTTP="" PROXY_HTTPS="" PROXY_NO_PROXY="" ;;
    *) die "PROXY_MODE: invalid value '${PROXY_MODE:-}'; expected present or absent" ;;
  esac
  detect_os_family
  case "$OS_FAMILY" in
    apt) configure_apt ;;
    dnf) configure_dnf ;;
  esac
  configure_login_environment
  configure_unit_dropins
  nodeprep_end
}

main "$@"
