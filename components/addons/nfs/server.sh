#!/usr/bin/env bash
# In-cluster NFS server (seed 000, T-020/T-021): optionally partitions, formats and mounts a data
# disk at the export path, refusing the system disk unless explicitly allowed, then exports the
# path to the node subnet only. Idempotent: every step checks state before changing it.
# Never wipes data: only a blank disk is partitioned; a partition it created (GPT name nfs-data) or
# one the operator names is formatted only when blank; an existing file system is kept and
# mounted; partition tables it did not write and non-file-system signatures (LVM, RAID, swap,
# LUKS) are refused with a message saying how to proceed.
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
# File system label and GPT partition name of what this script creates.
LABEL=nfs-data
case "$NFS_EXPORT_PATH" in /?*) ;; *) die "NFS_EXPORT_PATH must be an absolute path, got '$NFS_EXPORT_PATH'" ;; esac
[[ "$NFS_EXPORT_CLIENTS" =~ ^[0-9.]+/[0-9]+$ ]] || die "NFS_EXPORT_CLIENTS must be a CIDR, got '$NFS_EXPORT_CLIENTS'"

# The disks (or loop devices) a block device sits on, through partitions, LVM and device-mapper.
# Raw output (-r): the default tree output prefixes names with "└─", which no disk name matches.
disks_below() {
  lsblk -nrspo NAME,TYPE "$1" 2>/dev/null | awk '$2 == "disk" || $2 == "loop" { print $1 }'
}

# Disks holding /, /boot or active swap: the system disks the guard protects.
system_disks() {
  local source swap
  for mnt in / /boot /boot/efi; do
    source="$(findmnt -nvo SOURCE "$mnt" 2>/dev/null || true)"
    [ -n "$source" ] || continue
    disks_below "$source"
  done
  swapon --noheadings --show=NAME 2>/dev/null | while read -r swap; do
    disks_below "$swap"
  done
}

# Low-level probe (no blkid cache) of what a device carries: sets TYPE, USAGE, PTTYPE and
# PART_ENTRY_NAME. Dies on an ambivalent result (more than one signature): that is never empty.
probe() {
  local dev="$1" out rc=0 key value
  TYPE="" USAGE="" PTTYPE="" PART_ENTRY_NAME=""
  out="$(blkid -p -o export "$dev" 2>&1)" || rc=$?
  case "$rc" in
    0) ;;
    2) return 0 ;; # nothing found
    *) die "cannot tell what $dev holds (blkid -p exit $rc: $out); refusing to touch it" ;;
  esac
  while IFS='=' read -r key value; do
    case "$key" in
      TYPE) TYPE="$value" ;;
      USAGE) USAGE="$value" ;;
      PTTYPE) PTTYPE="$value" ;;
      PART_ENTRY_NAME) PART_ENTRY_NAME="$value" ;;
    esac
  done <<<"$out"
}

# Tools first: a minimal node may lack the partitioning and ext4 tools as well as the NFS server.
install_packages() {
  local apt=() dnf=()
  command -v exportfs >/dev/null 2>&1 || { apt+=(nfs-kernel-server); dnf+=(nfs-utils); }
  if [ -n "$NFS_DATA_DEVICE" ]; then
    command -v sfdisk >/dev/null 2>&1 || { apt+=(fdisk); dnf+=(util-linux); }
    command -v mkfs.ext4 >/dev/null 2>&1 || { apt+=(e2fsprogs); dnf+=(e2fsprogs); }
  fi
  [ "${#apt[@]}" -gt 0 ] || return 0
  if command -v apt-get >/dev/null 2>&1; then
    log "installing ${apt[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${apt[@]}"
  elif command -v dnf >/dev/null 2>&1; then
    log "installing ${dnf[*]}"
    dnf install -y "${dnf[@]}"
  else
    die "neither apt-get nor dnf found to install ${apt[*]}"
  fi
}

# Sets PARTITION: the partition (or device) that holds the export's file system. Only a blank disk
# is partitioned; anything else is used as found or refused, never wiped.
data_partition() {
  local device="$1" parts count
  case "$(lsblk -ndo TYPE "$device")" in
    disk | loop) ;;
    *) PARTITION="$device"; return 0 ;; # a partition or volume named by the operator
  esac
  probe "$device"
  if [ -z "$TYPE" ] && [ -z "$PTTYPE" ]; then
    [ -z "$(lsblk -nro NAME "$device" | tail -n +2)" ] || die "$device has partitions the kernel knows but no partition table on disk; refusing to partition it"
    [ -z "$(mount | awk -v d="$device" '$1 == d')" ] || die "$device is mounted; refusing to partition it"
    log "partitioning $device"
    printf 'label: gpt\ntype=L, name=%s\n' "$LABEL" | sfdisk --quiet "$device"
    # The kernel may keep the old (empty) table after sfdisk's re-read; partx adds the partition.
    partx -u "$device" 2>/dev/null || true
    if command -v udevadm >/dev/null 2>&1; then udevadm settle || true; fi
    PTTYPE=gpt
  fi
  if [ -z "$PTTYPE" ]; then
    # A whole disk formatted without a partition table is used as it is (checked by the caller).
    PARTITION="$device"
    return 0
  fi
  parts="$(lsblk -nrpo NAME,TYPE "$device" | awk '$2 == "part" { print $1 }')"
  count="$(printf '%s' "$parts" | grep -c . || true)"
  [ "$count" -eq 1 ] || die "$device has a $PTTYPE partition table with $count partition(s) (${parts//$'\n'/ }); refusing to choose or repartition: set dataDisk.device to the partition to use, or wipe the disk (wipefs -a $device) to let it be partitioned"
  PARTITION="$parts"
}

prepare_data_disk() {
  local device="$NFS_DATA_DEVICE" system partition fstype uuid entry owner mounted
  [ -b "$device" ] || die "NFS_DATA_DEVICE $device is not a block device on $(hostname)"
  system="$(system_disks | sort -u)"
  for disk in $(disks_below "$device"); do
    if grep -qxF "$disk" <<<"$system"; then
      if [ "$NFS_ALLOW_SYSTEM_DISK" != "true" ]; then
        die "$device is on the system disk $disk (it holds /, /boot or swap); refusing to partition or format it (set addons.storage.nfs.dataDisk.allowSystemDisk to override)"
      fi
      log "WARNING: $device is on the system disk $disk; allowed by allowSystemDisk"
    fi
  done

  # An fstab entry for the export path must already be this device's: checked before any change.
  entry="$(awk -v p="$NFS_EXPORT_PATH" '$1 !~ /^#/ && $2 == p { print $1 }' /etc/fstab 2>/dev/null || true)"
  if [ -n "$entry" ]; then
    owner="$(blkid -l -o device -t "$entry" 2>/dev/null || true)"
    if [ -z "$owner" ] || ! lsblk -nrspo NAME "$owner" 2>/dev/null | grep -qxF "$(readlink -f "$device")"; then
      die "/etc/fstab already mounts $entry${owner:+ ($owner)} at $NFS_EXPORT_PATH, not $device; refusing to add a second entry (remove the old line if that disk is gone)"
    fi
  fi

  data_partition "$device"
  partition="$PARTITION"
  probe "$partition"
  if [ -n "$TYPE" ] && [ "$USAGE" != "filesystem" ]; then
    die "$partition holds ${TYPE} (${USAGE:-unknown} data), not a file system; refusing to format it (wipe it with wipefs -a $partition if its data is not needed)"
  elif [ -n "$PTTYPE" ] && [ -z "$TYPE" ]; then
    die "$partition holds a $PTTYPE partition table; refusing to format it (wipe it with wipefs -a $partition if its data is not needed)"
  elif [ -z "$TYPE" ]; then
    # Blank: ours when we created the partition, or the partition/volume the operator named.
    if [ "$partition" != "$device" ] && [ "$PART_ENTRY_NAME" != "$LABEL" ]; then
      die "$partition (the only partition on $device) has no file system and was not created for the NFS export; refusing to format it (set dataDisk.device to $partition to format it)"
    fi
    log "formatting $partition as ext4"
    mkfs.ext4 -q -L "$LABEL" "$partition"
  else
    log "$partition already has a $TYPE file system; keeping its data"
  fi
  fstype="$(blkid -p -o value -s TYPE "$partition")"
  uuid="$(blkid -p -o value -s UUID "$partition")"
  [ -n "$uuid" ] || die "no file system UUID on $partition"

  mkdir -p "$NFS_EXPORT_PATH"
  entry="$(awk -v p="$NFS_EXPORT_PATH" '$1 !~ /^#/ && $2 == p { print $1 }' /etc/fstab 2>/dev/null || true)"
  if [ -z "$entry" ]; then
    log "adding $partition (UUID=$uuid) to /etc/fstab at $NFS_EXPORT_PATH"
    printf 'UUID=%s %s %s defaults,nofail 0 2\n' "$uuid" "$NFS_EXPORT_PATH" "$fstype" >>/etc/fstab
  elif [ "$entry" != "UUID=$uuid" ]; then
    die "/etc/fstab already mounts $entry at $NFS_EXPORT_PATH, not $partition (UUID=$uuid); refusing to add a second entry"
  fi
  if mountpoint -q "$NFS_EXPORT_PATH"; then
    mounted="$(findmnt -nro MAJ:MIN --mountpoint "$NFS_EXPORT_PATH" | tail -n 1)"
    [ "$mounted" = "$(lsblk -ndro MAJ:MIN "$partition")" ] || die "$NFS_EXPORT_PATH has another file system mounted ($mounted), not $partition"
  else
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
