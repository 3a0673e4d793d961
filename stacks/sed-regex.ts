// The patch operation's regular expressions run on the node as GNU `sed -E` reads them (POSIX
// extended syntax with GNU's extensions), not as JavaScript does. A pattern is parsed with
// regexpp (the ECMAScript grammar, Annex B) and then kept to the constructs both read alike:
// literals, `.`, bracket expressions without escapes, anchors, groups, alternation, greedy
// quantifiers. Everything else is refused with what sed -E would do with it instead, so a pattern
// that passes here compiles in sed -E and means the same (test/sed-regex.test.ts checks each verdict
// against the real sed). sed matches the leftmost-longest alternative where JavaScript takes the
// first: docs/node-operations.md says so.
import { RegExpParser, visitRegExpAST, type AST } from "@eslint-community/regexpp";

/** Metacharacters a backslash makes literal in both readings. */
const ESCAPABLE = new Set([..."^$.[]{}()*+?|\\/"]);

const SET_FIX: Record<string, string> = {
  digit: "[0-9]",
  space: "a bracket expression holding a blank and a tab character",
  word: "[A-Za-z0-9_]",
};

/** Why GNU sed -E cannot use `pattern` as written, or undefined. */
export function sedPatternProblem(pattern: string): string | undefined {
  if (pattern === "") return "an empty pattern (sed would reuse the last one it ran)";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f]/.test(pattern)) return "a newline or control character: sed -E matches one line at a time, and the operation passes the pattern on one line";
  let ast: AST.Pattern;
  try {
    ast = new RegExpParser({ strict: false, ecmaVersion: 2025 }).parsePattern(pattern, 0, pattern.length, { unicode: false });
  } catch (thrown) {
    const reason = thrown instanceof Error ? thrown.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, "") : String(thrown);
    return `does not compile: ${reason}`;
  }
  const problems: string[] = [];
  const inClass = (node: AST.Node): boolean => node.parent?.type === "CharacterClass" || node.parent?.type === "CharacterClassRange";
  visitRegExpAST(ast, {
    onCharacterEnter(node) {
      if (inClass(node)) {
        if (node.raw.startsWith("\\")) problems.push(`${node.raw} inside [...]: sed -E reads a backslash in a bracket expression as a literal backslash; write the character itself, e.g. [.] for a dot`);
        else if (node.raw === "[" && /^[:=.]/.test(pattern.slice(node.end))) problems.push("a POSIX class such as [[:space:]] is not checked here; list the characters instead, e.g. [0-9] or [A-Za-z]");
        return;
      }
      if (node.raw.startsWith("\\")) {
        const escaped = node.raw.slice(1);
        if (escaped.length === 1 && ESCAPABLE.has(escaped)) return;
        if (/^[1-9]/.test(escaped)) problems.push(`${node.raw} as a back-reference: not every sed reads back-references in a pattern the same way; match the text itself`);
        else if (escaped === "t") problems.push("\\t: only GNU sed reads it as a tab; write a tab character itself");
        else problems.push(`${node.raw} is JavaScript/Perl syntax; sed -E reads it as ${escaped.length === 1 ? `the letter ${escaped}` : "something else"}; write the characters it stands for`);
        return;
      }
      if (node.raw === "{") problems.push("a { that starts no repetition: sed -E reads { as the start of an interval such as {2,3}; write \\{ for a literal brace");
    },
    onCharacterSetEnter(node) {
      if (node.kind === "any") return;
      if (node.kind === "property") problems.push(`${node.raw}: Unicode property classes are JavaScript syntax, which sed -E does not read`);
      else problems.push(`${node.raw} is Perl/JavaScript syntax, which sed -E reads as a plain letter; write ${SET_FIX[node.kind] ?? "the characters as a bracket expression"}${node.negate ? " negated with [^...]" : ""}`);
    },
    onCharacterClassEnter(node) {
      if (node.elements.length === 0) problems.push(`${node.raw}: sed -E reads a ] right after [ or [^ as a literal ], so the bracket expression does not end there; to match a ] write \\] outside brackets`);
    },
    onAssertionEnter(node) {
      if (node.kind === "start" || node.kind === "end") return;
      if (node.kind === "word") problems.push(`${node.raw} (a word boundary) is not POSIX extended syntax; match the neighbouring characters instead`);
      else problems.push(`${node.raw} (a look-${node.kind === "lookahead" ? "ahead" : "behind"}) does not exist in sed -E; match and capture the text, and put it back with \\1`);
    },
    onBackreferenceEnter(node) {
      problems.push(`${node.raw} as a back-reference: not every sed reads back-references in a pattern the same way; match the text itself`);
    },
    onGroupEnter(node) {
      problems.push(`${node.raw.slice(0, 3)}...): sed -E has no non-capturing groups; write a plain group ( ... )`);
    },
    onCapturingGroupEnter(node) {
      if (node.name) problems.push(`(?<${node.name}>...): sed -E has no named groups; write a plain group ( ... ) and refer to it as \\1`);
    },
    onModifiersEnter(node) {
      problems.push(`${node.raw}: inline flags do not exist in sed -E`);
    },
    onQuantifierEnter(node) {
      if (!node.greedy) problems.push(`${node.raw.slice(node.element.raw.length)}: a lazy quantifier is JavaScript/Perl syntax; sed -E has greedy ones only`);
    },
  });
  return problems[0];
}

/** Capturing groups of a pattern sedPatternProblem accepted (for \1..\9 in the replacement). */
export function sedGroupCount(pattern: string): number {
  let groups = 0;
  try {
    visitRegExpAST(new RegExpParser({ strict: false, ecmaVersion: 2025 }).parsePattern(pattern, 0, pattern.length, { unicode: false }), {
      onCapturingGroupEnter() {
        groups += 1;
      },
    });
  } catch {
    return 0;
  }
  return groups;
}

/**
 * Why sed's `s` command cannot use `replacement` after `pattern`: GNU sed refuses a reference to a
 * group the pattern does not have; other escapes (\n, \U, ...) are GNU-only or mean other things.
 * `&` stands for the whole match, as sed reads it.
 */
export function sedReplacementProblem(replacement: string, pattern: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f]/.test(replacement)) return "a newline or control character: the replacement goes into one line";
  const groups = sedGroupCount(pattern);
  for (let i = 0; i < replacement.length; i += 1) {
    if (replacement[i] !== "\\") continue;
    const next = replacement[i + 1];
    if (next === undefined) return "ends in a lone backslash, which sed refuses";
    if (/[1-9]/.test(next) && Number(next) > groups) return `\\${next} refers to group ${next}, but the pattern has ${groups === 0 ? "no groups" : `${groups} group${groups === 1 ? "" : "s"}`}; sed refuses it ("invalid reference")`;
    if (!/[1-9&\\/]/.test(next)) return `\\${next}: sed reads escapes in a replacement its own way (GNU's \\n, \\U, ...); write the character itself`;
    i += 1;
  }
  return undefined;
}
