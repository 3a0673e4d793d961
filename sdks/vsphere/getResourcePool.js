"use strict";
// Hand-written equivalent of getResourcePool.ts in @pulumi/vsphere 4.17.0 (subset of its arguments).
Object.defineProperty(exports, "__esModule", { value: true });
exports.getResourcePool = getResourcePool;
exports.getResourcePoolOutput = getResourcePoolOutput;
const pulumi = require("@pulumi/pulumi");
const utilities = require("./utilities");

const TOKEN = "vsphere:index/getResourcePool:getResourcePool";
const ARGS = ["datacenterId", "name", "parentResourcePoolId"];

function invokeArgs(args) {
    const props = {};
    utilities.setInputs(props, args, ARGS);
    return props;
}

/** Looks up a resource pool by name or path. */
function getResourcePool(args, opts) {
    args = args || {};
    opts = pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts || {});
    return pulumi.runtime.invoke(TOKEN, invokeArgs(args), opts);
}

/** The Output form of getResourcePool. */
function getResourcePoolOutput(args, opts) {
    args = args || {};
    opts = pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts || {});
    return pulumi.runtime.invokeOutput(TOKEN, invokeArgs(args), opts);
}
