import * as pulumi from "@pulumi/pulumi";
import * as inputs from "./types/input";
import * as outputs from "./types/output";
/**
 * A vSphere virtual machine: here created as a clone of a template (`clone.templateUuid`), with its
 * own CPU, memory, disks, network interfaces, `extraConfig` (guestinfo metadata), tags and folder.
 */
export declare class VirtualMachine extends pulumi.CustomResource {
    /**
     * Get an existing VirtualMachine resource's state with the given name, ID, and optional extra
     * properties used to qualify the lookup.
     */
    static get(name: string, id: pulumi.Input<pulumi.ID>, state?: VirtualMachineState, opts?: pulumi.CustomResourceOptions): VirtualMachine;
    /**
     * Returns true if the given object is an instance of VirtualMachine, even when several copies of
     * the Pulumi SDK are loaded.
     */
    static isInstance(obj: any): obj is VirtualMachine;
    /** A user-provided description of the virtual machine. */
    readonly annotation: pulumi.Output<string>;
    /** A unique identifier for a given version of the last configuration applied. */
    readonly changeVersion: pulumi.Output<string>;
    /** A specification for cloning a virtual machine from a template. */
    readonly clone: pulumi.Output<outputs.VirtualMachineClone | undefined>;
    /** Allow CPUs to be added to the virtual machine while it is powered on. */
    readonly cpuHotAddEnabled: pulumi.Output<boolean | undefined>;
    /** The amount of CPU (in MHz) guaranteed to the virtual machine. */
    readonly cpuReservation: pulumi.Output<number | undefined>;
    /** The ID of the datacenter where the VM is to be created (needed only for OVF/OVA deploys). */
    readonly datacenterId: pulumi.Output<string | undefined>;
    /** The ID of a datastore cluster to put the virtual machine in. */
    readonly datastoreClusterId: pulumi.Output<string | undefined>;
    /** The ID of the datastore for the virtual machine's configuration files (and disks without their own datastoreId). */
    readonly datastoreId: pulumi.Output<string>;
    /** The IP address selected by the provider as the default (the first routable address reported by VMware Tools). */
    readonly defaultIpAddress: pulumi.Output<string>;
    /** The virtual disks of the virtual machine. */
    readonly disks: pulumi.Output<outputs.VirtualMachineDisk[]>;
    /** When the boot type is EFI, enables EFI secure boot. */
    readonly efiSecureBootEnabled: pulumi.Output<boolean | undefined>;
    /** Expose the UUIDs of attached virtual disks to the guest (disk.EnableUUID). */
    readonly enableDiskUuid: pulumi.Output<boolean | undefined>;
    /** Extra configuration (VMX) keys, such as `guestinfo.*` instance metadata for cloud-init. */
    readonly extraConfig: pulumi.Output<{
        [key: string]: string;
    } | undefined>;
    /** Allow the virtual machine to be rebooted when a change to `extraConfig` occurs. */
    readonly extraConfigRebootRequired: pulumi.Output<boolean | undefined>;
    /** The firmware to use: `bios` or `efi`. */
    readonly firmware: pulumi.Output<string | undefined>;
    /** The path of the VM folder to locate the virtual machine in, relative to the datacenter. */
    readonly folder: pulumi.Output<string | undefined>;
    /** Force power-off the virtual machine if a graceful guest shutdown failed for a necessary operation. */
    readonly forcePowerOff: pulumi.Output<boolean | undefined>;
    /** The guest operating system identifier (e.g. `ubuntu64Guest`). */
    readonly guestId: pulumi.Output<string>;
    /** The current list of IP addresses on this machine, including the default. */
    readonly guestIpAddresses: pulumi.Output<string[]>;
    /** The hardware version for the virtual machine. */
    readonly hardwareVersion: pulumi.Output<number>;
    /** The ID of an optional host system to pin the virtual machine to. */
    readonly hostSystemId: pulumi.Output<string>;
    /** IP addresses and CIDR networks to ignore while waiting for an IP. */
    readonly ignoredGuestIps: pulumi.Output<string[] | undefined>;
    /** Whether the virtual machine was imported. */
    readonly imported: pulumi.Output<boolean>;
    /** The size of the virtual machine's memory, in MB. */
    readonly memory: pulumi.Output<number | undefined>;
    /** Allow memory to be added to the virtual machine while it is powered on. */
    readonly memoryHotAddEnabled: pulumi.Output<boolean | undefined>;
    /** The amount of memory (in MB) guaranteed to the virtual machine. */
    readonly memoryReservation: pulumi.Output<number | undefined>;
    /** The managed object reference ID of the created virtual machine. */
    readonly moid: pulumi.Output<string>;
    /** The name of the virtual machine. */
    readonly name: pulumi.Output<string>;
    /** The network interfaces of the virtual machine. */
    readonly networkInterfaces: pulumi.Output<outputs.VirtualMachineNetworkInterface[] | undefined>;
    /** The number of cores to distribute among the CPUs; numCpus must be a multiple of it. */
    readonly numCoresPerSocket: pulumi.Output<number | undefined>;
    /** The total number of virtual processor cores. */
    readonly numCpus: pulumi.Output<number | undefined>;
    /** The power state of the virtual machine. */
    readonly powerState: pulumi.Output<string>;
    /** The amount of time, in seconds, to keep trying to power on the VM. */
    readonly poweronTimeout: pulumi.Output<number | undefined>;
    /** Whether a change required a reboot. */
    readonly rebootRequired: pulumi.Output<boolean>;
    /** The ID of the resource pool to put the virtual machine in (e.g. a compute cluster's resourcePoolId). */
    readonly resourcePoolId: pulumi.Output<string>;
    /** The number of SCSI controllers on the virtual machine. */
    readonly scsiControllerCount: pulumi.Output<number | undefined>;
    /** The type of SCSI bus: `pvscsi`, `lsilogic` or `lsilogic-sas`. */
    readonly scsiType: pulumi.Output<string | undefined>;
    /** The amount of time, in minutes, to wait for a graceful guest shutdown before a necessary update. */
    readonly shutdownWaitTimeout: pulumi.Output<number | undefined>;
    /** The ID of the storage policy to assign to the virtual machine home directory. */
    readonly storagePolicyId: pulumi.Output<string>;
    /** The IDs of any tags to attach to this resource. */
    readonly tags: pulumi.Output<string[] | undefined>;
    /** The UUID of the virtual machine; also the resource's ID. */
    readonly uuid: pulumi.Output<string>;
    /** vApp configuration (OVF properties). */
    readonly vapp: pulumi.Output<outputs.VirtualMachineVapp | undefined>;
    /** The vApp transport methods supported by the source VM or template. */
    readonly vappTransports: pulumi.Output<string[]>;
    /** The state of VMware Tools in the guest. */
    readonly vmwareToolsStatus: pulumi.Output<string>;
    /** The path of the virtual machine configuration file on the datastore. */
    readonly vmxPath: pulumi.Output<string>;
    /** Minutes to wait for an available guest IP address; less than 1 disables the waiter. */
    readonly waitForGuestIpTimeout: pulumi.Output<number | undefined>;
    /** Whether the guest network waiter waits for a routable address (one with a default gateway). */
    readonly waitForGuestNetRoutable: pulumi.Output<boolean | undefined>;
    /** Minutes to wait for an available IP address on this virtual machine; less than 1 disables the waiter. */
    readonly waitForGuestNetTimeout: pulumi.Output<number | undefined>;
    /**
     * Create a VirtualMachine resource with the given unique name, arguments, and options.
     */
    constructor(name: string, args: VirtualMachineArgs, opts?: pulumi.CustomResourceOptions);
}
/**
 * Input properties used for looking up and filtering VirtualMachine resources.
 */
export interface VirtualMachineState {
    /** A user-provided description of the virtual machine. */
    annotation?: pulumi.Input<string | undefined>;
    /** A unique identifier for a given version of the last configuration applied. */
    changeVersion?: pulumi.Input<string | undefined>;
    /** A specification for cloning a virtual machine from a template. */
    clone?: pulumi.Input<inputs.VirtualMachineClone | undefined>;
    /** Allow CPUs to be added to the virtual machine while it is powered on. */
    cpuHotAddEnabled?: pulumi.Input<boolean | undefined>;
    /** The amount of CPU (in MHz) guaranteed to the virtual machine. */
    cpuReservation?: pulumi.Input<number | undefined>;
    /** The ID of the datacenter where the VM is to be created (needed only for OVF/OVA deploys). */
    datacenterId?: pulumi.Input<string | undefined>;
    /** The ID of a datastore cluster to put the virtual machine in. */
    datastoreClusterId?: pulumi.Input<string | undefined>;
    /** The ID of the datastore for the virtual machine's configuration files (and disks without their own datastoreId). */
    datastoreId?: pulumi.Input<string | undefined>;
    /** The IP address selected by the provider as the default (the first routable address reported by VMware Tools). */
    defaultIpAddress?: pulumi.Input<string | undefined>;
    /** The virtual disks of the virtual machine. */
    disks?: pulumi.Input<pulumi.Input<inputs.VirtualMachineDisk>[] | undefined>;
    /** When the boot type is EFI, enables EFI secure boot. */
    efiSecureBootEnabled?: pulumi.Input<boolean | undefined>;
    /** Expose the UUIDs of attached virtual disks to the guest (disk.EnableUUID). */
    enableDiskUuid?: pulumi.Input<boolean | undefined>;
    /** Extra configuration (VMX) keys, such as `guestinfo.*` instance metadata for cloud-init. */
    extraConfig?: pulumi.Input<{
        [key: string]: pulumi.Input<string>;
    } | undefined>;
    /** Allow the virtual machine to be rebooted when a change to `extraConfig` occurs. */
    extraConfigRebootRequired?: pulumi.Input<boolean | undefined>;
    /** The firmware to use: `bios` or `efi`. */
    firmware?: pulumi.Input<string | undefined>;
    /** The path of the VM folder to locate the virtual machine in, relative to the datacenter. */
    folder?: pulumi.Input<string | undefined>;
    /** Force power-off the virtual machine if a graceful guest shutdown failed for a necessary operation. */
    forcePowerOff?: pulumi.Input<boolean | undefined>;
    /** The guest operating system identifier (e.g. `ubuntu64Guest`). */
    guestId?: pulumi.Input<string | undefined>;
    /** The current list of IP addresses on this machine, including the default. */
    guestIpAddresses?: pulumi.Input<pulumi.Input<string>[] | undefined>;
    /** The hardware version for the virtual machine. */
    hardwareVersion?: pulumi.Input<number | undefined>;
    /** The ID of an optional host system to pin the virtual machine to. */
    hostSystemId?: pulumi.Input<string | undefined>;
    /** IP addresses and CIDR networks to ignore while waiting for an IP. */
    ignoredGuestIps?: pulumi.Input<pulumi.Input<string>[] | undefined>;
    /** Whether the virtual machine was imported. */
    imported?: pulumi.Input<boolean | undefined>;
    /** The size of the virtual machine's memory, in MB. */
    memory?: pulumi.Input<number | undefined>;
    /** Allow memory to be added to the virtual machine while it is powered on. */
    memoryHotAddEnabled?: pulumi.Input<boolean | undefined>;
    /** The amount of memory (in MB) guaranteed to the virtual machine. */
    memoryReservation?: pulumi.Input<number | undefined>;
    /** The managed object reference ID of the created virtual machine. */
    moid?: pulumi.Input<string | undefined>;
    /** The name of the virtual machine. */
    name?: pulumi.Input<string | undefined>;
    /** The network interfaces of the virtual machine. */
    networkInterfaces?: pulumi.Input<pulumi.Input<inputs.VirtualMachineNetworkInterface>[] | undefined>;
    /** The number of cores to distribute among the CPUs; numCpus must be a multiple of it. */
    numCoresPerSocket?: pulumi.Input<number | undefined>;
    /** The total number of virtual processor cores. */
    numCpus?: pulumi.Input<number | undefined>;
    /** The power state of the virtual machine. */
    powerState?: pulumi.Input<string | undefined>;
    /** The amount of time, in seconds, to keep trying to power on the VM. */
    poweronTimeout?: pulumi.Input<number | undefined>;
    /** Whether a change required a reboot. */
    rebootRequired?: pulumi.Input<boolean | undefined>;
    /** The ID of the resource pool to put the virtual machine in (e.g. a compute cluster's resourcePoolId). */
    resourcePoolId?: pulumi.Input<string | undefined>;
    /** The number of SCSI controllers on the virtual machine. */
    scsiControllerCount?: pulumi.Input<number | undefined>;
    /** The type of SCSI bus: `pvscsi`, `lsilogic` or `lsilogic-sas`. */
    scsiType?: pulumi.Input<string | undefined>;
    /** The amount of time, in minutes, to wait for a graceful guest shutdown before a necessary update. */
    shutdownWaitTimeout?: pulumi.Input<number | undefined>;
    /** The ID of the storage policy to assign to the virtual machine home directory. */
    storagePolicyId?: pulumi.Input<string | undefined>;
    /** The IDs of any tags to attach to this resource. */
    tags?: pulumi.Input<pulumi.Input<string>[] | undefined>;
    /** The UUID of the virtual machine; also the resource's ID. */
    uuid?: pulumi.Input<string | undefined>;
    /** vApp configuration (OVF properties). */
    vapp?: pulumi.Input<inputs.VirtualMachineVapp | undefined>;
    /** The vApp transport methods supported by the source VM or template. */
    vappTransports?: pulumi.Input<pulumi.Input<string>[] | undefined>;
    /** The state of VMware Tools in the guest. */
    vmwareToolsStatus?: pulumi.Input<string | undefined>;
    /** The path of the virtual machine configuration file on the datastore. */
    vmxPath?: pulumi.Input<string | undefined>;
    /** Minutes to wait for an available guest IP address; less than 1 disables the waiter. */
    waitForGuestIpTimeout?: pulumi.Input<number | undefined>;
    /** Whether the guest network waiter waits for a routable address (one with a default gateway). */
    waitForGuestNetRoutable?: pulumi.Input<boolean | undefined>;
    /** Minutes to wait for an available IP address on this virtual machine; less than 1 disables the waiter. */
    waitForGuestNetTimeout?: pulumi.Input<number | undefined>;
}
/**
 * The set of arguments for constructing a VirtualMachine resource.
 */
export interface VirtualMachineArgs {
    /** A user-provided description of the virtual machine. */
    annotation?: pulumi.Input<string | undefined>;
    /** A specification for cloning a virtual machine from a template. */
    clone?: pulumi.Input<inputs.VirtualMachineClone | undefined>;
    /** Allow CPUs to be added to the virtual machine while it is powered on. */
    cpuHotAddEnabled?: pulumi.Input<boolean | undefined>;
    /** The amount of CPU (in MHz) guaranteed to the virtual machine. */
    cpuReservation?: pulumi.Input<number | undefined>;
    /** The ID of the datacenter where the VM is to be created (needed only for OVF/OVA deploys). */
    datacenterId?: pulumi.Input<string | undefined>;
    /** The ID of a datastore cluster to put the virtual machine in. */
    datastoreClusterId?: pulumi.Input<string | undefined>;
    /** The ID of the datastore for the virtual machine's configuration files (and disks without their own datastoreId). */
    datastoreId?: pulumi.Input<string | undefined>;
    /** The virtual disks of the virtual machine. */
    disks?: pulumi.Input<pulumi.Input<inputs.VirtualMachineDisk>[] | undefined>;
    /** When the boot type is EFI, enables EFI secure boot. */
    efiSecureBootEnabled?: pulumi.Input<boolean | undefined>;
    /** Expose the UUIDs of attached virtual disks to the guest (disk.EnableUUID). */
    enableDiskUuid?: pulumi.Input<boolean | undefined>;
    /** Extra configuration (VMX) keys, such as `guestinfo.*` instance metadata for cloud-init. */
    extraConfig?: pulumi.Input<{
        [key: string]: pulumi.Input<string>;
    } | undefined>;
    /** Allow the virtual machine to be rebooted when a change to `extraConfig` occurs. */
    extraConfigRebootRequired?: pulumi.Input<boolean | undefined>;
    /** The firmware to use: `bios` or `efi`. */
    firmware?: pulumi.Input<string | undefined>;
    /** The path of the VM folder to locate the virtual machine in, relative to the datacenter. */
    folder?: pulumi.Input<string | undefined>;
    /** Force power-off the virtual machine if a graceful guest shutdown failed for a necessary operation. */
    forcePowerOff?: pulumi.Input<boolean | undefined>;
    /** The guest operating system identifier (e.g. `ubuntu64Guest`). */
    guestId?: pulumi.Input<string | undefined>;
    /** The hardware version for the virtual machine. */
    hardwareVersion?: pulumi.Input<number | undefined>;
    /** The ID of an optional host system to pin the virtual machine to. */
    hostSystemId?: pulumi.Input<string | undefined>;
    /** IP addresses and CIDR networks to ignore while waiting for an IP. */
    ignoredGuestIps?: pulumi.Input<pulumi.Input<string>[] | undefined>;
    /** The size of the virtual machine's memory, in MB. */
    memory?: pulumi.Input<number | undefined>;
    /** Allow memory to be added to the virtual machine while it is powered on. */
    memoryHotAddEnabled?: pulumi.Input<boolean | undefined>;
    /** The amount of memory (in MB) guaranteed to the virtual machine. */
    memoryReservation?: pulumi.Input<number | undefined>;
    /** The name of the virtual machine. */
    name?: pulumi.Input<string | undefined>;
    /** The network interfaces of the virtual machine. */
    networkInterfaces?: pulumi.Input<pulumi.Input<inputs.VirtualMachineNetworkInterface>[] | undefined>;
    /** The number of cores to distribute among the CPUs; numCpus must be a multiple of it. */
    numCoresPerSocket?: pulumi.Input<number | undefined>;
    /** The total number of virtual processor cores. */
    numCpus?: pulumi.Input<number | undefined>;
    /** The amount of time, in seconds, to keep trying to power on the VM. */
    poweronTimeout?: pulumi.Input<number | undefined>;
    /** The ID of the resource pool to put the virtual machine in (e.g. a compute cluster's resourcePoolId). */
    resourcePoolId: pulumi.Input<string>;
    /** The number of SCSI controllers on the virtual machine. */
    scsiControllerCount?: pulumi.Input<number | undefined>;
    /** The type of SCSI bus: `pvscsi`, `lsilogic` or `lsilogic-sas`. */
    scsiType?: pulumi.Input<string | undefined>;
    /** The amount of time, in minutes, to wait for a graceful guest shutdown before a necessary update. */
    shutdownWaitTimeout?: pulumi.Input<number | undefined>;
    /** The ID of the storage policy to assign to the virtual machine home directory. */
    storagePolicyId?: pulumi.Input<string | undefined>;
    /** The IDs of any tags to attach to this resource. */
    tags?: pulumi.Input<pulumi.Input<string>[] | undefined>;
    /** vApp configuration (OVF properties). */
    vapp?: pulumi.Input<inputs.VirtualMachineVapp | undefined>;
    /** Minutes to wait for an available guest IP address; less than 1 disables the waiter. */
    waitForGuestIpTimeout?: pulumi.Input<number | undefined>;
    /** Whether the guest network waiter waits for a routable address (one with a default gateway). */
    waitForGuestNetRoutable?: pulumi.Input<boolean | undefined>;
    /** Minutes to wait for an available IP address on this virtual machine; less than 1 disables the waiter. */
    waitForGuestNetTimeout?: pulumi.Input<number | undefined>;
}
