import * as pulumi from "@pulumi/pulumi";
/**
 * Looks up a tag category by name or ID.
 * Invokes `vsphere:index/getTagCategory:getTagCategory`.
 */
export declare function getTagCategory(args?: GetTagCategoryArgs, opts?: pulumi.InvokeOptions): Promise<GetTagCategoryResult>;
/**
 * A collection of arguments for invoking getTagCategory.
 */
export interface GetTagCategoryArgs {
    /** The ID of the tag category. */
    id?: string;
    /** The name of the tag category. */
    name?: string;
}
/**
 * A collection of values returned by getTagCategory.
 */
export interface GetTagCategoryResult {
    readonly associableTypes: string[];
    readonly cardinality: string;
    readonly description: string;
    readonly id?: string;
    readonly name?: string;
}
/**
 * Looks up a tag category by name or ID.
 * The Output form of `getTagCategory`: accepts Inputs and returns an Output.
 */
export declare function getTagCategoryOutput(args?: GetTagCategoryOutputArgs, opts?: pulumi.InvokeOutputOptions): pulumi.Output<GetTagCategoryResult>;
/**
 * A collection of arguments for invoking getTagCategory.
 */
export interface GetTagCategoryOutputArgs {
    /** The ID of the tag category. */
    id?: pulumi.Input<string | undefined>;
    /** The name of the tag category. */
    name?: pulumi.Input<string | undefined>;
}
