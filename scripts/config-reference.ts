// npm run docs:config: regenerates README.md's generated sections: the config reference (from the
// schema) and the pinned-chart table (from components/addons/charts.ts).
import * as fs from "node:fs";
import { withReference } from "../stacks/reference";
import { withPinnedCharts } from "./pinned-charts";

const file = "README.md";
const current = fs.readFileSync(file, "utf8");
const updated = withPinnedCharts(withReference(current));
if (updated !== current) fs.writeFileSync(file, updated);
console.log(updated === current ? "README.md generated sections are up to date" : "README.md generated sections regenerated");
