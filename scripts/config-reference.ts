// npm run docs:config: regenerates the config reference section of README.md from the schema.
import * as fs from "node:fs";
import { withReference } from "../stacks/reference";

const file = "README.md";
const current = fs.readFileSync(file, "utf8");
const updated = withReference(current);
if (updated !== current) fs.writeFileSync(file, updated);
console.log(updated === current ? "README.md config reference is up to date" : "README.md config reference regenerated");
