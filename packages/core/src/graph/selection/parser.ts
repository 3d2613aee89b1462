import { SelectionError } from "../../errors.ts";
import { syntaxError, type Token, type TokenType, tokenize } from "./lexer.ts";

export type AttributeName = "key" | "group" | "tag" | "kind";

/** Selection syntax tree. `start`/`end` are offsets into the selection string. */
export type SelectionNode =
  | { type: "all"; start: number; end: number }
  /** A bare name: exactly that asset key. */
  | { type: "name"; name: string; start: number; end: number }
  /** `attr:value` (`*` in value is a wildcard); `tag:"k"="v"` sets `tagValue`. */
  | {
      type: "attribute";
      attribute: AttributeName;
      value: string;
      tagValue?: string;
      start: number;
      end: number;
    }
  /** Layers up/downstream of the operand; Infinity for `*`. The operand itself stays in. */
  | { type: "traverse"; upstream: number; downstream: number; operand: SelectionNode }
  | { type: "not"; operand: SelectionNode }
  | { type: "and"; operands: SelectionNode[] }
  /** Both `or` and `,` (which differ only in precedence). */
  | { type: "or"; operands: SelectionNode[] };

const ATTRIBUTES: readonly AttributeName[] = ["key", "group", "tag", "kind"];
const STARTS_OPERAND: ReadonlySet<TokenType> = new Set([
  "word",
  "number",
  "string",
  "plus",
  "star",
  "lparen",
]);
const VALUE_PART: ReadonlySet<TokenType> = new Set(["word", "number", "star", "and", "or", "not"]);
/** Longer selection strings are refused before parsing: no real selection comes near it. */
export const MAX_SELECTION_LENGTH = 10_000;
/**
 * Parentheses and `not`s nested deeper than this are a syntax error. The parser and the
 * evaluator recurse once per level, so thousands of levels would overflow the stack.
 */
export const MAX_SELECTION_NESTING = 100;
const SYNTAX_HINT =
  'examples: raw_data, +essay_response, group:generation, key:"draft_*", tag:"tier"="gold", a and not b, (a or b)+';

function describe(token: Token): string {
  if (token.type === "eof") return "end of selection";
  if (token.type === "string") return `"${token.text}"`;
  return `'${token.text}'`;
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  parse(): SelectionNode {
    const node = this.union();
    const next = this.peek();
    if (next.type !== "eof") {
      const hint = next.type === "rparen" ? "remove the extra ')' or add the matching '('" : SYNTAX_HINT;
      throw this.error(next, `unexpected ${describe(next)}; expected ',', 'and', 'or' or the end`, hint);
    }
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }

  private take(): Token {
    return this.tokens[this.pos++];
  }

  private error(token: Token, message: string, hint = SYNTAX_HINT): SelectionError {
    return syntaxError(this.source, token.start, message, hint);
  }

  /** Parses one nested level (inside `(` or after `not`), refusing to go past the nesting limit. */
  private nested(opener: Token, parse: () => SelectionNode): SelectionNode {
    if (this.depth === MAX_SELECTION_NESTING) {
      throw this.error(
        opener,
        `selection nested deeper than ${MAX_SELECTION_NESTING} levels of '(' and 'not'`,
        "use fewer levels: a,b and a or b need no parentheses, and 'not not a' is just a",
      );
    }
    this.depth++;
    const node = parse();
    this.depth--;
    return node;
  }

  private list(type: "or" | "and", operand: () => SelectionNode, separator: TokenType): SelectionNode {
    const operands = [operand()];
    while (this.peek().type === separator) {
      this.take();
      operands.push(operand());
    }
    return operands.length === 1 ? operands[0] : { type, operands };
  }

  /** `,` binds loosest of all. */
  private union(): SelectionNode {
    return this.list("or", () => this.or(), "comma");
  }

  private or(): SelectionNode {
    return this.list("or", () => this.and(), "or");
  }

  private and(): SelectionNode {
    return this.list("and", () => this.not(), "and");
  }

  private not(): SelectionNode {
    if (this.peek().type !== "not") return this.traversal();
    const not = this.take();
    return { type: "not", operand: this.nested(not, () => this.not()) };
  }

  private traversal(): SelectionNode {
    let upstream = 0;
    for (;;) {
      const token = this.peek();
      if (token.type === "number" && this.peek(1).type === "plus") {
        upstream += Number(token.text);
        this.pos += 2;
      } else if (token.type === "plus") {
        upstream += 1;
        this.take();
      } else if (token.type === "star" && STARTS_OPERAND.has(this.peek(1).type)) {
        upstream = Number.POSITIVE_INFINITY;
        this.take();
      } else break;
    }
    const operand = this.primary();
    let downstream = 0;
    for (;;) {
      const token = this.peek();
      if (token.type === "plus") {
        this.take();
        const depth = this.peek();
        // `key+2` means two layers; the digits must touch the `+` so `a+ 2+b` is not misread.
        if (depth.type === "number" && depth.start === token.end) {
          downstream += Number(depth.text);
          this.take();
        } else downstream += 1;
      } else if (token.type === "star") {
        downstream = Number.POSITIVE_INFINITY;
        this.take();
      } else break;
    }
    return upstream === 0 && downstream === 0 ? operand : { type: "traverse", upstream, downstream, operand };
  }

  private primary(): SelectionNode {
    const token = this.peek();
    switch (token.type) {
      case "star":
        this.take();
        return { type: "all", start: token.start, end: token.end };
      case "lparen": {
        this.take();
        return this.nested(token, () => {
          const inner = this.union();
          const close = this.peek();
          if (close.type !== "rparen") {
            throw this.error(
              close,
              `expected ')' to close the '(' at column ${token.start + 1}, found ${describe(close)}`,
            );
          }
          this.take();
          return inner;
        });
      }
      case "word":
        return this.peek(1).type === "colon" ? this.attribute() : this.name();
      case "number":
        throw this.error(
          token,
          `a depth like '${token.text}' must be followed by '+' (e.g. ${token.text}+key)`,
        );
      case "string":
        throw this.error(
          token,
          `a quoted value needs an attribute in front`,
          `write key:"${token.text}" or group:"${token.text}"`,
        );
      default:
        throw this.error(token, `expected an asset key, attribute, '(' or '*', found ${describe(token)}`);
    }
  }

  private name(): SelectionNode {
    const token = this.take();
    return { type: "name", name: token.text, start: token.start, end: token.end };
  }

  private attribute(): SelectionNode {
    const nameToken = this.take();
    const attribute = nameToken.text as AttributeName;
    if (!ATTRIBUTES.includes(attribute)) {
      throw this.error(
        nameToken,
        `unknown attribute "${nameToken.text}"`,
        `supported attributes: ${ATTRIBUTES.join(", ")}`,
      );
    }
    const colon = this.take();
    const value = this.value(colon, attribute);
    if (this.peek().type !== "equals") {
      return { type: "attribute", attribute, value: value.text, start: nameToken.start, end: value.end };
    }
    const equals = this.take();
    if (attribute !== "tag") {
      throw this.error(
        equals,
        `only tag: takes '=value'`,
        `write tag:"name"="value", or ${attribute}:"${value.text}"`,
      );
    }
    const tagValue = this.value(equals, attribute);
    return {
      type: "attribute",
      attribute,
      value: value.text,
      tagValue: tagValue.text,
      start: nameToken.start,
      end: tagValue.end,
    };
  }

  /** A quoted string, or unquoted word/digit/`*` characters written without spaces. */
  private value(after: Token, attribute: AttributeName): { text: string; end: number } {
    const first = this.peek();
    if (first.type === "string") {
      this.take();
      return { text: first.text, end: first.end };
    }
    let text = "";
    let end = after.end;
    while (VALUE_PART.has(this.peek().type) && this.peek().start === end) {
      const part = this.take();
      text += part.text;
      end = part.end;
    }
    if (text === "") {
      throw this.error(
        first,
        `expected a value right after '${after.text}', found ${describe(first)}`,
        `e.g. ${attribute}:"name"`,
      );
    }
    return { text, end };
  }
}

/** Parses a selection string into its syntax tree; throws SelectionError with a caret on bad syntax. */
export function parseSelection(text: string): SelectionNode {
  if (typeof text !== "string" || text.trim() === "") {
    throw new SelectionError("SELECTION_EMPTY", "empty selection", {
      context: { selection: typeof text === "string" ? text : String(text) },
      hint: "name an asset key, group:name, or * for every asset",
    });
  }
  if (text.length > MAX_SELECTION_LENGTH) {
    throw new SelectionError(
      "SELECTION_TOO_LONG",
      `selection is ${text.length} characters long; at most ${MAX_SELECTION_LENGTH} are accepted`,
      {
        context: { length: text.length, limit: MAX_SELECTION_LENGTH },
        hint: 'select many assets at once with group:name, key:"prefix*", tag: or +/* traversal',
      },
    );
  }
  return new Parser(text, tokenize(text)).parse();
}
