#!/usr/bin/env bash
# Kubernetes package repository and kubeadm/kubelet/kubectl pinned to one version and held.
#
# Parameters (environment):
#   KUBERNETES_VERSION        required, exact version without revision, e.g. 1.30.14
#   KUBERNETES_REPO_URL       repository URL; default pkgs.k8s.io core:/stable:/v<minor>/{deb,rpm}/
#                             (apt: a flat repository, "deb <url> /")
#   KUBERNETES_REPO_KEY       signing key, ASCII-armored, given as data (preferred for offline sites)
#   KUBERNETES_REPO_KEY_URL   signing key URL; default <url>Release.key (apt) or
#                             <url>repodata/repomd.xml.key (dnf); unused when KUBERNETES_REPO_KEY is set
#   KUBERNETES_REPO_RETRIES              attempts to fetch the repository metadata (default 5)
#   KUBERNETES_REPO_RETRY_DELAY_SECONDS  delay between attempts (default 10)
set -euo pipefail
# shellcheck source=lib.sh
[[ "$(type -t nodeprep_begin)" == function ]] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PACKAGES=(kubeadm kubelet kubectl)
APT_KEYRING=/etc/apt/keyrings/kubernetes-apt-keyring.asc
APT_SOURCE=/etc/apt/sources.list.d/kubernetes.list
DNF_KEY=/etc/pki/rpm-gpg/kubernetes.asc
DNF_REPO=/etc/yum.repos.d/kubernetes.repo

install_key() {
  local path="$1" key_url="$2"
  if [[ -n "${KUBERNETES_REPO_KEY:-}" ]]; then
    ensure_file "$path" 644 "$KUBERNETES_REPO_KEY"
  elif [[ ! -s "$path" ]]; then
    mkdir -p "$(dirname "$path")"
    retry "$RETRIES" "$RETRY_DELAY" curl -fsSL -o "$path" "$key_url"
    changed "downloaded repository key $key_url"
  fi
}

configure_apt_repository() {
  install_key "$APT_KEYRING" "${REPO_URL}Release.key"
  ensure_file "$APT_SOURCE" 644 "deb [signed-by=$APT_KEYRING] $REPO_URL /"
  # Refresh this repository only: a broken third-party repo must not block us, and
  # the k8s repo is the one the seed saw failing transiently.
  if ! retry "$RETRIES" "$RETRY_DELAY" pm_run apt-get update \
      -o Dir::Etc::sourcelist="$APT_SOURCE" -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0; then
    die "Kubernetes repository $REPO_URL unreachable after $RETRIES attempts"
  fi
  # apt-get update exits 0 on some fetch errors: make sure the index is really there.
  if grep -qE '^(E:|Err:)' "$NODEPREP_PM_LOG"; then
    die "Kubernetes repository $REPO_URL could not be fetched"
  fi
}

configure_dnf_repository() {
  local key_ref="${REPO_URL}repodata/repomd.xml.key"
  if [[ -n "${KUBERNETES_REPO_KEY:-}" ]]; then
    install_key "$DNF_KEY" ""
    key_ref="file://$DNF_KEY"
  fi
  ensure_file "$DNF_REPO" 644 "$(printf '[kubernetes]\nname=Kubernetes\nbaseurl=%s\nenabled=1\ngpgcheck=1\ngpgkey=%s\nexclude=kubelet kubeadm kubectl cri-tools kubernetes-cni' "$REPO_URL" "$key_ref")"
  if ! retry "$RETRIES" "$RETRY_DELAY" pm_run dnf makecache --disablerepo='*' --enablerepo=kubernetes; then
    die "Kubernetes repository $REPO_URL unreachable after $RETRIES attempts"
  fi
}

installed_version() {
  case "$OS_FAMILY" in
    apt) dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null | awk '$3 == "installed" { sub(/-[^-]*$/, "", $4); print $4 }' ;;
    dnf) rpm -q --qf '%{VERSION}\n' "$1" 2>/dev/null | grep -v 'not installed' || true ;;
  esac
}

# Holds as lines: package names (apt) or versionlock entries (dnf). Read into a
# variable first: `... | grep -q` would SIGPIPE the lister and fail under pipefail.
list_holds() {
  case "$OS_FAMILY" in
    apt) apt-mark showhold ;;
    dnf) dnf versionlock list 2>/dev/null || true ;;
  esac
}

# Any hold on <pkg>.
has_hold() {
  local holds
  holds=$(list_holds)
  case "$OS_FAMILY" in
    apt) grep -qxF "$1" <<<"$holds" ;;
    dnf) grep -qE "^$1-(0:)?[0-9]" <<<"$holds" ;;
  esac
}

# A hold on <pkg> at KUBERNETES_VERSION (apt holds are not versioned).
is_held() {
  local holds
  holds=$(list_holds)
  case "$OS_FAMILY" in
    apt) grep -qxF "$1" <<<"$holds" ;;
    dnf) grep -qE "^$1-(0:)?$K8S_VERSION-" <<<"$holds" ;;
  esac
}

release_holds() {
  case "$OS_FAMILY" in
    apt) pm_run apt-mark unhold "$@" ;;
    dnf) pm_run dnf versionlock delete "$@" ;;
  esac
  changed "unheld $*"
}

# Full apt version (with revision) of <pkg> for KUBERNETES_VERSION, e.g. 1.30.14-1.1.
apt_version_of() {
  apt-cache madison "$1" | awk -v want="$K8S_VERSION" '{ v = $3; sub(/-[^-]*$/, "", v) } v == want { print $3; exit }'
}

install_packages() {
  step "kubernetes packages $K8S_VERSION"
  local pkg outdated=() held=() specs=() full
  for pkg in "${PACKAGES[@]}"; do
    if [[ "$(installed_version "$pkg")" != "$K8S_VERSION" ]]; then outdated+=("$pkg"); fi
  done
  if (( ${#outdated[@]} > 0 )); then
    # A version change needs the hold lifted first.
    for pkg in "${PACKAGES[@]}"; do
      if has_hold "$pkg"; then held+=("$pkg"); fi
    done
    if (( ${#held[@]} > 0 )); then release_holds "${held[@]}"; fi
    for pkg in "${outdated[@]}"; do
      case "$OS_FAMILY" in
        apt)
          full=$(apt_version_of "$pkg")
          [[ -n "$full" ]] || die "$pkg $K8S_VERSION not found in $REPO_URL; available: $(apt-cache madison "$pkg" | awk '{print $3}' | xargs)"
          specs+=("$pkg=$full")
          ;;
        dnf) specs+=("$pkg-$K8S_VERSION") ;;
      esac
    done
    case "$OS_FAMILY" in
      apt) pm_run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
             --allow-downgrades --allow-change-held-packages "${specs[@]}" ;;
      # --allowerasing lets the kubernetes repo's cri-tools replace a distribution
      # cri-tools instead of failing depsolve (seed T-028).
      dnf) pm_run dnf install -y --disableexcludes=kubernetes --allowerasing "${specs[@]}" ;;
    esac
    changed "installed ${specs[*]}"
  fi
  for pkg in "${PACKAGES[@]}"; do
    if ! is_held "$pkg"; then
      if has_hold "$pkg"; then release_holds "$pkg"; fi
      case "$OS_FAMILY" in
        apt) pm_run apt-mark hold "$pkg" ;;
        dnf) pm_run dnf versionlock add "$pkg-$K8S_VERSION" ;;
      esac
      changed "held $pkg at $K8S_VERSION"
    fi
  done
}

ensure_versionlock_plugin() {
  if ! dnf versionlock list >/dev/null 2>&1; then
    pm_run dnf install -y 'dnf-command(versionlock)'
    changed "installed dnf versionlock plugin"
  fi
}

main() {
  nodeprep_begin kubernetes-packages
  require_env KUBERNETES_VERSION
  K8S_VERSION=$KUBERNETES_VERSION
  [[ "$K8S_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "KUBERNETES_VERSION: invalid value '$K8S_VERSION'; expected <major>.<minor>.<patch>, e.g. 1.30.14"
  RETRIES=${KUBERNETES_REPO_RETRIES:-5}
  RETRY_DELAY=${KUBERNETES_REPO_RETRY_DELAY_SECONDS:-10}
  detect_os_family
  local minor=${K8S_VERSION%.*} kind=deb
  [[ "$OS_FAMILY" == dnf ]] && kind=rpm
  REPO_URL=${KUBERNETES_REPO_URL:-https://pkgs.k8s.io/core:/stable:/v$minor/$kind/}
  REPO_URL="${REPO_URL%/}/"
  step "kubernetes repository"
  case "$OS_FAMILY" in
    apt) configure_apt_repository ;;
    dnf) ensure_versionlock_plugin; configure_dnf_repository ;;
  esac
  install_packages
  step "kubelet service"
  NODEPREP_UNIT=kubelet
  if ! unit_enabled kubelet; then
    systemctl enable kubelet
    changed "enabled kubelet"
  fi
  nodeprep_end
}

main "$@"
