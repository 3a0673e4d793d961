import * as pulumi from "@pulumi/pulumi";
import * as outputs from "./types/output";
/**
 * Looks up a virtual machine or template (e.g. the template to clone) by name, path, UUID or MOID.
 * Invokes `vsphere:index/getVirtualMachine:getVirtualMachine`.
 */
export declare function getVirtualMachine(args?: GetVirtualMachineArgs, opts?: pulumi.InvokeOptions): Promise<GetVirtualMachineResult>;
/**
 * A collection of arguments for invoking getVirtualMachine.
 */
export interface GetVirtualMachineArgs {
    /** The managed object reference ID of the datacenter the virtual machine is in. */
    datacenterId?: string;
    /** The name of the virtual machine folder where the virtual machine is located. */
    folder?: string;
    /** The managed object reference ID of the virtual machine. */
    moid?: string;
    /** The name or path of the virtual machine. */
    name?: string;
    /** The number of SCSI controllers to scan for disks (default 1). */
    scsiControllerScanCount?: number;
    /** The UUID of the virtual machine. */
    uuid?: string;
}
/**
 * A collection of values returned by getVirtualMachine.
 */
export interface GetVirtualMachineResult {
    readonly annotation: string;
    readonly datacenterId?: string;
    /** The default IP address reported by VMware Tools. */
    readonly defaultIpAddress: string;
    /** The disks of the virtual machine, sorted by bus and unit number. */
    readonly disks: outputs.GetVirtualMachineDisk[];
    readonly efiSecureBootEnabled?: boolean;
    readonly enableDiskUuid?: boolean;
    /** The firmware type of the virtual machine: `bios` or `efi`. */
    readonly firmware?: string;
    readonly folder?: string;
    /** The guest ID of the virtual machine or template. */
    readonly guestId: string;
    /** The current list of IP addresses of the virtual machine. */
    readonly guestIpAddresses: string[];
    /** The hardware version number on this virtual machine. */
    readonly hardwareVersion: number;
    /** The provider-assigned unique ID for this managed resource. */
    readonly id: string;
    /** The size of the virtual machine's memory, in MB. */
    readonly memory?: number;
    readonly moid: string;
    readonly name?: string;
    /** The network interface types of the network interfaces, in device bus order. */
    readonly networkInterfaceTypes: string[];
    /** The network interfaces of the virtual machine, in device bus order. */
    readonly networkInterfaces: outputs.GetVirtualMachineNetworkInterface[];
    readonly numCoresPerSocket?: number;
    /** The total number of virtual processor cores. */
    readonly numCpus?: number;
    readonly scsiBusSharing: string;
    readonly scsiControllerScanCount?: number;
    /** The common SCSI bus type of all controllers on the virtual machine. */
    readonly scsiType: string;
    readonly tags: string[];
    /** The UUID of the virtual machine or template. */
    readonly uuid: string;
    /** The vApp transport methods supported by the virtual machine. */
    readonly vappTransports: string[];
}
/**
 * Looks up a virtual machine or template (e.g. the template to clone) by name, path, UUID or MOID.
 * The Output form of `getVirtualMachine`: accepts Inputs and returns an Output.
 */
export declare function getVirtualMachineOutput(args?: GetVirtualMachineOutputArgs, opts?: pulumi.InvokeOutputOptions): pulumi.Output<GetVirtualMachineResult>;
/**
 * A collection of arguments for invoking getVirtualMachine.
 */
export interface GetVirtualMachineOutputArgs {
    /** The managed object reference ID of the datacenter the virtual machine is in. */
    datacenterId?: pulumi.Input<string | undefined>;
    /** The name of the virtual machine folder where the virtual machine is located. */
    folder?: pulumi.Input<string | undefined>;
    /** The managed object reference ID of the virtual machine. */
    moid?: pulumi.Input<string | undefined>;
    /** The name or path of the virtual machine. */
    name?: pulumi.Input<string | undefined>;
    /** The number of SCSI controllers to scan for disks (default 1). */
    scsiControllerScanCount?: pulumi.Input<number | undefined>;
    /** The UUID of the virtual machine. */
    uuid?: pulumi.Input<string | undefined>;
}
