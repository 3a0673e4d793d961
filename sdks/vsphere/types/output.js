"use strict";
// Type-only module: the nested output types of the vsphere package have no runtime code.
Object.defineProperty(exports, "__esModule", { value: true });
