// Every example description under the real Pulumi engine.
import * as fs from "node:fs";
import * as path from "node:path";
import { engineStackSuite } from "./stack-suite";

const examples = fs.readdirSync(path.join(__dirname, "..", "..", "examples")).filter((f) => f.endsWith(".yaml"));
for (const file of examples) engineStackSuite(`examples/${file}`, path.basename(file, ".yaml"));
