// Where machines go and how their disks look, as pure functions: Proxmox node and VMID per
// machine, vSphere clone disks from the template's disks.
import { PROXMOX_VMID_BLOCK } from "../../stacks/schema";
import type { NodeSpec } from "../../stacks/spec";

/** Largest VMID Proxmox VE accepts. */
export const PROXMOX_MAX_VMID = 999_999_999;

export interface ProxmoxPlacement {
  node: NodeSpec;
  vmId: number;
  proxmoxNode: string;
}

/** A pool's VMID block: where it starts and how many machines it holds. */
export interface VmIdBlock {
  /** "control-plane" or the worker pool's name. */
  pool: string;
  /** Field of the description the pool's machines are listed at, for messages. */
  path: string;
  first: number;
  size: number;
}

/**
 * Every pool gets its own block of PROXMOX_VMID_BLOCK VMIDs: control planes from `vmIdStart`, the
 * i-th worker pool from `vmIdStart + PROXMOX_VMID_BLOCK * (i + 1)`. A machine's VMID depends only on
 * its pool's position and its own index in the pool, so adding a control plane (or a worker to
 * one pool) renumbers, and so re-creates, no machine of another pool.
 */
export function proxmoxVmIdBlocks(workerPools: string[], vmIdStart: number): VmIdBlock[] {
  return [
    { pool: "control-plane", path: "controlPlane.addresses", first: vmIdStart, size: PROXMOX_VMID_BLOCK },
    ...workerPools.map((pool, i) => ({ pool, path: `workerPools[${i}].addresses`, first: vmIdStart + PROXMOX_VMID_BLOCK * (i + 1), size: PROXMOX_VMID_BLOCK })),
  ];
}

/**
 * VMIDs come from each pool's block (proxmoxVmIdBlocks); `workerPools` are the names of every
 * configured pool in order, empty ones included, so an empty pool keeps its block. Each pool is spread round-robin over the
 * Proxmox nodes on its own, starting at the first node: control planes land on distinct hosts
 * whenever there are enough, and growing one pool never moves a machine of another pool.
 */
export function placeOnProxmox(nodes: NodeSpec[], proxmoxNodes: string[], vmIdStart: number, workerPools: string[]): ProxmoxPlacement[] {
  if (proxmoxNodes.length === 0) throw new Error("platform.proxmox.nodes: at least one Proxmox node is required");
  const blocks = proxmoxVmIdBlocks(workerPools, vmIdStart);
  return nodes.map((node) => {
    const block = blocks.find((b) => b.pool === (node.role === "control-plane" ? "control-plane" : node.pool));
    if (!block) throw new Error(`${node.name}: worker pool ${node.pool} is not among the configured pools ${workerPools.join(", ")}`);
    if (node.index >= block.size) {
      throw new Error(`${block.path}: ${node.name} is machine ${node.index + 1} of pool ${block.pool}, whose VMID block holds ${block.size}; split the pool`);
    }
    const vmId = block.first + node.index;
    if (vmId > PROXMOX_MAX_VMID) throw new Error(`platform.proxmox.vmIdStart ${vmIdStart}: ${node.name} would get VMID ${vmId}, above ${PROXMOX_MAX_VMID}`);
    return { node, vmId, proxmoxNode: proxmoxNodes[node.index % proxmoxNodes.length] };
  });
}

export interface ProxmoxDisk {
  interface: string;
  datastoreId: string;
  size: number;
  discard: "on";
}

/**
 * The system disk is the template's first SCSI disk (scsi0, as in Proxmox cloud-init templates),
 * resized to the node's size; a data disk, when asked for, is scsi1. Discard lets thin storage
 * reclaim freed blocks.
 */
export function proxmoxDisks(node: NodeSpec, datastore: string): ProxmoxDisk[] {
  const disks: ProxmoxDisk[] = [{ interface: "scsi0", datastoreId: datastore, size: node.diskGiB, discard: "on" }];
  if (node.dataDiskGiB) disks.push({ interface: "scsi1", datastoreId: datastore, size: node.dataDiskGiB, discard: "on" });
  return disks;
}

/** A template disk as vSphere's getVirtualMachine reports it. */
export interface TemplateDisk {
  label: string;
  size: number;
  thinProvisioned: boolean;
  eagerlyScrub: boolean;
  unitNumber: number;
}

export interface VsphereDisk {
  label: string;
  unitNumber: number;
  size: number;
  thinProvisioned: boolean;
  eagerlyScrub: boolean;
}

/**
 * Clone disks line up with the template's by unit number and may not be smaller. The first is
 * the system disk, grown to the node's size and thin; further template disks keep their size.
 * A linked clone shares the template's disks, so every disk must match the template exactly.
 * A data disk, when asked for, follows the template's disks.
 */
export function vsphereDisks(template: TemplateDisk[], node: NodeSpec, linkedClone: boolean): VsphereDisk[] {
  if (template.length === 0) throw new Error(`${node.name}: the vSphere template has no disk to clone`);
  const ordered = [...template].sort((a, b) => a.unitNumber - b.unitNumber);
  const system = ordered[0];
  if (linkedClone && node.diskGiB !== system.size) {
    throw new Error(
      `${node.name}: a linked clone keeps the template's ${system.size} GiB system disk, but diskGiB is ${node.diskGiB}; set the pool's diskGiB to ${system.size} or use full clones (platform.vsphere.linkedClone: false)`,
    );
  }
  if (node.diskGiB < system.size) {
    throw new Error(`${node.name}: diskGiB ${node.diskGiB} is smaller than the template's ${system.size} GiB system disk; a clone cannot shrink a disk, use at least ${system.size}`);
  }
  const disks = ordered.map((disk, i) => ({
    label: `disk${i}`,
    unitNumber: disk.unitNumber,
    size: i === 0 ? node.diskGiB : disk.size,
    thinProvisioned: linkedClone ? disk.thinProvisioned : true,
    eagerlyScrub: linkedClone ? disk.eagerlyScrub : false,
  }));
  if (node.dataDiskGiB) {
    const unitNumber = Math.max(...ordered.map((disk) => disk.unitNumber)) + 1;
    // Unit 7 is the SCSI controller itself.
    disks.push({ label: `disk${disks.length}`, unitNumber: unitNumber === 7 ? 8 : unitNumber, size: node.dataDiskGiB, thinProvisioned: true, eagerlyScrub: false });
  }
  return disks;
}
