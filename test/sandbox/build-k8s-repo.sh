#!/bin/bash
# Runs inside the sandbox root: builds a signed flat apt repository laid out like
# pkgs.k8s.io (<root>/core:/stable:/v<minor>/deb/) with fake kubeadm, kubelet, kubectl
# at the given package versions (default: two 1.30 patches) and cri-tools, and exports its
# public key to <root>/key.asc and, as pkgs.k8s.io publishes it, to <repo>/Release.key.
# With BINARIES=<dir> (holding kubeadm, kubelet, kubectl and crictl), the packages carry those
# real binaries instead (amd64, gzip -1: the binaries are 60-90 MB each).
# Usage: [BINARIES=<dir>] build-k8s-repo.sh [root] [minor] [package-version...]
set -euo pipefail
ROOT=${1:-/srv/k8s-mirror}
MINOR=${2:-1.30}
VERSIONS=("${@:3}")
((${#VERSIONS[@]} > 0)) || VERSIONS=(1.30.1-1.1 1.30.2-1.1)
REPO="$ROOT/core:/stable:/v$MINOR/deb"
BUILD=$(mktemp -d)
mkdir -p "$REPO"

# package <name> <version> <binary> [depends]: /usr/bin/<binary> in package <name>.
package() {
  local name=$1 version=$2 binary=$3 depends=${4:-} dir="$BUILD/$1_$2" arch=all what="sandbox stand-in for"
  mkdir -p "$dir/DEBIAN" "$dir/usr/bin"
  if [[ -n "${BINARIES:-}" ]]; then
    arch=amd64 what="locally built"
    cp "$BINARIES/$binary" "$dir/usr/bin/$binary"
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
  dpkg-deb --root-owner-group -Zgzip -z1 -b "$dir" "$REPO/${name}_${version}_$arch.deb" >/dev/null
  rm -rf "$dir"
}

for v in "${VERSIONS[@]}"; do
  package kubeadm "$v" kubeadm "cri-tools (>= $MINOR.0)"
  package kubelet "$v" kubelet
  package kubectl "$v" kubectl
done
package cri-tools "$MINOR.0-1.1" crictl

export GNUPGHOME="$BUILD/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'sandbox k8s repo <repo@example.invalid>' ed25519 sign never 2>/dev/null
gpg --batch --armor --export >"$ROOT/key.asc"
cd "$REPO"
apt-ftparchive packages . >Packages
apt-ftparchive release . >Release
gpg --batch --yes --clearsign -o InRelease Release
gpg --batch --yes -abs -o Release.gpg Release
cp "$ROOT/key.asc" Release.key
gpgconf --kill gpg-agent 2>/dev/null || true
rm -rf "$BUILD"
