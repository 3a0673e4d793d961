#!/usr/bin/env bash
# Prints the Pulumi CLI version CI installs: @pulumi/pulumi's in package.json, the one place it is
# pinned (the engine tests' CLI, tools/pulumi, is built at the same version; test/ci-workflows.test.ts).
# Usage: scripts/ci/pulumi-version.sh
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
version="$(node -p 'require("./package.json").dependencies["@pulumi/pulumi"]')"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || ci_die "@pulumi/pulumi is '$version' in package.json, not an exact version"
echo "$version"
