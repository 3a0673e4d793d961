import * as pulumi from "@pulumi/pulumi";
/**
 * Looks up a tag by name (within a category) or ID.
 * Invokes `vsphere:index/getTag:getTag`.
 */
export declare function getTag(args?: GetTagArgs, opts?: pulumi.InvokeOptions): Promise<GetTagResult>;
/**
 * A collection of arguments for invoking getTag.
 */
export interface GetTagArgs {
    /** The ID of the tag category the tag is in. */
    categoryId?: string;
    /** The ID of the tag. */
    id?: string;
    /** The name of the tag. */
    name?: string;
}
/**
 * A collection of values returned by getTag.
 */
export interface GetTagResult {
    readonly categoryId?: string;
    readonly description: string;
    readonly id?: string;
    readonly name?: string;
}
/**
 * Looks up a tag by name (within a category) or ID.
 * The Output form of `getTag`: accepts Inputs and returns an Output.
 */
export declare function getTagOutput(args?: GetTagOutputArgs, opts?: pulumi.InvokeOutputOptions): pulumi.Output<GetTagResult>;
/**
 * A collection of arguments for invoking getTag.
 */
export interface GetTagOutputArgs {
    /** The ID of the tag category the tag is in. */
    categoryId?: pulumi.Input<string | undefined>;
    /** The ID of the tag. */
    id?: pulumi.Input<string | undefined>;
    /** The name of the tag. */
    name?: pulumi.Input<string | undefined>;
}
