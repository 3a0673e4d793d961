// npm run plan -- <stack | path to a stack file>
// Runs the program under Pulumi's mocks with that stack's config and writes out/<name>/
// (or <dir>/<name>/ with --out <dir>).
// A bad description prints every problem, exits 1 and leaves out/<name>/REFUSED.md alone in the folder.
import "./plan/deferred-modules";
import { planCommand } from "./plan/cli";

planCommand(process.argv.slice(2), { out: (line) => console.log(line), err: (line) => console.error(line) }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // planCommand reports every failure itself; this is the last net, still one line.
    console.error(`the plan stopped: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    process.exit(1);
  },
);
