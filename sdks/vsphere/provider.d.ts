import * as pulumi from "@pulumi/pulumi";
/**
 * The provider type for the vsphere package. Resources use the stack's `vsphere:*` configuration by
 * default; an explicit `Provider` passed as the `provider` resource option overrides it.
 */
export declare class Provider extends pulumi.ProviderResource {
    /**
     * Returns true if the given object is an instance of Provider, even when several copies of the
     * Pulumi SDK are loaded.
     */
    static isInstance(obj: any): obj is Provider;
    /** govmomi debug path for debug */
    readonly clientDebugPath: pulumi.Output<string | undefined>;
    /** govmomi debug path for a single run */
    readonly clientDebugPathRun: pulumi.Output<string | undefined>;
    /** The user password for vSphere API operations. */
    readonly password: pulumi.Output<string | undefined>;
    /** The directory to save vSphere REST API sessions to */
    readonly restSessionPath: pulumi.Output<string | undefined>;
    /** The user name for vSphere API operations. */
    readonly user: pulumi.Output<string | undefined>;
    /** @deprecated This field has been renamed to vsphere_server. */
    readonly vcenterServer: pulumi.Output<string | undefined>;
    /** The directory to save vSphere SOAP API sessions to */
    readonly vimSessionPath: pulumi.Output<string | undefined>;
    /** The vSphere Server name for vSphere API operations. */
    readonly vsphereServer: pulumi.Output<string | undefined>;
    /**
     * Create a Provider resource with the given unique name, arguments, and options.
     */
    constructor(name: string, args?: ProviderArgs, opts?: pulumi.ResourceOptions);
    /**
     * Returns a Terraform config object with terraform-namecased keys, to be used with the Terraform
     * Module Provider.
     */
    terraformConfig(): pulumi.Output<Provider.TerraformConfigResult>;
}
/**
 * The set of arguments for constructing a Provider resource.
 */
export interface ProviderArgs {
    /** If set, VMware vSphere client will permit unverifiable SSL certificates. */
    allowUnverifiedSsl?: pulumi.Input<boolean | undefined>;
    /** API timeout in minutes (Default: 5) */
    apiTimeout?: pulumi.Input<number | undefined>;
    /** govmomi debug */
    clientDebug?: pulumi.Input<boolean | undefined>;
    /** govmomi debug path for debug */
    clientDebugPath?: pulumi.Input<string | undefined>;
    /** govmomi debug path for a single run */
    clientDebugPathRun?: pulumi.Input<string | undefined>;
    /** The user password for vSphere API operations. */
    password?: pulumi.Input<string | undefined>;
    /** Persist vSphere client sessions to disk */
    persistSession?: pulumi.Input<boolean | undefined>;
    /** The directory to save vSphere REST API sessions to */
    restSessionPath?: pulumi.Input<string | undefined>;
    /** The user name for vSphere API operations. */
    user?: pulumi.Input<string | undefined>;
    /** @deprecated This field has been renamed to vsphere_server. */
    vcenterServer?: pulumi.Input<string | undefined>;
    /** Keep alive interval for the VIM session in minutes */
    vimKeepAlive?: pulumi.Input<number | undefined>;
    /** The directory to save vSphere SOAP API sessions to */
    vimSessionPath?: pulumi.Input<string | undefined>;
    /** The vSphere Server name for vSphere API operations. */
    vsphereServer?: pulumi.Input<string | undefined>;
}
export declare namespace Provider {
    /**
     * The results of the Provider.terraformConfig method.
     */
    interface TerraformConfigResult {
        readonly result: {
            [key: string]: any;
        };
    }
}
