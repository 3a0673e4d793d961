/**
 * Nested output types of @pulumi/vsphere 4.17.0 (subset: only the types and properties this project
 * uses; every declared property has the published name and type).
 */
export interface GetNetworkFilter {
    /** One of `DistributedVirtualPortgroup`, `Network` or `OpaqueNetwork`. */
    networkType?: string;
}
export interface GetVirtualMachineDisk {
    /** Set to `true` if the disk has been eager zeroed. */
    eagerlyScrub: boolean;
    /** The label for the disk. */
    label: string;
    /** The size of the disk, in GB. */
    size: number;
    /** Set to `true` if the disk has been thin provisioned. */
    thinProvisioned: boolean;
    /** The disk number on the storage bus. */
    unitNumber: number;
}
export interface GetVirtualMachineNetworkInterface {
    /** The network interface types for each network interface found on the virtual machine device bus. */
    adapterType: string;
    /** The upper bandwidth limit of this network interface, in Mbits/sec. */
    bandwidthLimit?: number;
    /** The bandwidth reservation of this network interface, in Mbits/sec. */
    bandwidthReservation?: number;
    /** The share count for this network interface when the share level is custom. */
    bandwidthShareCount: number;
    /** The bandwidth share allocation level for this interface. */
    bandwidthShareLevel?: string;
    /** The external port ID, if any. */
    externalPortId: string;
    /** The MAC address of this network interface. */
    macAddress: string;
    /** The managed object reference ID of the network this interface is connected to. */
    networkId: string;
    /** The ID of the Physical SR-IOV NIC to attach to, e.g. '0000:d8:00.0'. */
    physicalFunction: string;
}
export interface VirtualMachineClone {
    /** Whether or not to create a linked clone when cloning. */
    linkedClone?: boolean;
    /** The UUID of the source virtual machine or template. */
    templateUuid: string;
    /** The timeout, in minutes, to wait for the virtual machine clone to complete. */
    timeout?: number;
}
export interface VirtualMachineDisk {
    /** The type of controller the disk should be connected to. */
    controllerType?: string;
    /** The datastore ID for this virtual disk. */
    datastoreId: string;
    /** The internally-computed address of this device, such as scsi:0:1. */
    deviceAddress: string;
    /** The virtual disk file zeroing policy when thinProvision is not true. */
    eagerlyScrub?: boolean;
    /** Set to true to keep the underlying VMDK file when removing this virtual disk from configuration. */
    keepOnRemove?: boolean;
    /** The ID of the device within the virtual machine. */
    key: number;
    /** A unique label for this disk. */
    label: string;
    /** The full path of the virtual disk. */
    path: string;
    /** The size of the disk, in GB. */
    size?: number;
    /** The ID of the storage policy to assign to the virtual disk in VM. */
    storagePolicyId: string;
    /** If true, this disk is thin provisioned. */
    thinProvisioned?: boolean;
    /** The unique device number for this disk. */
    unitNumber?: number;
    /** The UUID of the virtual disk. */
    uuid: string;
}
export interface VirtualMachineNetworkInterface {
    /** The controller type. */
    adapterType?: string;
    /** The internally-computed address of this device, such as pci:0:1. */
    deviceAddress: string;
    /** The ID of the device within the virtual machine. */
    key: number;
    /** The MAC address of this network interface. */
    macAddress: string;
    /** The ID of the network to connect this network interface to. */
    networkId: string;
    /** If true, the macAddress field is treated as a static MAC address and set accordingly. */
    useStaticMac?: boolean;
}
export interface VirtualMachineVapp {
    /** A map of customizable vApp properties and their values. */
    properties?: {
        [key: string]: string;
    };
}
