#!/usr/bin/env node
// Compares the declarations of this local @pulumi/vsphere subset with the published SDK's sources.
//
//   node compare-api.js <local-sdk-dir> <real-sdk-nodejs-dir>
//
// For every local module (x.d.ts next to x.js) it requires the real module (x.ts) and checks that each
// exported class, interface, function, namespace and constant exists there with the same kind; that
// each declared property has the same name, optionality, readonly-ness and type text; that each
// function, constructor and method has the same parameters and return type; that the type tokens in
// the local JavaScript are the real ones; and that the property/argument names the JavaScript sends
// are real input (or output-only) properties. Exits non-zero on the first report of any mismatch.
"use strict";
const fs = require("fs");
const path = require("path");
const ts = require("typescript");

const [localDir, realDir] = process.argv.slice(2);
if (!localDir || !realDir) {
    console.error("usage: compare-api.js <local-sdk-dir> <real-sdk-nodejs-dir>");
    process.exit(2);
}

const problems = [];
let checked = 0;
const fail = (where, msg) => problems.push(`${where}: ${msg}`);

const norm = (text) => text.replace(/\s+/g, " ").replace(/;\s*}/g, " }").replace(/\s*([{}<>\[\](),:|])\s*/g, "$1").replace(/;$/, "").trim();
const parse = (file) => ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
const hasMod = (node, kind) => (ts.getModifiers(node) || []).some((m) => m.kind === kind);
const isInternal = (node) => ts.getJSDocTags(node).some((t) => t.tagName.text === "internal") || /@internal/.test(node.getFullText().slice(0, node.getLeadingTriviaWidth()));

function paramsText(params) {
    return params.map((p) => `${p.dotDotDotToken ? "..." : ""}${p.name.getText()}${p.questionToken ? "?" : ""}:${p.type ? norm(p.type.getText()) : "any"}`).join(",");
}

// Collects the public members of a class/interface/namespace body as name -> descriptor text.
function members(node) {
    const out = new Map();
    const list = node.members || (node.body && node.body.statements) || [];
    let ctor = 0;
    for (const m of list) {
        if (hasMod(m, ts.SyntaxKind.PrivateKeyword) || isInternal(m)) continue;
        const isStatic = hasMod(m, ts.SyntaxKind.StaticKeyword);
        if (ts.isPropertyDeclaration(m) || ts.isPropertySignature(m)) {
            if (isStatic && m.name.getText() === "__pulumiType") continue;
            const ro = hasMod(m, ts.SyntaxKind.ReadonlyKeyword) ? "readonly " : "";
            out.set(`${isStatic ? "static " : ""}${m.name.getText()}`, `${ro}${m.questionToken ? "?" : ""}:${m.type ? norm(m.type.getText()) : "?"}`);
        } else if (ts.isMethodDeclaration(m) || ts.isMethodSignature(m)) {
            if (m.body && !m.type) continue;
            out.set(`${isStatic ? "static " : ""}${m.name.getText()}()`, `(${paramsText(m.parameters)}):${m.type ? norm(m.type.getText()) : "?"}`);
        } else if (ts.isConstructorDeclaration(m)) {
            // Only overload signatures (no body) are public; the implementation signature is hidden.
            if (m.body && list.some((x) => ts.isConstructorDeclaration(x) && !x.body)) continue;
            out.set(`constructor#${ctor++}`, `(${paramsText(m.parameters)})`);
        } else if (ts.isInterfaceDeclaration(m)) {
            out.set(`interface ${m.name.text}`, m);
        }
    }
    return out;
}

// Exported top-level declarations of a file: name -> {kind, node}.
function exportsOf(sf) {
    const out = new Map();
    for (const st of sf.statements) {
        const exported = hasMod(st, ts.SyntaxKind.ExportKeyword);
        if (ts.isClassDeclaration(st) && exported) out.set(st.name.text, { kind: "class", node: st });
        else if (ts.isInterfaceDeclaration(st) && exported) out.set(st.name.text, { kind: "interface", node: st });
        else if (ts.isFunctionDeclaration(st) && exported && !isInternal(st)) out.set(st.name.text, { kind: "function", node: st });
        else if (ts.isModuleDeclaration(st) && exported) out.set(st.name.text, { kind: "namespace", node: st });
        else if (ts.isVariableStatement(st) && exported) {
            for (const d of st.declarationList.declarations) out.set(d.name.getText(), { kind: "const", node: d });
        } else if (ts.isTypeAliasDeclaration(st) && exported) out.set(st.name.text, { kind: "type", node: st });
        else if (ts.isExportDeclaration(st)) {
            const from = st.moduleSpecifier ? st.moduleSpecifier.text : undefined;
            if (!st.exportClause) out.set(`* from ${from}`, { kind: "export*", node: st });
            else for (const e of st.exportClause.elements) out.set(e.name.text, { kind: "reexport", node: e, from });
        } else if (ts.isImportDeclaration(st) && st.importClause && st.importClause.namedBindings && ts.isNamespaceImport(st.importClause.namedBindings)) {
            out.set(`import ${st.importClause.namedBindings.name.text}`, { kind: "import", node: st, from: st.moduleSpecifier.text });
        }
    }
    return out;
}

function compareMembers(where, localNode, realNode) {
    const lm = members(localNode);
    const rm = members(realNode);
    for (const [name, desc] of lm) {
        checked++;
        if (!rm.has(name)) {
            fail(where, `member '${name}' does not exist in the published SDK`);
        } else if (typeof desc === "string") {
            if (desc !== rm.get(name)) fail(where, `member '${name}' is '${desc}' here but '${rm.get(name)}' in the published SDK`);
        } else {
            compareMembers(`${where}.${name.replace("interface ", "")}`, desc, rm.get(name));
        }
    }
}

function compareFile(rel) {
    const localFile = path.join(localDir, rel + ".d.ts");
    const realFile = path.join(realDir, rel + ".ts");
    if (!fs.existsSync(realFile)) {
        fail(rel, `no ${rel}.ts in the published SDK`);
        return;
    }
    const le = exportsOf(parse(localFile));
    const re = exportsOf(parse(realFile));
    for (const [name, l] of le) {
        checked++;
        const r = re.get(name);
        const where = `${rel}:${name}`;
        if (!r) {
            fail(where, `not exported by the published ${rel}.ts`);
            continue;
        }
        // The published index.ts declares lazily loaded values as `export const X: typeof import(...) = null as any`.
        if (l.kind !== r.kind) {
            fail(where, `is a ${l.kind} here but a ${r.kind} in the published SDK`);
            continue;
        }
        if (l.kind === "class" || l.kind === "interface" || l.kind === "namespace") {
            compareMembers(where, l.node, r.node);
        } else if (l.kind === "function") {
            const lt = `(${paramsText(l.node.parameters)}):${norm(l.node.type.getText())}`;
            const rt = `(${paramsText(r.node.parameters)}):${norm(r.node.type.getText())}`;
            if (lt !== rt) fail(where, `signature '${lt}' differs from the published '${rt}'`);
        } else if (l.kind === "const" && l.node.type && r.node.type) {
            if (norm(l.node.type.getText()) !== norm(r.node.type.getText())) {
                fail(where, `type '${l.node.type.getText()}' differs from the published '${r.node.type.getText()}'`);
            }
        } else if (l.kind === "reexport" || l.kind === "import") {
            if (l.from !== r.from) fail(where, `comes from '${l.from}' here but from '${r.from}' in the published SDK`);
        }
    }
}

// Names of resource inputs, output-only properties and invoke arguments in the published sources.
function realRuntimeNames(realText) {
    const inputs = new Set([...realText.matchAll(/resourceInputs\["(\w+)"\] = (?:args\?\.|\(args\?\.|pulumi\.output\(\(?args\?\.)/g)].map((m) => m[1]));
    const outs = new Set([...realText.matchAll(/resourceInputs\["(\w+)"\] = undefined \/\*out\*\//g)].map((m) => m[1]));
    const invokeArgs = new Set([...realText.matchAll(/^\s+"(\w+)": args\.\w+,$/gm)].map((m) => m[1]));
    return { inputs, outs, invokeArgs };
}
const jsList = (text, name) => {
    const m = text.match(new RegExp(`const ${name} = \\[([^\\]]*)\\]`));
    return m ? [...m[1].matchAll(/"(\w+)"/g)].map((x) => x[1]) : undefined;
};

function compareRuntime(rel) {
    const localJs = path.join(localDir, rel + ".js");
    const realTs = path.join(realDir, rel + ".ts");
    if (!fs.existsSync(localJs) || !fs.existsSync(realTs)) return;
    const js = fs.readFileSync(localJs, "utf8");
    const real = fs.readFileSync(realTs, "utf8");
    const tokenHere = [...js.matchAll(/(?:__pulumiType = |const TOKEN = )"([^"]+)"/g)].map((m) => m[1]);
    const tokenReal = [
        ...[...real.matchAll(/__pulumiType = '([^']+)'/g)].map((m) => m[1]),
        ...new Set([...real.matchAll(/runtime\.invoke(?:Output)?\("([^"]+)"/g)].map((m) => m[1])),
    ];
    for (const t of tokenHere) {
        checked++;
        if (!tokenReal.includes(t)) fail(rel, `type token '${t}' is not one of the published ${JSON.stringify(tokenReal)}`);
    }
    const names = realRuntimeNames(real);
    for (const n of jsList(js, "INPUTS") || []) {
        checked++;
        if (!names.inputs.has(n)) fail(rel, `sends input '${n}', which the published SDK does not send`);
    }
    for (const n of jsList(js, "OUTPUTS") || []) {
        checked++;
        if (!names.outs.has(n)) fail(rel, `registers output-only '${n}', which the published SDK does not`);
    }
    for (const n of jsList(js, "ARGS") || []) {
        checked++;
        if (!names.invokeArgs.has(n)) fail(rel, `invokes with argument '${n}', which the published SDK does not pass`);
    }
    // Required arguments: the same "Missing required property" checks.
    const req = (text) => [...text.matchAll(/Missing required property '(\w+)'/g)].map((m) => m[1]).sort().join(",");
    checked++;
    if (req(js) !== req(real)) fail(rel, `required properties [${req(js)}] differ from the published [${req(real)}]`);
}

const files = [];
for (const dir of ["", "config", "types"]) {
    for (const f of fs.readdirSync(path.join(localDir, dir))) {
        if (f.endsWith(".d.ts")) files.push(path.join(dir, f.slice(0, -".d.ts".length)));
    }
}
for (const rel of files.sort()) {
    compareFile(rel);
    compareRuntime(rel);
}

// The real package.json is generated with a placeholder version; only its plugin identity is compared.
const localPkg = JSON.parse(fs.readFileSync(path.join(localDir, "package.json"), "utf8"));
const realPkg = JSON.parse(fs.readFileSync(path.join(realDir, "package.json"), "utf8"));
for (const key of ["name"]) {
    checked++;
    if (localPkg[key] !== realPkg[key]) fail("package.json", `${key} '${localPkg[key]}' differs from '${realPkg[key]}'`);
}
for (const key of ["resource", "name", "server"]) {
    checked++;
    if (localPkg.pulumi[key] !== realPkg.pulumi[key]) fail("package.json", `pulumi.${key} '${localPkg.pulumi[key]}' differs from '${realPkg.pulumi[key]}'`);
}
checked++;
if (localPkg.pulumi.version !== localPkg.version) fail("package.json", "pulumi.version must equal version");
const realUtil = fs.readFileSync(path.join(realDir, "utilities.ts"), "utf8");
const defaults = (realUtil.match(/function resourceOptsDefaults\(\)[^{]*\{\s*return ([^;]+);/) || [])[1];
checked++;
if (norm(defaults || "") !== norm("{ version: getVersion() }")) {
    fail("utilities", `the published resourceOptsDefaults returns '${defaults}', this package returns { version: getVersion() }`);
}

console.log(`compare-api: ${files.length} local modules, ${checked} checks against ${realDir}`);
if (problems.length) {
    for (const p of problems) console.log(`  MISMATCH ${p}`);
    console.log(`compare-api: ${problems.length} mismatch(es)`);
    process.exit(1);
}
console.log("compare-api: every declared name, type, token and runtime property matches the published SDK");
