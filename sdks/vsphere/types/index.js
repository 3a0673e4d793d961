"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.output = exports.input = void 0;
exports.input = require("./input");
exports.output = require("./output");
