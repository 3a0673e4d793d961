// A YAML syntax error in a stack file as one line a person can act on: where (file:line:column),
// what is wrong in the project's words, and the fix. The parser's own text and its excerpt of the
// document never reach the reader.
import type { YAMLError } from "yaml";

export interface YamlErrorText {
  line: number;
  column: number;
  problem: string;
  fix: string;
}

const INDENT_FIX = "indent with spaces only, each key exactly as far as the keys beside it, and a nested mapping on its own lines below `key:`";

/** The problem and fix for the parser's error codes; `sourceLine` is the offending line of the file. */
export function describeYamlError(error: YAMLError, sourceLine: string): YamlErrorText {
  const { line, col: column } = error.linePos?.[0] ?? { line: 1, col: 1 };
  const at = { line, column };
  // A tab anywhere in the line's indentation is the likeliest cause whatever the parser calls it.
  if (error.code === "TAB_AS_INDENT" || /^\s*\t/.test(sourceLine)) {
    return { ...at, problem: "a tab indents this line, and YAML indents with spaces only", fix: "replace the tab with spaces, as many as the keys beside it are indented" };
  }
  switch (error.code) {
    case "BAD_INDENT":
      if (/Flow sequence|Flow map/.test(error.message)) {
        return { ...at, problem: "a list or mapping opened with [ or { is not closed before this line", fix: "close it with ] or } on the line where it starts, or write one entry per line with `- `" };
      }
      return { ...at, problem: "this line is indented differently from the keys beside it", fix: INDENT_FIX };
    case "BLOCK_AS_IMPLICIT_KEY":
      return { ...at, problem: "a second `key:` follows on the same line as its parent key (`a: b: c`), or a line is indented too far", fix: "put the nested key on its own line, indented two spaces deeper than its parent: `network:` then `  subnet: ...`" };
    case "MULTILINE_IMPLICIT_KEY":
      return { ...at, problem: "this line is neither `key: value` nor a `- ` list entry, so the file is not a YAML mapping (is it a stack file at all?)", fix: "give a stack file (Pulumi.<stack>.yaml, or a .yaml file with `config:` and `onprem-k8s:cluster:`); if it is one, write this line as `key: value` or quote the text" };
    case "DUPLICATE_KEY":
      return { ...at, problem: `the key ${sourceLine.trim().split(":")[0]} appears twice in the same mapping`, fix: "keep one of them (the parser would not pick either)" };
    case "MISSING_CHAR":
      return { ...at, problem: "a quote, bracket or brace opened earlier is not closed", fix: "close the quoted text, [ list or { mapping on the line where it starts" };
    case "UNEXPECTED_TOKEN":
      return { ...at, problem: "a character YAML does not expect here (a stray quote, bracket or indentation)", fix: `${INDENT_FIX}; quote values that start with @, \`, %, [ or {` };
    default:
      return { ...at, problem: `YAML cannot read this line (${error.message.split(" at line")[0]})`, fix: `${INDENT_FIX}; quote values that hold ': ' or ' #'` };
  }
}
