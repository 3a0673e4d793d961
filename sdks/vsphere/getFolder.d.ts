import * as pulumi from "@pulumi/pulumi";
/**
 * Looks up an inventory folder by its absolute path (e.g. `/dc-01/vm/k8s`).
 * Invokes `vsphere:index/getFolder:getFolder`.
 */
export declare function getFolder(args: GetFolderArgs, opts?: pulumi.InvokeOptions): Promise<GetFolderResult>;
/**
 * A collection of arguments for invoking getFolder.
 */
export interface GetFolderArgs {
    /** The absolute path of the folder. */
    path: string;
}
/**
 * A collection of values returned by getFolder.
 */
export interface GetFolderResult {
    /** The provider-assigned unique ID for this managed resource. */
    readonly id: string;
    readonly path: string;
}
/**
 * Looks up an inventory folder by its absolute path (e.g. `/dc-01/vm/k8s`).
 * The Output form of `getFolder`: accepts Inputs and returns an Output.
 */
export declare function getFolderOutput(args: GetFolderOutputArgs, opts?: pulumi.InvokeOutputOptions): pulumi.Output<GetFolderResult>;
/**
 * A collection of arguments for invoking getFolder.
 */
export interface GetFolderOutputArgs {
    /** The absolute path of the folder. */
    path: pulumi.Input<string>;
}
