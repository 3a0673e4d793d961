// Values a preview cannot know yet. A step that failed keeps an empty output in the state, and
// a preview of the run that will run it again shows that old output (pulumi-command's Update keeps
// the old outputs in a preview): what the program derives from it is unknown there, not an error.
import * as pulumi from "@pulumi/pulumi";

/** An output the engine treats as not known yet, as a step's output before it has run. */
export function notKnownYet<T>(): pulumi.Output<T> {
  // The SDK makes such outputs for unknown resource outputs; its constructor is not in its types.
  const OutputOf = pulumi.Output as unknown as new (...args: unknown[]) => pulumi.Output<T>;
  return new OutputOf(new Set(), Promise.resolve(undefined), Promise.resolve(false), Promise.resolve(false), Promise.resolve(new Set()));
}

/** The step's output parsed, or not known yet where a preview shows the empty output of a failed earlier run. */
export function parsedStepOutput<T>(stdout: pulumi.Output<string>, parse: (stdout: string) => T): pulumi.Output<T> {
  return stdout.apply((text): pulumi.Input<T> => (text === "" && pulumi.runtime.isDryRun() ? notKnownYet<T>() : parse(text))) as pulumi.Output<T>;
}
