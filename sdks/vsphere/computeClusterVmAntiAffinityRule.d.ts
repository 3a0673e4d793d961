import * as pulumi from "@pulumi/pulumi";
/**
 * A DRS anti-affinity rule: keeps the listed virtual machines of a compute cluster on different hosts.
 */
export declare class ComputeClusterVmAntiAffinityRule extends pulumi.CustomResource {
    /**
     * Get an existing ComputeClusterVmAntiAffinityRule resource's state with the given name, ID, and
     * optional extra properties used to qualify the lookup.
     */
    static get(name: string, id: pulumi.Input<pulumi.ID>, state?: ComputeClusterVmAntiAffinityRuleState, opts?: pulumi.CustomResourceOptions): ComputeClusterVmAntiAffinityRule;
    /**
     * Returns true if the given object is an instance of ComputeClusterVmAntiAffinityRule, even when
     * several copies of the Pulumi SDK are loaded.
     */
    static isInstance(obj: any): obj is ComputeClusterVmAntiAffinityRule;
    /** The managed object reference ID of the cluster. */
    readonly computeClusterId: pulumi.Output<string>;
    /** Enable this rule in the cluster. */
    readonly enabled: pulumi.Output<boolean | undefined>;
    /** When true, prevents any virtual machine operations that may violate this rule. */
    readonly mandatory: pulumi.Output<boolean | undefined>;
    /** The unique name of the virtual machine group in the cluster. */
    readonly name: pulumi.Output<string>;
    /** The UUIDs of the virtual machines to run on different hosts from each other. */
    readonly virtualMachineIds: pulumi.Output<string[]>;
    /**
     * Create a ComputeClusterVmAntiAffinityRule resource with the given unique name, arguments, and options.
     */
    constructor(name: string, args: ComputeClusterVmAntiAffinityRuleArgs, opts?: pulumi.CustomResourceOptions);
}
/**
 * Input properties used for looking up and filtering ComputeClusterVmAntiAffinityRule resources.
 */
export interface ComputeClusterVmAntiAffinityRuleState {
    /** The managed object reference ID of the cluster. */
    computeClusterId?: pulumi.Input<string | undefined>;
    /** Enable this rule in the cluster. */
    enabled?: pulumi.Input<boolean | undefined>;
    /** When true, prevents any virtual machine operations that may violate this rule. */
    mandatory?: pulumi.Input<boolean | undefined>;
    /** The unique name of the virtual machine group in the cluster. */
    name?: pulumi.Input<string | undefined>;
    /** The UUIDs of the virtual machines to run on different hosts from each other. */
    virtualMachineIds?: pulumi.Input<pulumi.Input<string>[] | undefined>;
}
/**
 * The set of arguments for constructing a ComputeClusterVmAntiAffinityRule resource.
 */
export interface ComputeClusterVmAntiAffinityRuleArgs {
    /** The managed object reference ID of the cluster. Forces a new resource if changed. */
    computeClusterId: pulumi.Input<string>;
    /** Enable this rule in the cluster. */
    enabled?: pulumi.Input<boolean | undefined>;
    /** When true, prevents any virtual machine operations that may violate this rule. */
    mandatory?: pulumi.Input<boolean | undefined>;
    /** The unique name of the virtual machine group in the cluster. */
    name?: pulumi.Input<string | undefined>;
    /** The UUIDs of the virtual machines to run on different hosts from each other. */
    virtualMachineIds: pulumi.Input<pulumi.Input<string>[]>;
}
