import * as pulumi from "@pulumi/pulumi";
/**
 * Nested input types of @pulumi/vsphere 4.17.0 (subset: only the types and properties this project
 * uses; every declared property has the published name and type).
 */
export interface GetNetworkFilter {
    /** This is required if you have multiple port groups with the same name. This will be one of `DistributedVirtualPortgroup` for distributed port groups, `Network` for standard (host-based) port groups, or `OpaqueNetwork` for networks managed externally, such as those managed by NSX. */
    networkType?: string;
}
export interface GetNetworkFilterArgs {
    /** See {@link GetNetworkFilter.networkType}. */
    networkType?: pulumi.Input<string | undefined>;
}
export interface VirtualMachineClone {
    /** Whether or not to create a linked clone when cloning. When this option is used, the source VM must have a single snapshot associated with it. */
    linkedClone?: pulumi.Input<boolean | undefined>;
    /** The UUID of the source virtual machine or template. */
    templateUuid: pulumi.Input<string>;
    /** The timeout, in minutes, to wait for the virtual machine clone to complete. */
    timeout?: pulumi.Input<number | undefined>;
}
export interface VirtualMachineDisk {
    /** The type of controller the disk should be connected to. Must be 'scsi', 'sata', 'nvme', or 'ide'. */
    controllerType?: pulumi.Input<string | undefined>;
    /** The datastore ID for this virtual disk, if different than the virtual machine. */
    datastoreId?: pulumi.Input<string | undefined>;
    /** The virtual disk file zeroing policy when thinProvision is not true. The default is false, which lazily-zeros the disk, speeding up thick-provisioned disk creation time. */
    eagerlyScrub?: pulumi.Input<boolean | undefined>;
    /** Set to true to keep the underlying VMDK file when removing this virtual disk from configuration. */
    keepOnRemove?: pulumi.Input<boolean | undefined>;
    /** A unique label for this disk. */
    label: pulumi.Input<string>;
    /** The size of the disk, in GB. */
    size?: pulumi.Input<number | undefined>;
    /** The ID of the storage policy to assign to the virtual disk in VM. */
    storagePolicyId?: pulumi.Input<string | undefined>;
    /** If true, this disk is thin provisioned, with space for the file being allocated on an as-needed basis. */
    thinProvisioned?: pulumi.Input<boolean | undefined>;
    /** The unique device number for this disk. This number determines where on the SCSI bus this device will be attached. */
    unitNumber?: pulumi.Input<number | undefined>;
}
export interface VirtualMachineNetworkInterface {
    /** The controller type. Can be one of e1000, e1000e, sriov, vmxnet3, or vrdma. */
    adapterType?: pulumi.Input<string | undefined>;
    /** The MAC address of this network interface. Can only be manually set if useStaticMac is true. */
    macAddress?: pulumi.Input<string | undefined>;
    /** The ID of the network to connect this network interface to. */
    networkId: pulumi.Input<string>;
    /** If true, the macAddress field is treated as a static MAC address and set accordingly. */
    useStaticMac?: pulumi.Input<boolean | undefined>;
}
export interface VirtualMachineVapp {
    /** A map of customizable vApp properties and their values. Allows customization of VMs cloned from OVF templates which have customizable vApp properties. */
    properties?: pulumi.Input<{
        [key: string]: pulumi.Input<string>;
    } | undefined>;
}
