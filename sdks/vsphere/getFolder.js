"use strict";
// Hand-written equivalent of getFolder.ts in @pulumi/vsphere 4.17.0 (subset of its arguments).
Object.defineProperty(exports, "__esModule", { value: true });
exports.getFolder = getFolder;
exports.getFolderOutput = getFolderOutput;
const pulumi = require("@pulumi/pulumi");
const utilities = require("./utilities");

const TOKEN = "vsphere:index/getFolder:getFolder";
const ARGS = ["path"];

function invokeArgs(args) {
    const props = {};
    utilities.setInputs(props, args, ARGS);
    return props;
}

/** Looks up an inventory folder by its absolute path (e.g. `/dc-01/vm/k8s`). */
function getFolder(args, opts) {
    opts = pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts || {});
    return pulumi.runtime.invoke(TOKEN, invokeArgs(args), opts);
}

/** The Output form of getFolder. */
function getFolderOutput(args, opts) {
    opts = pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts || {});
    return pulumi.runtime.invokeOutput(TOKEN, invokeArgs(args), opts);
}
