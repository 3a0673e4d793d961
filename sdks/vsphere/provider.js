"use strict";
// Hand-written equivalent of provider.ts in @pulumi/vsphere 4.17.0.
Object.defineProperty(exports, "__esModule", { value: true });
exports.Provider = void 0;
const pulumi = require("@pulumi/pulumi");
const utilities = require("./utilities");

// Non-string provider settings travel to the provider as JSON text, as the generated SDK does.
function jsonInput(value) {
    return pulumi.output(value).apply(JSON.stringify);
}

class Provider extends pulumi.ProviderResource {
    static isInstance(obj) {
        if (obj === undefined || obj === null) {
            return false;
        }
        return obj["__pulumiType"] === "pulumi:providers:" + Provider.__pulumiType;
    }

    constructor(name, args, opts) {
        const resourceInputs = {};
        opts = opts || {};
        resourceInputs["allowUnverifiedSsl"] = jsonInput(args?.allowUnverifiedSsl ?? utilities.getEnvBoolean("VSPHERE_ALLOW_UNVERIFIED_SSL"));
        resourceInputs["apiTimeout"] = jsonInput(args?.apiTimeout);
        resourceInputs["clientDebug"] = jsonInput(args?.clientDebug ?? utilities.getEnvBoolean("VSPHERE_CLIENT_DEBUG"));
        resourceInputs["clientDebugPath"] = args?.clientDebugPath ?? utilities.getEnv("VSPHERE_CLIENT_DEBUG_PATH");
        resourceInputs["clientDebugPathRun"] = args?.clientDebugPathRun ?? utilities.getEnv("VSPHERE_CLIENT_DEBUG_PATH_RUN");
        resourceInputs["password"] = args?.password;
        resourceInputs["persistSession"] = jsonInput(args?.persistSession ?? utilities.getEnvBoolean("VSPHERE_PERSIST_SESSION"));
        resourceInputs["restSessionPath"] = args?.restSessionPath ?? utilities.getEnv("VSPHERE_REST_SESSION_PATH");
        resourceInputs["user"] = args?.user;
        resourceInputs["vcenterServer"] = args?.vcenterServer;
        resourceInputs["vimKeepAlive"] = jsonInput(args?.vimKeepAlive ?? utilities.getEnvNumber("VSPHERE_VIM_KEEP_ALIVE"));
        resourceInputs["vimSessionPath"] = args?.vimSessionPath ?? utilities.getEnv("VSPHERE_VIM_SESSION_PATH");
        resourceInputs["vsphereServer"] = args?.vsphereServer;
        opts = pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts);
        super(Provider.__pulumiType, name, resourceInputs, opts);
    }

    /** Returns the provider's configuration as a Terraform config object (provider method). */
    terraformConfig() {
        return pulumi.runtime.call("pulumi:providers:vsphere/terraformConfig", {
            "__self__": this,
        }, this);
    }
}
exports.Provider = Provider;
/** @internal */
Provider.__pulumiType = "vsphere";
