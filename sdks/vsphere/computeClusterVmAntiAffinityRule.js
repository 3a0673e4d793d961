"use strict";
// Hand-written equivalent of computeClusterVmAntiAffinityRule.ts in @pulumi/vsphere 4.17.0.
Object.defineProperty(exports, "__esModule", { value: true });
exports.ComputeClusterVmAntiAffinityRule = void 0;
const pulumi = require("@pulumi/pulumi");
const utilities = require("./utilities");

const INPUTS = ["computeClusterId", "enabled", "mandatory", "name", "virtualMachineIds"];

class ComputeClusterVmAntiAffinityRule extends pulumi.CustomResource {
    /** Looks up an existing ComputeClusterVmAntiAffinityRule by its ID, with optional extra state to qualify the lookup. */
    static get(name, id, state, opts) {
        return new ComputeClusterVmAntiAffinityRule(name, state, { ...opts, id: id });
    }

    static isInstance(obj) {
        if (obj === undefined || obj === null) {
            return false;
        }
        return obj["__pulumiType"] === ComputeClusterVmAntiAffinityRule.__pulumiType;
    }

    constructor(name, argsOrState, opts) {
        const resourceInputs = {};
        opts = opts || {};
        if (opts.id) {
            utilities.setInputs(resourceInputs, argsOrState, INPUTS);
        } else {
            const args = argsOrState;
            if (args?.computeClusterId === undefined && !opts.urn) {
                throw new Error("Missing required property 'computeClusterId'");
            }
            if (args?.virtualMachineIds === undefined && !opts.urn) {
                throw new Error("Missing required property 'virtualMachineIds'");
            }
            utilities.setInputs(resourceInputs, args, INPUTS);
        }
        opts = pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts);
        super(ComputeClusterVmAntiAffinityRule.__pulumiType, name, resourceInputs, opts);
    }
}
exports.ComputeClusterVmAntiAffinityRule = ComputeClusterVmAntiAffinityRule;
/** @internal */
ComputeClusterVmAntiAffinityRule.__pulumiType = "vsphere:index/computeClusterVmAntiAffinityRule:ComputeClusterVmAntiAffinityRule";
