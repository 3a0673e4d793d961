"use strict";
// Hand-written equivalent of getTagCategory.ts in @pulumi/vsphere 4.17.0 (subset of its arguments).
Object.defineProperty(exports, "__esModule", { value: true });
exports.getTagCategory = getTagCategory;
exports.getTagCategoryOutput = getTagCategoryOutput;
const pulumi = require("@pulumi/pulumi");
const utilities = require("./utilities");

const TOKEN = "vsphere:index/getTagCategory:getTagCategory";
const ARGS = ["id", "name"];

function invokeArgs(args) {
    const props = {};
    utilities.setInputs(props, args, ARGS);
    return props;
}

/** Looks up a tag category by name or ID. */
function getTagCategory(args, opts) {
    args = args || {};
    opts = pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts || {});
    return pulumi.runtime.invoke(TOKEN, invokeArgs(args), opts);
}

/** The Output form of getTagCategory. */
function getTagCategoryOutput(args, opts) {
    args = args || {};
    opts = pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts || {});
    return pulumi.runtime.invokeOutput(TOKEN, invokeArgs(args), opts);
}
