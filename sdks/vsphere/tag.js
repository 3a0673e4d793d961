"use strict";
// Hand-written equivalent of tag.ts in @pulumi/vsphere 4.17.0.
Object.defineProperty(exports, "__esModule", { value: true });
exports.Tag = void 0;
const pulumi = require("@pulumi/pulumi");
const utilities = require("./utilities");

const INPUTS = ["categoryId", "description", "name"];

class Tag extends pulumi.CustomResource {
    /** Looks up an existing Tag by its ID, with optional extra state to qualify the lookup. */
    static get(name, id, state, opts) {
        return new Tag(name, state, { ...opts, id: id });
    }

    static isInstance(obj) {
        if (obj === undefined || obj === null) {
            return false;
        }
        return obj["__pulumiType"] === Tag.__pulumiType;
    }

    constructor(name, argsOrState, opts) {
        const resourceInputs = {};
        opts = opts || {};
        if (opts.id) {
            utilities.setInputs(resourceInputs, argsOrState, INPUTS);
        } else {
            const args = argsOrState;
            if (args?.categoryId === undefined && !opts.urn) {
                throw new Error("Missing required property 'categoryId'");
            }
            utilities.setInputs(resourceInputs, args, INPUTS);
        }
        opts = pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts);
        super(Tag.__pulumiType, name, resourceInputs, opts);
    }
}
exports.Tag = Tag;
/** @internal */
Tag.__pulumiType = "vsphere:index/tag:Tag";
