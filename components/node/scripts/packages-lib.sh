#!/usr/bin/env bash
# The Kubernetes package repository and kubeadm/kubelet/kubectl pinned to one version and held:
# the functions kubernetes-packages.sh (node preparation) and the upgrade steps
# (components/kubeadm/scripts/upgrade.sh) share. Shipped after the node library (lib.sh), so it
# defines functions only. They read K8S_VERSION (exact, e.g. 1.34.4), REPO_URL (ending in /),
# RETRIES, RETRY_DELAY, OS_FAMILY and the optional KUBERNETES_REPO_KEY.
# shellcheck disable=SC2034  # PACKAGES is read by the sourcing scripts
set -euo pipefail

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
    download_file "$RETRIES" "$RETRY_DELAY" "$path" "$key_url"
    changed "downloaded repository key $key_url"
  fi
}

# Whether every package is installed at K8S_VERSION and held (or newer, which install_packages
# leaves alone): then nothing needs the repository's index.
packages_in_place() {
  local pkg installed
  for pkg in "${PACKAGES[@]}"; do
    installed=$(installed_version "$pkg")
    [[ -n "$installed" ]] || return 1
    if [[ "$installed" == "$K8S_VERSION" ]]; then
      is_held "$pkg" || return 1
    else
      version_newer "$installed" "$K8S_VERSION" || return 1
    fi
  done
}

# With the repository's files unchanged since <changes before writing them> and the packages in
# place, the index is not fetched: a re-run, or a template that has the packages, is a quick
# no-op that needs no repository at all.
index_needed() {
  (( NODEPREP_CHANGES != $1 )) && return 0
  if packages_in_place; then
    ok "kubeadm, kubelet and kubectl at $K8S_VERSION and held, repository unchanged: its index is not fetched"
    return 1
  fi
}

configure_apt_repository() {
  local before=$NODEPREP_CHANGES
  install_key "$APT_KEYRING" "${REPO_URL}Release.key"
  ensure_file "$APT_SOURCE" 644 "deb [signed-by=$APT_KEYRING] $REPO_URL /"
  index_needed "$before" || return 0
  # Errors of this update only: the log also holds earlier installs' harmless "E:" lines.
  local from
  from=$(( $(wc -l <"$NODEPREP_PM_LOG") + 1 ))
  # Refresh this repository only: a broken third-party repo must not block us, and
  # the k8s repo is the one the seed saw failing transiently.
  if ! retry "$RETRIES" "$RETRY_DELAY" pm_run apt-get update \
      -o Dir::Etc::sourcelist="$APT_SOURCE" -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0; then
    die "Kubernetes repository $REPO_URL unreachable after $RETRIES attempts"
  fi
  # apt-get update exits 0 on some fetch errors: make sure the index is really there.
  if tail -n +"$from" "$NODEPREP_PM_LOG" | grep -qE '^(E:|Err:)'; then
    die "Kubernetes repository $REPO_URL could not be fetched"
  fi
}

configure_dnf_repository() {
  local key_ref="${REPO_URL}repodata/repomd.xml.key" before=$NODEPREP_CHANGES
  if [[ -n "${KUBERNETES_REPO_KEY:-}" ]]; then
    install_key "$DNF_KEY" ""
    key_ref="file://$DNF_KEY"
  fi
  ensure_file "$DNF_REPO" 644 "$(printf '[kubernetes]\nname=Kubernetes\nbaseurl=%s\nenabled=1\ngpgcheck=1\ngpgkey=%s\nexclude=kubelet kubeadm kubectl cri-tools kubernetes-cni' "$REPO_URL" "$key_ref")"
  index_needed "$before" || return 0
  if ! retry "$RETRIES" "$RETRY_DELAY" pm_run dnf makecache --disablerepo='*' --enablerepo=kubernetes; then
    die "Kubernetes repository $REPO_URL unreachable after $RETRIES attempts"
  fi
}

installed_version() {
  case "$OS_FAMILY" in
    # Not installed: dpkg-query fails, which is an empty answer, not an error.
    apt) { dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null || true; } | awk '$3 == "installed" { sub(/-[^-]*$/, "", $4); print $4 }' ;;
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

# Whether version $1 is newer than $2 (x.y.z).
version_newer() {
  [[ "$1" != "$2" && "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" == "$1" ]]
}

# Installs <pkg>... (default: kubeadm kubelet kubectl) at K8S_VERSION and holds them there. A
# package installed at a NEWER version is left alone, and said so: the upgrade steps move packages
# forward, and an existing node's preparation keeps the version it was installed at.
install_packages() {
  local packages=("$@")
  (( ${#packages[@]} > 0 )) || packages=("${PACKAGES[@]}")
  step "kubernetes packages $K8S_VERSION: ${packages[*]}"
  local pkg installed outdated=() pinned=() held=() specs=() full
  for pkg in "${packages[@]}"; do
    installed=$(installed_version "$pkg")
    if [[ -n "$installed" ]] && version_newer "$installed" "$K8S_VERSION"; then
      note "$pkg $installed is installed, newer than $K8S_VERSION: left as it is (never downgraded; upgrades move it)"
      continue
    fi
    pinned+=("$pkg")
    if [[ "$installed" != "$K8S_VERSION" ]]; then outdated+=("$pkg"); fi
  done
  if (( ${#outdated[@]} > 0 )); then
    # A version change needs the hold lifted first.
    for pkg in "${pinned[@]}"; do
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
      apt) apt_install --allow-change-held-packages "${specs[@]}" ;;
      # --allowerasing lets the kubernetes repo's cri-tools replace a distribution
      # cri-tools instead of failing depsolve (seed T-028).
      dnf) pm_run dnf install -y --disableexcludes=kubernetes --allowerasing "${specs[@]}" ;;
    esac
    changed "installed ${specs[*]}"
  fi
  for pkg in "${pinned[@]}"; do
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

# The repository of REPO_URL, refreshed (apt: that source only).
configure_kubernetes_repository() {
  step "kubernetes repository"
  case "$OS_FAMILY" in
    apt) configure_apt_repository ;;
    dnf) ensure_versionlock_plugin; configure_dnf_repository ;;
  esac
}

# REPO_URL from KUBERNETES_REPO_URL, or pkgs.k8s.io's repository of K8S_VERSION's minor.
default_repo_url() {
  local minor=${K8S_VERSION%.*} kind=deb
  [[ "$OS_FAMILY" == dnf ]] && kind=rpm
  REPO_URL=${KUBERNETES_REPO_URL:-https://pkgs.k8s.io/core:/stable:/v$minor/$kind/}
  REPO_URL="${REPO_URL%/}/"
}
