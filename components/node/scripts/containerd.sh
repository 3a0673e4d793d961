#!/usr/bin/env bash
# containerd: package, config.toml (systemd cgroups, pinned sandbox image, registry
# mirrors), service, crictl config.
#
# Parameters (environment):
#   CONTAINERD_SOURCE        distro (default: package "containerd") | repo (package "containerd.io")
#   CONTAINERD_REPO_URL      repo only. apt: base URL of a Docker-style repo (suite = VERSION_CODENAME,
#                            component stable); dnf: baseurl of the repo
#   CONTAINERD_REPO_KEY_URL  repo only: URL of its signing key
#   SANDBOX_IMAGE            required, e.g. registry.k8s.io/pause:3.9
#   REGISTRY_MIRRORS         optional, newline-separated "<registry>=<mirror-url>[,<mirror-url>...]"
#                            lines, e.g. "docker.io=https://mirror.example:5000"
set -euo pipefail
# shellcheck source=lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CONFIG=/etc/containerd/config.toml
CERTS_DIR=/etc/containerd/certs.d
MANAGED_MARK="# managed by onprem-k8s"

configure_repository() {
  step "containerd repository"
  local url=${CONTAINERD_REPO_URL:-} key_url=${CONTAINERD_REPO_KEY_URL:-} codename
  require_env CONTAINERD_REPO_URL
  case "$OS_FAMILY" in
    apt)
      codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
      if [[ -n "$key_url" && ! -s /etc/apt/keyrings/containerd.asc ]]; then
        download_file 5 5 /etc/apt/keyrings/containerd.asc "$key_url"
        changed "downloaded containerd repository key"
      fi
      ensure_file /etc/apt/sources.list.d/containerd.list 644 \
        "deb [signed-by=/etc/apt/keyrings/containerd.asc] ${url%/} $codename stable"
      ;;
    dnf)
      ensure_file /etc/yum.repos.d/containerd.repo 644 "$(printf '[containerd]\nname=containerd\nbaseurl=%s\nenabled=1\ngpgcheck=%s\ngpgkey=%s' \
        "$url" "$([[ -n "$key_url" ]] && echo 1 || echo 0)" "$key_url")"
      ;;
  esac
}

install_containerd() {
  step "containerd package"
  case "${CONTAINERD_SOURCE:-distro}" in
    distro) if ! pkg_installed containerd.io; then ensure_packages containerd; fi ;;
    repo) configure_repository; ensure_packages containerd.io ;;
    *) die "CONTAINERD_SOURCE: invalid value '${CONTAINERD_SOURCE}'; expected distro or repo" ;;
  esac
}

# containerd's own defaults, with systemd cgroups, the pinned sandbox image and certs.d mirrors.
# 1.x defaults carry SystemdCgroup = false below the runc options header (set it); newer 2.x
# defaults omit it (add it after that header). Decided before rendering: adding it where the
# defaults have it would define the key twice, and containerd refuses to start on that.
render_config() {
  local defaults add_cgroup=1
  defaults=$(containerd config default)
  if grep -qE '^[[:space:]]*SystemdCgroup[[:space:]]*=' <<<"$defaults"; then add_cgroup=0; fi
  awk -v image="$SANDBOX_IMAGE" -v certs="$CERTS_DIR" -v add_cgroup="$add_cgroup" '
    # 1.x: sandbox_image = "..."; 2.x: sandbox = "..." under pinned_images
    /^[[:space:]]*sandbox_image[[:space:]]*=/ { sub(/=.*/, "= \"" image "\"") }
    /^[[:space:]]*sandbox[[:space:]]*=/ { sub(/=.*/, "= \"" image "\"") }
    /^[[:space:]]*SystemdCgroup[[:space:]]*=/ { sub(/=.*/, "= true") }
    /^[[:space:]]*config_path[[:space:]]*=/ && in_registry { sub(/=.*/, "= \"" certs "\"") }
    /^[[:space:]]*\[/ { in_registry = ($0 ~ /\.registry\]/) }
    { print }
    /^[[:space:]]*\[.*runtimes\.runc\.options\][[:space:]]*$/ && add_cgroup == 1 { print "            SystemdCgroup = true"; add_cgroup = 0 }
  ' <<<"$defaults"
}

configure_containerd() {
  step "containerd config"
  NODEPREP_UNIT=containerd
  local rendered
  rendered=$(render_config)
  grep -q 'SystemdCgroup = true' <<<"$rendered" || die "could not set SystemdCgroup in the config of $(containerd --version)"
  grep -qF "\"$SANDBOX_IMAGE\"" <<<"$rendered" || die "could not pin the sandbox image in the config of $(containerd --version)"
  config_loads "$rendered" || die "containerd cannot load the config rendered for $(containerd --version); it was not written"
  # A changed config owes containerd a restart, kept until done: a run killed before it would
  # leave containerd on its old config (cgroup driver, sandbox image) for good.
  RESTART_UNIT=containerd ensure_file "$CONFIG" 644 "$rendered"
  configure_mirrors
  ensure_unit_enabled_and_running containerd
  restart_if_pending containerd "config changed"
}

# Whether containerd itself parses a config (a key defined twice, say, would keep it from starting).
config_loads() {
  local file status=0
  file=$(mktemp)
  printf '%s\n' "$1" >"$file"
  containerd --config "$file" config dump >/dev/null 2>"$file.err" || status=$?
  if ((status != 0)); then cat "$file.err" >&2; fi
  rm -f "$file" "$file.err"
  return "$status"
}

# One certs.d/<registry>/hosts.toml per mirrored registry; read per pull, no restart needed.
configure_mirrors() {
  step "registry mirrors"
  local line registry mirrors mirror server content wanted=" " dir
  while IFS= read -r line; do
    [[ -z "${line// /}" ]] && continue
    registry=${line%%=*}
    mirrors=${line#*=}
    [[ "$line" == *=* && -n "$registry" && -n "$mirrors" ]] || die "REGISTRY_MIRRORS: bad line '$line'; expected <registry>=<mirror-url>[,<mirror-url>]"
    server="https://$registry"
    [[ "$registry" == docker.io ]] && server="https://registry-1.docker.io"
    content="$MANAGED_MARK"$'\n'"server = \"$server\""
    for mirror in ${mirrors//,/ }; do
      content+=$'\n\n'"[host.\"$mirror\"]"$'\n'"  capabilities = [\"pull\", \"resolve\"]"
    done
    ensure_file "$CERTS_DIR/$registry/hosts.toml" 644 "$content"
    wanted+="$registry "
  done <<<"${REGISTRY_MIRRORS:-}"
  # Remove mirrors this script wrote earlier that are no longer configured.
  for dir in "$CERTS_DIR"/*/; do
    [[ -d "$dir" ]] || continue
    registry=$(basename "$dir")
    if [[ "$wanted" != *" $registry "* ]] && grep -qxF "$MANAGED_MARK" "$dir/hosts.toml" 2>/dev/null; then
      rm -rf "$dir"
      changed "removed mirror config for $registry"
    fi
  done
}

configure_crictl() {
  step "crictl"
  ensure_file /etc/crictl.yaml 644 "$(printf 'runtime-endpoint: unix:///run/containerd/containerd.sock\nimage-endpoint: unix:///run/containerd/containerd.sock\ntimeout: 10')"
}

main() {
  nodeprep_begin containerd
  require_env SANDBOX_IMAGE
  detect_os_family
  install_containerd
  configure_containerd
  configure_crictl
  nodeprep_end
}

main "$@"
