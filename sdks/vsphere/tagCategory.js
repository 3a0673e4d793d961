"use strict";
// Hand-written equivalent of tagCategory.ts in @pulumi/vsphere 4.17.0.
Object.defineProperty(exports, "__esModule", { value: true });
exports.TagCategory = void 0;
const pulumi = require("@pulumi/pulumi");
const utilities = require("./utilities");

const INPUTS = ["associableTypes", "cardinality", "description", "name"];

class TagCategory extends pulumi.CustomResource {
    /** Looks up an existing TagCategory by its ID, with optional extra state to qualify the lookup. */
    static get(name, id, state, opts) {
        return new TagCategory(name, state, { ...opts, id: id });
    }

    static isInstance(obj) {
        if (obj === undefined || obj === null) {
            return false;
        }
        return obj["__pulumiType"] === TagCategory.__pulumiType;
    }

    constructor(name, argsOrState, opts) {
        const resourceInputs = {};
        opts = opts || {};
        if (opts.id) {
            utilities.setInputs(resourceInputs, argsOrState, INPUTS);
        } else {
            const args = argsOrState;
            if (args?.associableTypes === undefined && !opts.urn) {
                throw new Error("Missing required property 'associableTypes'");
            }
            if (args?.cardinality === undefined && !opts.urn) {
                throw new Error("Missing required property 'cardinality'");
            }
            utilities.setInputs(resourceInputs, args, INPUTS);
        }
        opts = pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts);
        super(TagCategory.__pulumiType, name, resourceInputs, opts);
    }
}
exports.TagCategory = TagCategory;
/** @internal */
TagCategory.__pulumiType = "vsphere:index/tagCategory:TagCategory";
