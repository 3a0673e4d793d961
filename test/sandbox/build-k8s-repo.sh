#!/bin/bash
# Runs inside the sandbox root: builds a signed flat apt repository laid out like
# pkgs.k8s.io (<root>/core:/stable:/v<minor>/deb/) with fake kubeadm, kubelet, kubectl
# at the given package versions (default: two 1.30 patches) and cri-tools, and exports its
# public key to <root>/key.asc and, as pkgs.k8s.io publishes it, to <repo>/Release.key.
# A version of another minor than <minor> goes to that minor's repository (a minor upgrade needs
# both); every minor's repository gets cri-tools and the same key.
# With BINARIES=<dir> (holding kubeadm, kubelet, kubectl and crictl), the packages carry those
# real binaries instead (amd64, gzip -1: the binaries are 60-90 MB each); a version's own
# binaries, where there are several, are in <dir>/<version>/ (e.g. <dir>/1.34.3/kubeadm).
# Usage: [BINARIES=<dir>] build-k8s-repo.sh [root] [minor] [package-version...]
set -euo pipefail
ROOT=${1:-/srv/k8s-mirror}
MINOR=${2:-1.30}
VERSIONS=("${@:3}")
((${#VERSIONS[@]} > 0)) || VERSIONS=(1.30.1-1.1 1.30.2-1.1)
BUILD=$(mktemp -d)

# repo_of <minor>: the repository directory of one minor.
repo_of() { echo "$ROOT/core:/stable:/v$1/deb"; }

# minor_of <package-version>: 1.34.3-1.1 -> 1.34
minor_of() { local v=${1%%-*}; echo "${v%.*}"; }

# package <name> <version> <binary> [depends]: /usr/bin/<binary> in package <name>, in its minor's repository.
package() {
  local name=$1 version=$2 binary=$3 depends=${4:-} dir="$BUILD/$1_$2" arch=all what="sandbox stand-in for"
  local repo source
  repo=$(repo_of "$(minor_of "$version")")
  mkdir -p "$dir/DEBIAN" "$dir/usr/bin" "$repo"
  if [[ -n "${BINARIES:-}" ]]; then
    arch=amd64 what="locally built"
    source="$BINARIES/${version%%-*}/$binary"
    [[ -f "$source" ]] || source="$BINARIES/$binary"
    cp "$source" "$dir/usr/bin/$binary"
  else
    printf '#!/bin/sh\necho "%s %s"\n' "$name" "$version" >"$dir/usr/bin/$binary"
  fi
  chmod 755 "$dir/usr/bin/$binary"
  {
    echo "Package: $name"; echo "Version: $version"; echo "Architecture: $arch"
    echo "Maintainer: sandbox <sandbox@example.invalid>"
    [[ -n "$depends" ]] && echo "Depends: $depends"
    echo "Description: $what $name"
  } >"$dir/DEBIAN/control"
  dpkg-deb --root-owner-group -Zgzip -z1 -b "$dir" "$repo/${name}_${version}_$arch.deb" >/dev/null
  rm -rf "$dir"
}

# <minor> always gets its repository, even when every version is of another one.
declare -A MINORS=([$MINOR]=1)
for v in "${VERSIONS[@]}"; do
  minor=$(minor_of "$v")
  MINORS[$minor]=1
  package kubeadm "$v" kubeadm "cri-tools (>= $minor.0)"
  package kubelet "$v" kubelet
  package kubectl "$v" kubectl
done
for minor in "${!MINORS[@]}"; do package cri-tools "$minor.0-1.1" crictl; done

export GNUPGHOME="$BUILD/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'sandbox k8s repo <repo@example.invalid>' ed25519 sign never 2>/dev/null
gpg --batch --armor --export >"$ROOT/key.asc"
for minor in "${!MINORS[@]}"; do
  (
    cd "$(repo_of "$minor")"
    apt-ftparchive packages . >Packages
    apt-ftparchive release . >Release
    gpg --batch --yes --clearsign -o InRelease Release
    gpg --batch --yes -abs -o Release.gpg Release
    cp "$ROOT/key.asc" Release.key
  )
done
gpgconf --kill gpg-agent 2>/dev/null || true
rm -rf "$BUILD"
