// parsedStepOutput: a preview that shows a failed step's empty output makes the parsed value
// unknown (its dependents preview as unknown) instead of failing the program; a real run parses.
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { notKnownYet, parsedStepOutput } from "./preview";

const known = (o: pulumi.Output<unknown>) => (o as unknown as { isKnown: Promise<boolean> }).isKnown;
const value = <T>(o: pulumi.Output<T>) => (o as unknown as { promise(): Promise<T> }).promise();
const mocks: pulumi.runtime.Mocks = { newResource: (args) => ({ id: args.name, state: args.inputs }), call: (args) => args.inputs };
const preview = (dryRun: boolean) => pulumi.runtime.setMocks(mocks, "project", "stack", dryRun);
/** Stands for a parser: what it was given, so a test sees whether it ran. */
const parse = (text: string) => `parsed "${text}"`;

describe("step outputs a preview cannot know", () => {
  it("an output made not known yet is unknown", async () => {
    expect(await known(notKnownYet<string>())).toBe(false);
  });

  it("in a preview an empty output is not known yet; a non-empty one is parsed", async () => {
    preview(true);
    expect(await known(parsedStepOutput(pulumi.output(""), parse))).toBe(false);
    expect(await value(parsedStepOutput(pulumi.output("report"), parse))).toBe('parsed "report"');
  });

  it("in a real run an empty output is parsed too, so the parser's refusal of it stands", async () => {
    preview(false);
    expect(await value(parsedStepOutput(pulumi.output(""), parse))).toBe('parsed ""');
  });
});
