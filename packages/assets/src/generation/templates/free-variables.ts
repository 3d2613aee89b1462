/**
 * The top-level variables a template reads without binding them itself, from nunjucks'
 * parse tree: what the caller has to give. Jinja2 renders a variable nobody gave as empty,
 * which the original templates rely on, so a misspelt name would go unnoticed otherwise.
 */
import { nunjucksLib } from "./nunjucks-lib.ts";

/** A node of nunjucks' parse tree (the parser's API is undocumented; see nunjucks/src/nodes.js). */
interface ParseNode {
  typename: string;
  fields: string[];
  [field: string]: unknown;
}

// @types/nunjucks does not declare the parser, which nunjucks exports.
const parser = (): { parse(src: string): ParseNode } =>
  (nunjucksLib() as unknown as { parser: { parse(src: string): ParseNode } }).parser;

const isNode = (value: unknown): value is ParseNode =>
  typeof value === "object" && value !== null && typeof (value as ParseNode).typename === "string";

const isSymbol = (value: unknown): boolean => isNode(value) && value.typename === "Symbol";

const PRESENCE_TESTS = new Set(["defined", "undefined"]);
const isPresenceTest = (test: unknown): boolean =>
  isSymbol(test) && PRESENCE_TESTS.has(String((test as ParseNode).value));

/** Names nunjucks provides itself: globals (range, cycler, joiner), loop state, a call block's caller. */
const BUILT_IN = new Set(["loop", "caller"]);

/**
 * Names `source` reads that neither the template binds (for, set, macro, import), nor tests
 * with `is defined`, nor nunjucks provides, in order of first use. Scopes are not tracked: a name bound anywhere counts as bound.
 */
export function freeVariables(source: string, globals: Iterable<string>): string[] {
  const used = new Set<string>();
  const bound = new Set<string>([...BUILT_IN, ...globals]);
  const guarded = new Set<string>();

  const bind = (target: unknown): void => {
    if (!isNode(target)) return;
    if (isSymbol(target)) bound.add(String(target.value));
    else if (target.typename === "Pair") bind(target.value);
    else for (const child of (target.children as unknown[] | undefined) ?? []) bind(child);
  };

  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (!isNode(node)) return;
    switch (node.typename) {
      case "Symbol":
        used.add(String(node.value));
        return;
      case "For":
      case "AsyncEach":
      case "AsyncAll":
        bind(node.name);
        visit([node.arr, node.body, node.else_]);
        return;
      case "Set":
        for (const target of (node.targets as unknown[]) ?? []) bind(target);
        visit([node.value, node.body]);
        return;
      case "Macro":
      case "Caller":
        bind(node.name);
        visitSignature(node.args);
        visit(node.body);
        return;
      case "Import":
        bind(node.target);
        visit(node.template);
        return;
      case "FromImport":
        bind(node.names);
        visit(node.template);
        return;
      // The name of a filter, block or test is not a variable.
      case "Filter":
      case "FilterAsync":
        visit(node.args);
        return;
      case "Block":
        visit(node.body);
        return;
      case "Super":
        return;
      case "Is":
        // `x is defined` is how a template says x may be absent: none of its uses is warned about.
        if (isSymbol(node.left) && isPresenceTest(node.right))
          guarded.add(String((node.left as ParseNode).value));
        else visit(node.left);
        if (isNode(node.right) && node.right.typename === "FunCall") visit(node.right.args);
        return;
      // A symbol as the key of a dict literal or a keyword argument is a literal name.
      case "Pair":
        if (!isSymbol(node.key)) visit(node.key);
        visit(node.value);
        return;
      default:
        for (const field of node.fields) visit(node[field]);
    }
  };

  /** Macro parameters are bound; their default values are expressions. */
  const visitSignature = (args: unknown): void => {
    if (!isNode(args)) return;
    for (const arg of (args.children as unknown[]) ?? []) {
      if (isNode(arg) && arg.typename === "KeywordArgs") {
        for (const pair of (arg.children as ParseNode[]) ?? []) {
          bind(pair.key);
          visit(pair.value);
        }
      } else bind(arg);
    }
  };

  visit(parser().parse(source));
  return [...used].filter((name) => !bound.has(name) && !guarded.has(name));
}
