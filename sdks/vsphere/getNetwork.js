"use strict";
// Hand-written equivalent of getNetwork.ts in @pulumi/vsphere 4.17.0 (subset of its arguments).
Object.defineProperty(exports, "__esModule", { value: true });
exports.getNetwork = getNetwork;
exports.getNetworkOutput = getNetworkOutput;
const pulumi = require("@pulumi/pulumi");
const utilities = require("./utilities");

const TOKEN = "vsphere:index/getNetwork:getNetwork";
const ARGS = ["datacenterId", "distributedVirtualSwitchUuid", "filters", "name"];

function invokeArgs(args) {
    const props = {};
    utilities.setInputs(props, args, ARGS);
    return props;
}

/** Looks up a network (standard port group, distributed port group or opaque network) by name. */
function getNetwork(args, opts) {
    opts = pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts || {});
    return pulumi.runtime.invoke(TOKEN, invokeArgs(args), opts);
}

/** The Output form of getNetwork. */
function getNetworkOutput(args, opts) {
    opts = pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts || {});
    return pulumi.runtime.invokeOutput(TOKEN, invokeArgs(args), opts);
}
