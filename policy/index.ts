// The policy pack `pulumi preview --policy-pack policy` loads (the CLI starts it through the
// Node.js language host with this directory as its program). Each rule of rules.ts becomes one
// stack policy; the stack's config arrives in PULUMI_CONFIG, as for any Pulumi program, and its
// profile decides the enforcement: a prod stack's violations stop the preview or update, a poc
// stack's are reported as advisories.
import * as pulumi from "@pulumi/pulumi";
import { PolicyPack, type PolicyResource } from "@pulumi/policy";
import { CLUSTER_KEY, KNOWN_CONFIG_KEYS } from "../stacks/config-keys";
import { RULES, enforcementFor, evaluate, profileOf, type CheckedResource, type StackFacts } from "./rules";

const config: Record<string, string> = { ...pulumi.runtime.allConfig() };
const profile = profileOf(config, CLUSTER_KEY);
// The secrets the program reads are its config keys other than the description.
const secretConfigKeys = KNOWN_CONFIG_KEYS.filter((key) => key !== CLUSTER_KEY);

const checked = (r: PolicyResource): CheckedResource => ({ type: r.type, name: r.name, urn: r.urn, protect: r.opts.protect, props: r.props });

new PolicyPack("onprem-k8s", {
  policies: RULES.map((rule) => ({
    name: rule.name,
    description: rule.description,
    enforcementLevel: enforcementFor(rule, profile),
    validateStack: (args, reportViolation) => {
      const facts: StackFacts = { profile, config, secretConfigKeys, resources: args.resources.map(checked) };
      for (const violation of evaluate(rule, facts)) reportViolation(violation.message, violation.urn);
    },
  })),
});
