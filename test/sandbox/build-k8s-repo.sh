#!/bin/bash
# Runs inside the sandbox root: builds a signed flat apt repository laid out like
# pkgs.k8s.io (<root>/core:/stable:/v<minor>/deb/) with fake kubeadm, kubelet, kubectl
# at the given package versions (default: two 1.30 patches) and cri-tools, and exports its
# public key to <root>/key.asc and, as pkgs.k8s.io publishes it, to <repo>/Release.key.
# Usage: build-k8s-repo.sh [root] [minor] [package-version...]
set -euo pipefail
ROOT=${1:-/srv/k8s-mirror}
MINOR=${2:-1.30}
VERSIONS=("${@:3}")
((${#VERSIONS[@]} > 0)) || VERSIONS=(1.30.1-1.1 1.30.2-1.1)
REPO="$ROOT/core:/stable:/v$MINOR/deb"
BUILD=$(mktemp -d)
mkdir -p "$REPO"

fake_package() {
  local name=$1 version=$2 depends=${3:-} dir="$BUILD/$1_$2"
  mkdir -p "$dir/DEBIAN" "$dir/usr/bin"
  {
    echo "Package: $name"; echo "Version: $version"; echo "Architecture: all"
    echo "Maintainer: sandbox <sandbox@example.invalid>"
    [[ -n "$depends" ]] && echo "Depends: $depends"
    echo "Description: sandbox stand-in for $name"
  } >"$dir/DEBIAN/control"
  printf '#!/bin/sh\necho "%s %s"\n' "$name" "$version" >"$dir/usr/bin/$name"
  chmod 755 "$dir/usr/bin/$name"
  dpkg-deb --root-owner-group -b "$dir" "$REPO/${name}_${version}_all.deb" >/dev/null
}

for v in "${VERSIONS[@]}"; do
  fake_package kubeadm "$v" "cri-tools (>= $MINOR.0)"
  fake_package kubelet "$v"
  fake_package kubectl "$v"
done
fake_package cri-tools "$MINOR.0-1.1"

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
