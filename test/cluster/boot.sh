#!/usr/bin/env bash
# Boots a lab node (test/cluster): run by node.ts as the first process of the node's new PID, mount
# and UTS namespaces, inside the node's network namespace. Assembles the root (an overlay of the
# Debian sandbox root and its package layer, with the node's own upper directory), mounts what a
# booted host has and binds the node's state directories, then becomes the node's init inside that
# root. kubeadm, kubelet, kubectl and crictl are not there: the program's packages step installs them. Everything mounted here lives and dies with the namespace.
#
# Environment: NODE_NAME, NODE_DIR (upper, work, root and state directories), LOWER (overlay
# lowerdir), IMAGES (a directory of image tarballs, bound read-only as /var/lib/onprem-lab/images).
set -euo pipefail
root="$NODE_DIR/root"
mount -t overlay overlay -o "lowerdir=$LOWER,upperdir=$NODE_DIR/upper,workdir=$NODE_DIR/work" "$root"
# Not on the overlay: containerd's overlay snapshots cannot stack on an overlay upper directory.
for dir in containerd kubelet etcd; do
  mkdir -p "$NODE_DIR/$dir" "$root/var/lib/$dir"
  mount --bind "$NODE_DIR/$dir" "$root/var/lib/$dir"
done
mount -t proc proc "$root/proc"
# A sysfs of this network namespace, and the host's cgroup hierarchies for kubelet and runc.
mount -t sysfs sysfs "$root/sys"
mount --rbind /sys/fs/cgroup "$root/sys/fs/cgroup"
mount --rbind /dev "$root/dev"
mount -t tmpfs -o mode=755 tmpfs "$root/run"
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
# The kernel's own modules, where this machine has them (modprobe then works as on the host).
release=$(uname -r)
if [[ -d "/lib/modules/$release" ]]; then
  mkdir -p "$root/lib/modules/$release"
  mount --bind -o ro "/lib/modules/$release" "$root/lib/modules/$release"
fi
if [[ -n "${IMAGES:-}" ]]; then
  mkdir -p "$root/var/lib/onprem-lab/images"
  mount --bind -o ro "$IMAGES" "$root/var/lib/onprem-lab/images"
fi
hostname "$NODE_NAME"
# The root becomes the mount namespace's own root (pivot_root, not chroot): `crictl exec` (runc exec)
# enters a container through its mount namespace, which a chroot would leave rooted at the host's /.
cd "$root"
pivot_root . .
umount -l .
# kubelet and containerd mount below / and expect those mounts to propagate (as kind does).
mount --make-rshared /
exec /usr/local/lib/onprem-lab/init
