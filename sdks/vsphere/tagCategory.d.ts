import * as pulumi from "@pulumi/pulumi";
/**
 * A vSphere tag category: groups tags and says which object types they may be attached to.
 */
export declare class TagCategory extends pulumi.CustomResource {
    /**
     * Get an existing TagCategory resource's state with the given name, ID, and optional extra
     * properties used to qualify the lookup.
     */
    static get(name: string, id: pulumi.Input<pulumi.ID>, state?: TagCategoryState, opts?: pulumi.CustomResourceOptions): TagCategory;
    /**
     * Returns true if the given object is an instance of TagCategory, even when several copies of
     * the Pulumi SDK are loaded.
     */
    static isInstance(obj: any): obj is TagCategory;
    /** A list object types that this category is valid to be assigned to (e.g. `VirtualMachine`, `HostSystem`, `All`). */
    readonly associableTypes: pulumi.Output<string[]>;
    /** The number of tags that can be assigned from this category to a single object at once: `SINGLE` or `MULTIPLE`. */
    readonly cardinality: pulumi.Output<string>;
    /** A description for the category. */
    readonly description: pulumi.Output<string | undefined>;
    /** The name of the category. */
    readonly name: pulumi.Output<string>;
    /**
     * Create a TagCategory resource with the given unique name, arguments, and options.
     */
    constructor(name: string, args: TagCategoryArgs, opts?: pulumi.CustomResourceOptions);
}
/**
 * Input properties used for looking up and filtering TagCategory resources.
 */
export interface TagCategoryState {
    /** A list object types that this category is valid to be assigned to. */
    associableTypes?: pulumi.Input<pulumi.Input<string>[] | undefined>;
    /** `SINGLE` or `MULTIPLE`. */
    cardinality?: pulumi.Input<string | undefined>;
    /** A description for the category. */
    description?: pulumi.Input<string | undefined>;
    /** The name of the category. */
    name?: pulumi.Input<string | undefined>;
}
/**
 * The set of arguments for constructing a TagCategory resource.
 */
export interface TagCategoryArgs {
    /** A list object types that this category is valid to be assigned to. */
    associableTypes: pulumi.Input<pulumi.Input<string>[]>;
    /** `SINGLE` or `MULTIPLE`. Forces a new resource if changed. */
    cardinality: pulumi.Input<string>;
    /** A description for the category. */
    description?: pulumi.Input<string | undefined>;
    /** The name of the category. */
    name?: pulumi.Input<string | undefined>;
}
