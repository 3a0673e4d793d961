import * as pulumi from "@pulumi/pulumi";
/**
 * Looks up a compute cluster (for its ID and root resource pool).
 * Invokes `vsphere:index/getComputeCluster:getComputeCluster`.
 */
export declare function getComputeCluster(args: GetComputeClusterArgs, opts?: pulumi.InvokeOptions): Promise<GetComputeClusterResult>;
/**
 * A collection of arguments for invoking getComputeCluster.
 */
export interface GetComputeClusterArgs {
    /** The managed object reference ID of the datacenter the cluster is in. */
    datacenterId?: string;
    /** The name or absolute path to the cluster. */
    name: string;
}
/**
 * A collection of values returned by getComputeCluster.
 */
export interface GetComputeClusterResult {
    readonly datacenterId?: string;
    /** The provider-assigned unique ID for this managed resource. */
    readonly id: string;
    readonly name: string;
    /** The managed object ID of the cluster's root resource pool. */
    readonly resourcePoolId: string;
}
/**
 * Looks up a compute cluster (for its ID and root resource pool).
 * The Output form of `getComputeCluster`: accepts Inputs and returns an Output.
 */
export declare function getComputeClusterOutput(args: GetComputeClusterOutputArgs, opts?: pulumi.InvokeOutputOptions): pulumi.Output<GetComputeClusterResult>;
/**
 * A collection of arguments for invoking getComputeCluster.
 */
export interface GetComputeClusterOutputArgs {
    /** The managed object reference ID of the datacenter the cluster is in. */
    datacenterId?: pulumi.Input<string | undefined>;
    /** The name or absolute path to the cluster. */
    name: pulumi.Input<string>;
}
