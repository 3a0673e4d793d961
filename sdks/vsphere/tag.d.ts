import * as pulumi from "@pulumi/pulumi";
/**
 * A vSphere tag, in a tag category, for attaching to objects (for example a VirtualMachine's `tags`).
 */
export declare class Tag extends pulumi.CustomResource {
    /**
     * Get an existing Tag resource's state with the given name, ID, and optional extra
     * properties used to qualify the lookup.
     */
    static get(name: string, id: pulumi.Input<pulumi.ID>, state?: TagState, opts?: pulumi.CustomResourceOptions): Tag;
    /**
     * Returns true if the given object is an instance of Tag, even when several copies of the Pulumi
     * SDK are loaded.
     */
    static isInstance(obj: any): obj is Tag;
    /** The unique identifier of the parent category in which this tag will be created. Forces a new resource if changed. */
    readonly categoryId: pulumi.Output<string>;
    /** A description for the tag. */
    readonly description: pulumi.Output<string | undefined>;
    /** The display name of the tag. The name must be unique within its category. */
    readonly name: pulumi.Output<string>;
    /**
     * Create a Tag resource with the given unique name, arguments, and options.
     */
    constructor(name: string, args: TagArgs, opts?: pulumi.CustomResourceOptions);
}
/**
 * Input properties used for looking up and filtering Tag resources.
 */
export interface TagState {
    /** The unique identifier of the parent category in which this tag will be created. Forces a new resource if changed. */
    categoryId?: pulumi.Input<string | undefined>;
    /** A description for the tag. */
    description?: pulumi.Input<string | undefined>;
    /** The display name of the tag. The name must be unique within its category. */
    name?: pulumi.Input<string | undefined>;
}
/**
 * The set of arguments for constructing a Tag resource.
 */
export interface TagArgs {
    /** The unique identifier of the parent category in which this tag will be created. Forces a new resource if changed. */
    categoryId: pulumi.Input<string>;
    /** A description for the tag. */
    description?: pulumi.Input<string | undefined>;
    /** The display name of the tag. The name must be unique within its category. */
    name?: pulumi.Input<string | undefined>;
}
