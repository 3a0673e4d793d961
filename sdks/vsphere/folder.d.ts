import * as pulumi from "@pulumi/pulumi";
/**
 * A vSphere inventory folder (VM, host, datastore, network or datacenter folder).
 */
export declare class Folder extends pulumi.CustomResource {
    /**
     * Get an existing Folder resource's state with the given name, ID, and optional extra
     * properties used to qualify the lookup.
     */
    static get(name: string, id: pulumi.Input<pulumi.ID>, state?: FolderState, opts?: pulumi.CustomResourceOptions): Folder;
    /**
     * Returns true if the given object is an instance of Folder, even when several copies of the
     * Pulumi SDK are loaded.
     */
    static isInstance(obj: any): obj is Folder;
    /** Map of custom attribute ids to attribute value strings to set for folder. */
    readonly customAttributes: pulumi.Output<{
        [key: string]: string;
    } | undefined>;
    /** The ID of the datacenter the folder will be created in. Required for all folder types except for datacenter folders. */
    readonly datacenterId: pulumi.Output<string | undefined>;
    /** The path of the folder to be created, relative to the datacenter root, without the folder type prefix (e.g. `k8s/poc`). */
    readonly path: pulumi.Output<string>;
    /** The IDs of any tags to attach to this resource. */
    readonly tags: pulumi.Output<string[] | undefined>;
    /** The type of folder to create: `datacenter`, `host`, `vm`, `datastore` or `network`. Forces a new resource if changed. */
    readonly type: pulumi.Output<string>;
    /**
     * Create a Folder resource with the given unique name, arguments, and options.
     */
    constructor(name: string, args: FolderArgs, opts?: pulumi.CustomResourceOptions);
}
/**
 * Input properties used for looking up and filtering Folder resources.
 */
export interface FolderState {
    /** Map of custom attribute ids to attribute value strings to set for folder. */
    customAttributes?: pulumi.Input<{
        [key: string]: pulumi.Input<string>;
    } | undefined>;
    /** The ID of the datacenter the folder will be created in. */
    datacenterId?: pulumi.Input<string | undefined>;
    /** The path of the folder, relative to the datacenter root. */
    path?: pulumi.Input<string | undefined>;
    /** The IDs of any tags to attach to this resource. */
    tags?: pulumi.Input<pulumi.Input<string>[] | undefined>;
    /** The type of folder. */
    type?: pulumi.Input<string | undefined>;
}
/**
 * The set of arguments for constructing a Folder resource.
 */
export interface FolderArgs {
    /** Map of custom attribute ids to attribute value strings to set for folder. */
    customAttributes?: pulumi.Input<{
        [key: string]: pulumi.Input<string>;
    } | undefined>;
    /** The ID of the datacenter the folder will be created in. Required for all folder types except for datacenter folders. */
    datacenterId?: pulumi.Input<string | undefined>;
    /** The path of the folder to be created, relative to the datacenter root, without the folder type prefix. */
    path: pulumi.Input<string>;
    /** The IDs of any tags to attach to this resource. */
    tags?: pulumi.Input<pulumi.Input<string>[] | undefined>;
    /** The type of folder to create: `datacenter`, `host`, `vm`, `datastore` or `network`. */
    type: pulumi.Input<string>;
}
