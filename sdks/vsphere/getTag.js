"use strict";
// Hand-written equivalent of getTag.ts in @pulumi/vsphere 4.17.0 (subset of its arguments).
Object.defineProperty(exports, "__esModule", { value: true });
exports.getTag = getTag;
exports.getTagOutput = getTagOutput;
const pulumi = require("@pulumi/pulumi");
const utilities = require("./utilities");

const TOKEN = "vsphere:index/getTag:getTag";
const ARGS = ["categoryId", "id", "name"];

function invokeArgs(args) {
    const props = {};
    utilities.setInputs(props, args, ARGS);
    return props;
}

/** Looks up a tag by name (within a category) or ID. */
function getTag(args, opts) {
    args = args || {};
    opts = pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts || {});
    return pulumi.runtime.invoke(TOKEN, invokeArgs(args), opts);
}

/** The Output form of getTag. */
function getTagOutput(args, opts) {
    args = args || {};
    opts = pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts || {});
    return pulumi.runtime.invokeOutput(TOKEN, invokeArgs(args), opts);
}
