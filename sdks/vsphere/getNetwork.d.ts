import * as pulumi from "@pulumi/pulumi";
import * as inputs from "./types/input";
import * as outputs from "./types/output";
/**
 * Looks up a network (standard port group, distributed port group or opaque network) by name.
 * Invokes `vsphere:index/getNetwork:getNetwork`.
 */
export declare function getNetwork(args: GetNetworkArgs, opts?: pulumi.InvokeOptions): Promise<GetNetworkResult>;
/**
 * A collection of arguments for invoking getNetwork.
 */
export interface GetNetworkArgs {
    /** The managed object reference ID of the datacenter the network is in. */
    datacenterId?: string;
    /** For a distributed port group, the UUID of its switch (when port group names repeat across switches). */
    distributedVirtualSwitchUuid?: string;
    /** Filters to apply when several networks share the name. */
    filters?: inputs.GetNetworkFilter[];
    /** The name of the network. */
    name: string;
}
/**
 * A collection of values returned by getNetwork.
 */
export interface GetNetworkResult {
    readonly datacenterId?: string;
    readonly distributedVirtualSwitchUuid?: string;
    readonly filters?: outputs.GetNetworkFilter[];
    /** The provider-assigned unique ID for this managed resource. */
    readonly id: string;
    readonly name: string;
    /** The managed object type of the network. */
    readonly type: string;
}
/**
 * Looks up a network (standard port group, distributed port group or opaque network) by name.
 * The Output form of `getNetwork`: accepts Inputs and returns an Output.
 */
export declare function getNetworkOutput(args: GetNetworkOutputArgs, opts?: pulumi.InvokeOutputOptions): pulumi.Output<GetNetworkResult>;
/**
 * A collection of arguments for invoking getNetwork.
 */
export interface GetNetworkOutputArgs {
    /** The managed object reference ID of the datacenter the network is in. */
    datacenterId?: pulumi.Input<string | undefined>;
    /** For a distributed port group, the UUID of its switch (when port group names repeat across switches). */
    distributedVirtualSwitchUuid?: pulumi.Input<string | undefined>;
    /** Filters to apply when several networks share the name. */
    filters?: pulumi.Input<pulumi.Input<inputs.GetNetworkFilterArgs>[] | undefined>;
    /** The name of the network. */
    name: pulumi.Input<string>;
}
