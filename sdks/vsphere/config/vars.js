"use strict";
// Hand-written equivalent of config/vars.ts in @pulumi/vsphere 4.17.0: the `vsphere:*` stack
// configuration of the default provider, read lazily, with the same environment fallbacks.
Object.defineProperty(exports, "__esModule", { value: true });
const pulumi = require("@pulumi/pulumi");
const utilities = require("../utilities");

const __config = new pulumi.Config("vsphere");

// [name, kind, environment variables]
const VARS = [
    ["allowUnverifiedSsl", "boolean", ["VSPHERE_ALLOW_UNVERIFIED_SSL"]],
    ["apiTimeout", "number", []],
    ["clientDebug", "boolean", ["VSPHERE_CLIENT_DEBUG"]],
    ["clientDebugPath", "string", ["VSPHERE_CLIENT_DEBUG_PATH"]],
    ["clientDebugPathRun", "string", ["VSPHERE_CLIENT_DEBUG_PATH_RUN"]],
    ["password", "string", []],
    ["persistSession", "boolean", ["VSPHERE_PERSIST_SESSION"]],
    ["restSessionPath", "string", ["VSPHERE_REST_SESSION_PATH"]],
    ["user", "string", []],
    ["vcenterServer", "string", []],
    ["vimKeepAlive", "number", ["VSPHERE_VIM_KEEP_ALIVE"]],
    ["vimSessionPath", "string", ["VSPHERE_VIM_SESSION_PATH"]],
    ["vsphereServer", "string", []],
];

const ENV_READERS = {
    boolean: utilities.getEnvBoolean,
    number: utilities.getEnvNumber,
    string: utilities.getEnv,
};

for (const [name, kind, envVars] of VARS) {
    Object.defineProperty(exports, name, {
        get() {
            const configured = kind === "string" ? __config.get(name) : __config.getObject(name);
            if (envVars.length === 0) {
                return configured;
            }
            return configured ?? ENV_READERS[kind](...envVars);
        },
        enumerable: true,
    });
}
