"use strict";
// Hand-written equivalent of utilities.ts in @pulumi/vsphere 4.17.0: environment helpers, the package
// version and the default resource options every resource and invoke of this package merges in.
Object.defineProperty(exports, "__esModule", { value: true });
exports.getEnv = getEnv;
exports.getEnvBoolean = getEnvBoolean;
exports.getEnvNumber = getEnvNumber;
exports.getVersion = getVersion;
exports.resourceOptsDefaults = resourceOptsDefaults;
exports.lazyLoad = lazyLoad;
exports.setInputs = setInputs;

function getEnv(...vars) {
    for (const v of vars) {
        const value = process.env[v];
        if (value) {
            return value;
        }
    }
    return undefined;
}

// Same truth table as Go's strconv.ParseBool, which the Terraform-based provider uses.
const TRUE_STRINGS = ["1", "t", "T", "true", "TRUE", "True"];
const FALSE_STRINGS = ["0", "f", "F", "false", "FALSE", "False"];

function getEnvBoolean(...vars) {
    const s = getEnv(...vars);
    if (s !== undefined) {
        if (TRUE_STRINGS.includes(s)) {
            return true;
        }
        if (FALSE_STRINGS.includes(s)) {
            return false;
        }
    }
    return undefined;
}

function getEnvNumber(...vars) {
    const s = getEnv(...vars);
    if (s !== undefined) {
        const f = parseFloat(s);
        if (!isNaN(f)) {
            return f;
        }
    }
    return undefined;
}

/** The version of this package; it selects the version of the `vsphere` resource plugin. */
function getVersion() {
    let version = require("./package.json").version;
    // npm tolerates a leading "v", semver does not.
    if (version.indexOf("v") === 0) {
        version = version.slice(1);
    }
    return version;
}

/** @internal Options merged under the caller's options of every resource and invoke. */
function resourceOptsDefaults() {
    return { version: getVersion() };
}

/** @internal Defines enumerable getters on `exports` that load their module on first use. */
function lazyLoad(exports, props, loadModule) {
    for (const property of props) {
        Object.defineProperty(exports, property, {
            enumerable: true,
            get: function () {
                return loadModule()[property];
            },
        });
    }
}

/** @internal Copies `names` from `source` (possibly undefined) into `target`, keeping absent ones as undefined. */
function setInputs(target, source, names) {
    for (const n of names) {
        target[n] = source === undefined || source === null ? undefined : source[n];
    }
}
