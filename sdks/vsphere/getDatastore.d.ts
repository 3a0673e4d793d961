import * as pulumi from "@pulumi/pulumi";
/**
 * Looks up a datastore by name.
 * Invokes `vsphere:index/getDatastore:getDatastore`.
 */
export declare function getDatastore(args: GetDatastoreArgs, opts?: pulumi.InvokeOptions): Promise<GetDatastoreResult>;
/**
 * A collection of arguments for invoking getDatastore.
 */
export interface GetDatastoreArgs {
    /** The managed object reference ID of the datacenter the datastore is in. */
    datacenterId?: string;
    /** The name of the datastore. */
    name: string;
    /** The disk space usage statistics of the datastore. */
    stats?: {
        [key: string]: string;
    };
}
/**
 * A collection of values returned by getDatastore.
 */
export interface GetDatastoreResult {
    readonly datacenterId?: string;
    /** The provider-assigned unique ID for this managed resource. */
    readonly id: string;
    readonly name: string;
    readonly stats?: {
        [key: string]: string;
    };
}
/**
 * Looks up a datastore by name.
 * The Output form of `getDatastore`: accepts Inputs and returns an Output.
 */
export declare function getDatastoreOutput(args: GetDatastoreOutputArgs, opts?: pulumi.InvokeOutputOptions): pulumi.Output<GetDatastoreResult>;
/**
 * A collection of arguments for invoking getDatastore.
 */
export interface GetDatastoreOutputArgs {
    /** The managed object reference ID of the datacenter the datastore is in. */
    datacenterId?: pulumi.Input<string | undefined>;
    /** The name of the datastore. */
    name: pulumi.Input<string>;
    /** The disk space usage statistics of the datastore. */
    stats?: pulumi.Input<{
        [key: string]: pulumi.Input<string>;
    } | undefined>;
}
