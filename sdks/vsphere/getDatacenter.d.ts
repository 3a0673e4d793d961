import * as pulumi from "@pulumi/pulumi";
/**
 * Looks up a datacenter by name (or the default datacenter of an ESXi host).
 * Invokes `vsphere:index/getDatacenter:getDatacenter`.
 */
export declare function getDatacenter(args?: GetDatacenterArgs, opts?: pulumi.InvokeOptions): Promise<GetDatacenterResult>;
/**
 * A collection of arguments for invoking getDatacenter.
 */
export interface GetDatacenterArgs {
    /** The name of the datacenter. Can be omitted on ESXi, which has one default datacenter. */
    name?: string;
}
/**
 * A collection of values returned by getDatacenter.
 */
export interface GetDatacenterResult {
    /** The provider-assigned unique ID for this managed resource. */
    readonly id: string;
    readonly name?: string;
    /** The names of the virtual machines in the datacenter. */
    readonly virtualMachines: string[];
}
/**
 * Looks up a datacenter by name (or the default datacenter of an ESXi host).
 * The Output form of `getDatacenter`: accepts Inputs and returns an Output.
 */
export declare function getDatacenterOutput(args?: GetDatacenterOutputArgs, opts?: pulumi.InvokeOutputOptions): pulumi.Output<GetDatacenterResult>;
/**
 * A collection of arguments for invoking getDatacenter.
 */
export interface GetDatacenterOutputArgs {
    /** The name of the datacenter. Can be omitted on ESXi, which has one default datacenter. */
    name?: pulumi.Input<string | undefined>;
}
