import * as pulumi from "@pulumi/pulumi";
/**
 * Looks up a resource pool by name or path.
 * Invokes `vsphere:index/getResourcePool:getResourcePool`.
 */
export declare function getResourcePool(args?: GetResourcePoolArgs, opts?: pulumi.InvokeOptions): Promise<GetResourcePoolResult>;
/**
 * A collection of arguments for invoking getResourcePool.
 */
export interface GetResourcePoolArgs {
    /** The managed object reference ID of the datacenter the resource pool is in. */
    datacenterId?: string;
    /** The name or path of the resource pool. */
    name?: string;
    /** The managed object ID of the parent resource pool, to look up a child by name. */
    parentResourcePoolId?: string;
}
/**
 * A collection of values returned by getResourcePool.
 */
export interface GetResourcePoolResult {
    readonly datacenterId?: string;
    /** The provider-assigned unique ID for this managed resource. */
    readonly id: string;
    readonly name?: string;
    readonly parentResourcePoolId?: string;
}
/**
 * Looks up a resource pool by name or path.
 * The Output form of `getResourcePool`: accepts Inputs and returns an Output.
 */
export declare function getResourcePoolOutput(args?: GetResourcePoolOutputArgs, opts?: pulumi.InvokeOutputOptions): pulumi.Output<GetResourcePoolResult>;
/**
 * A collection of arguments for invoking getResourcePool.
 */
export interface GetResourcePoolOutputArgs {
    /** The managed object reference ID of the datacenter the resource pool is in. */
    datacenterId?: pulumi.Input<string | undefined>;
    /** The name or path of the resource pool. */
    name?: pulumi.Input<string | undefined>;
    /** The managed object ID of the parent resource pool, to look up a child by name. */
    parentResourcePoolId?: pulumi.Input<string | undefined>;
}
