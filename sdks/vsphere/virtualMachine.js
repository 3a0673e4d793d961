"use strict";
// Hand-written equivalent of virtualMachine.ts in @pulumi/vsphere 4.17.0 (subset of its properties).
Object.defineProperty(exports, "__esModule", { value: true });
exports.VirtualMachine = void 0;
const pulumi = require("@pulumi/pulumi");
const utilities = require("./utilities");

// Input properties (alphabetical, as the provider schema lists them).
const INPUTS = [
    "annotation", "clone", "cpuHotAddEnabled", "cpuReservation", "datacenterId",
    "datastoreClusterId", "datastoreId", "disks", "efiSecureBootEnabled", "enableDiskUuid",
    "extraConfig", "extraConfigRebootRequired", "firmware", "folder", "forcePowerOff", "guestId",
    "hardwareVersion", "hostSystemId", "ignoredGuestIps", "memory", "memoryHotAddEnabled",
    "memoryReservation", "name", "networkInterfaces", "numCoresPerSocket", "numCpus",
    "poweronTimeout", "resourcePoolId", "scsiControllerCount", "scsiType", "shutdownWaitTimeout",
    "storagePolicyId", "tags", "vapp", "waitForGuestIpTimeout", "waitForGuestNetRoutable",
    "waitForGuestNetTimeout",
];
// Properties the provider computes: registered as undefined so the resource exposes them as outputs.
const OUTPUTS = [
    "changeVersion", "defaultIpAddress", "guestIpAddresses", "imported", "moid", "powerState",
    "rebootRequired", "uuid", "vappTransports", "vmwareToolsStatus", "vmxPath",
];

class VirtualMachine extends pulumi.CustomResource {
    /** Looks up an existing VirtualMachine by its ID, with optional extra state to qualify the lookup. */
    static get(name, id, state, opts) {
        return new VirtualMachine(name, state, { ...opts, id: id });
    }

    static isInstance(obj) {
        if (obj === undefined || obj === null) {
            return false;
        }
        return obj["__pulumiType"] === VirtualMachine.__pulumiType;
    }

    constructor(name, argsOrState, opts) {
        const resourceInputs = {};
        opts = opts || {};
        if (opts.id) {
            utilities.setInputs(resourceInputs, argsOrState, INPUTS.concat(OUTPUTS));
        } else {
            const args = argsOrState;
            if (args?.resourcePoolId === undefined && !opts.urn) {
                throw new Error("Missing required property 'resourcePoolId'");
            }
            utilities.setInputs(resourceInputs, args, INPUTS);
            utilities.setInputs(resourceInputs, undefined, OUTPUTS);
        }
        opts = pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts);
        super(VirtualMachine.__pulumiType, name, resourceInputs, opts);
    }
}
exports.VirtualMachine = VirtualMachine;
/** @internal */
VirtualMachine.__pulumiType = "vsphere:index/virtualMachine:VirtualMachine";
