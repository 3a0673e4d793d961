"use strict";
// Hand-written equivalent of getVirtualMachine.ts in @pulumi/vsphere 4.17.0 (subset of its arguments).
Object.defineProperty(exports, "__esModule", { value: true });
exports.getVirtualMachine = getVirtualMachine;
exports.getVirtualMachineOutput = getVirtualMachineOutput;
const pulumi = require("@pulumi/pulumi");
const utilities = require("./utilities");

const TOKEN = "vsphere:index/getVirtualMachine:getVirtualMachine";
const ARGS = ["datacenterId", "folder", "moid", "name", "scsiControllerScanCount", "uuid"];

function invokeArgs(args) {
    const props = {};
    utilities.setInputs(props, args, ARGS);
    return props;
}

/** Looks up a virtual machine or template (e.g. the template to clone) by name, path, UUID or MOID. */
function getVirtualMachine(args, opts) {
    args = args || {};
    opts = pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts || {});
    return pulumi.runtime.invoke(TOKEN, invokeArgs(args), opts);
}

/** The Output form of getVirtualMachine. */
function getVirtualMachineOutput(args, opts) {
    args = args || {};
    opts = pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts || {});
    return pulumi.runtime.invokeOutput(TOKEN, invokeArgs(args), opts);
}
