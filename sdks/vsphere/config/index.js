"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
const vars = require("./vars");
for (const name of Object.keys(vars)) {
    if (name !== "__esModule") {
        Object.defineProperty(exports, name, { enumerable: true, get: () => vars[name] });
    }
}
