"use strict";
// Hand-written equivalent of folder.ts in @pulumi/vsphere 4.17.0.
Object.defineProperty(exports, "__esModule", { value: true });
exports.Folder = void 0;
const pulumi = require("@pulumi/pulumi");
const utilities = require("./utilities");

const INPUTS = ["customAttributes", "datacenterId", "path", "tags", "type"];

class Folder extends pulumi.CustomResource {
    /** Looks up an existing Folder by its ID, with optional extra state to qualify the lookup. */
    static get(name, id, state, opts) {
        return new Folder(name, state, { ...opts, id: id });
    }

    static isInstance(obj) {
        if (obj === undefined || obj === null) {
            return false;
        }
        return obj["__pulumiType"] === Folder.__pulumiType;
    }

    constructor(name, argsOrState, opts) {
        const resourceInputs = {};
        opts = opts || {};
        if (opts.id) {
            utilities.setInputs(resourceInputs, argsOrState, INPUTS);
        } else {
            const args = argsOrState;
            if (args?.path === undefined && !opts.urn) {
                throw new Error("Missing required property 'path'");
            }
            if (args?.type === undefined && !opts.urn) {
                throw new Error("Missing required property 'type'");
            }
            utilities.setInputs(resourceInputs, args, INPUTS);
        }
        opts = pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts);
        super(Folder.__pulumiType, name, resourceInputs, opts);
    }
}
exports.Folder = Folder;
/** @internal */
Folder.__pulumiType = "vsphere:index/folder:Folder";
