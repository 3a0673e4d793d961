#!/usr/bin/env bash
# In-cluster NFS server (seed 000, T-020/T-021): optionally partitions, formats and mounts a data
# disk at the export path, refusing the system disk unless explicitly allowed, then exports the
# path to the node subnet only. Idempotent: every step checks state before changing it.
#
# Environment (quoted by the caller):
#   NFS_EXPORT_PATH        absolute directory to export, e.g. /srv/nfs/k8s
#   NFS_EXPORT_CLIENTS     who may mount it: the node subnet CIDR, e.g. 10.0.20.0/24
#   NFS_DATA_DEVICE        optional block device for the export (whole disk or partition)
#   NFS_ALLOW_SYSTEM_DISK  "true" to let NFS_DATA_DEVICE be (on) the system disk; default "false"
set -euo pipefail

log() { printf 'nfs-server: %s\n' "$*"; }
die() { printf 'nfs-server: ERROR: %s\n' "$*" >&2; exit 1; }

: "${NFS_EXPORT_PATH:?NFS_EXPORT_PATH is required}"
: "${NFS_EXPORT_CLIENTS:?NFS_EXPORT_CLIENTS is required}"
NFS_DATA_DEVICE="${NFS_DATA_DEVICE:-}"
NFS_ALLOW_SYSTEM_DISK="${NFS_ALLOW_SYSTEM_DISK:-false}"
case "$NFS_EXPORT_PATH" in /?*) ;; *) die "NFS_EXPORT_PATH must be an absolute path, got '$NFS_EXPORT_PATH'" ;; esac
[[ "$NFS_EXPORT_CLIENTS" =~ ^[0-9.]+/[0-9]+$ ]] || die "NFS_EXPORT_CLIENTS must be a CIDR, got '$NFS_EXPORT_CLIENTS'"

# The whole disk a block device belongs to (itself when it is a disk).
disk_of() {
  local dev="$1" parent
  parent="$(lsblk -ndo PKNAME "$dev" 2>/dev/null || true)"
  if [ -n "$parent" ]; then printf '/dev/%s\n' "$parent"; else readlink -f "$dev"; fi
}

# Disks holding /, /boot or active swap: the system disks the guard protects.
system_disks() {
  local source
  for mnt in / /boot /boot/efi; do
    source="$(findmnt -nvo SOURCE "$mnt" 2>/dev/null || true)"
    [ -n "$source" ] || continue
    # LVM / device-mapper: walk down to the physical disks below.
    lsblk -nspo NAME,TYPE "$source" 2>/dev/null | awk '$2 == "disk" { print $1 }'
  done
  swapon --noheadings --show=NAME 2>/dev/null | while read -r swap; do
    lsblk -nspo NAME,TYPE "$swap" 2>/dev/null | awk '$2 == "disk" { print $1 }'
  done
}

install_packages() {
  if command -v exportfs >/dev/null 2>&1; then return; fi
  if command -v apt-get >/dev/null 2>&1; then
    log "installing nfs-kernel-server"
    DEBIAN_FRONTEND=noninteractive apt-get install -y nfs-kernel-server
  elif command -v dnf >/dev/null 2>&1; then
    log "installing nfs-utils"
    dnf install -y nfs-utils
  else
    die "neither apt-get nor dnf found to install the NFS server"
  fi
}

prepare_data_disk() {
  local device="$NFS_DATA_DEVICE" disk partition fstype uuid
  [ -b "$device" ] || die "NFS_DATA_DEVICE $device is not a block device on $(hostname)"
  disk="$(disk_of "$device")"
  if system_disks | sort -u | grep -qxF "$disk"; then
    if [ "$NFS_ALLOW_SYSTEM_DISK" != "true" ]; then
      die "$device is on the system disk $disk; refusing to partition or format it (set addons.storage.nfs.dataDisk.allowSystemDisk to override)"
    fi
    log "WARNING: $device is on the system disk $disk; allowed by allowSystemDisk"
  fi

  partition="$device"
  if [ "$(lsblk -ndo TYPE "$device")" = "disk" ]; then
    # A whole disk gets one GPT partition, unless it already has partitions or a file system.
    if [ -z "$(lsblk -nro NAME "$device" | tail -n +2)" ] && [ -z "$(blkid -o value -s TYPE "$device" 2>/dev/null || true)" ]; then
      [ -z "$(mount | awk -v d="$device" '$1 == d')" ] || die "$device is mounted; refusing to partition it"
      log "partitioning $device"
      printf 'label: gpt\n,,L\n' | sfdisk --quiet "$device"
      udevadm settle || true
    fi
    partition="$(lsblk -nrpo NAME,TYPE "$device" | awk '$2 == "part" { print $1; exit }')"
    if [ -z "$partition" ]; then
      # A whole disk formatted without a partition table is used as it is.
      partition="$device"
    fi
  fi

  fstype="$(blkid -o value -s TYPE "$partition" 2>/dev/null || true)"
  if [ -z "$fstype" ]; then
    log "formatting $partition as ext4"
    mkfs.ext4 -q -L nfs-data "$partition"
    fstype=ext4
  else
    log "$partition already has a $fstype file system; keeping its data"
  fi
  uuid="$(blkid -o value -s UUID "$partition")"
  [ -n "$uuid" ] || die "no file system UUID on $partition"

  mkdir -p "$NFS_EXPORT_PATH"
  if ! grep -qE "^UUID=${uuid}[[:space:]]" /etc/fstab; then
    log "adding $partition (UUID=$uuid) to /etc/fstab at $NFS_EXPORT_PATH"
    printf 'UUID=%s %s %s defaults,nofail 0 2\n' "$uuid" "$NFS_EXPORT_PATH" "$fstype" >>/etc/fstab
  fi
  if ! mountpoint -q "$NFS_EXPORT_PATH"; then
    log "mounting $NFS_EXPORT_PATH"
    mount "$NFS_EXPORT_PATH"
  fi
}

write_exports() {
  local file=/etc/exports.d/onprem-k8s.exports desired
  # no_root_squash: the provisioner creates and removes volume directories as root.
  desired="$(printf '%s %s(rw,sync,no_subtree_check,no_root_squash)\n' "$NFS_EXPORT_PATH" "$NFS_EXPORT_CLIENTS")"
  mkdir -p /etc/exports.d
  if [ ! -f "$file" ] || [ "$(cat "$file")" != "$desired" ]; then
    log "exporting $NFS_EXPORT_PATH to $NFS_EXPORT_CLIENTS"
    printf '%s\n' "$desired" >"$file"
  fi
}

main() {
  [ "$(id -u)" -eq 0 ] || die "must run as root"
  install_packages
  if [ -n "$NFS_DATA_DEVICE" ]; then prepare_data_disk; fi
  mkdir -p "$NFS_EXPORT_PATH"
  write_exports
  local unit=nfs-server
  systemctl list-unit-files nfs-server.service >/dev/null 2>&1 || unit=nfs-kernel-server
  systemctl enable --now "$unit"
  exportfs -ra
  log "ready: $(exportfs -v | tr -s ' \t\n' ' ')"
}

main "$@"
