import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TemplateError } from "./errors.ts";
import { normalizeNewlines, renderTemplate } from "./render-template.ts";
import { loadTemplateFile, renderTemplateFile } from "./template-file.ts";

describe("renderTemplate", () => {
  it("renders for loops with loop.index and filters like Jinja2", () => {
    const source =
      "{{ concepts | length }} concepts: {{ names | join(', ') }}\n" +
      "{% for c in concepts %}{{ loop.index }}. {{ c.name }}: {{ c.content }}\n{% endfor %}";
    const vars = {
      names: ["Alpha", "Beta"],
      concepts: [
        { name: "Alpha", content: "first" },
        { name: "Beta", content: "second" },
      ],
    };
    expect(renderTemplate(source, vars)).toBe("2 concepts: Alpha, Beta\n1. Alpha: first\n2. Beta: second\n");
  });

  it("keeps {% raw %} blocks literal", () => {
    expect(renderTemplate("{% raw %}{{ not_a_var }} {% if %}{% endraw %} {{ x }}", { x: 1 })).toBe(
      "{{ not_a_var }} {% if %} 1",
    );
  });

  it("drops exactly one trailing newline of the source", () => {
    expect(renderTemplate("a {{ x }}\n", { x: "b" })).toBe("a b");
    expect(renderTemplate("a\n\n", {})).toBe("a\n");
    expect(renderTemplate("a", {})).toBe("a");
  });

  it("keeps a trailing newline that comes from a value", () => {
    expect(renderTemplate("{{ x }}", { x: "line\n" })).toBe("line\n");
  });

  it("normalises CRLF and lone CR in the source, then drops one trailing newline", () => {
    expect(renderTemplate("a\r\nb\rc\r\n", {})).toBe("a\nb\nc");
    expect(normalizeNewlines("x\r\ny\rz\n")).toBe("x\ny\nz\n");
  });

  it("renders undefined variables and attributes as empty", () => {
    expect(renderTemplate("[{{ missing }}][{{ obj.missing }}]", { obj: {} })).toBe("[][]");
  });

  it("warns once per template about variables it reads but is not given, and still renders them empty", () => {
    const warnings: Array<{ obj: object; msg: string }> = [];
    const log = { warn: (obj: object, msg: string) => warnings.push({ obj, msg }) };
    const source =
      "{% set shown = 1 %}{% for c in concepts %}{{ loop.index }}{{ c.name }}{% endfor %}" +
      "[{{ missing }}][{{ range(2) | length }}]{% if optional is defined %}{{ optional }}{% endif %}";
    for (let i = 0; i < 3; i++) {
      expect(renderTemplate(source, { concepts: [{ name: "A" }] }, { file: "warn-once.txt", log })).toBe(
        "1A[][2]",
      );
    }
    expect(warnings).toEqual([
      {
        obj: { template: "warn-once.txt", unknown_variables: ["missing"], known_variables: ["concepts"] },
        msg: "template warn-once.txt uses a variable it is not given, rendered as empty: missing (given: concepts)",
      },
    ]);
  });

  it("does not escape HTML", () => {
    expect(renderTemplate("{{ x }}", { x: "<b>&\"'</b>" })).toBe("<b>&\"'</b>");
  });

  it("never renders inserted values again", () => {
    expect(renderTemplate("Draft: {{ draft_block }}", { draft_block: "{{ secret }} {% raw %}" })).toBe(
      "Draft: {{ secret }} {% raw %}",
    );
  });

  it("names the template file and line of a syntax error, with a hint", () => {
    const source = "line one\nline two\n{% for x in xs %}\n{{ x }\n";
    try {
      renderTemplate(source, { xs: [] }, { file: "data/1_raw/generation_templates/draft/t1.txt" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TemplateError);
      const e = err as TemplateError;
      expect(e.message).toMatch(
        /^syntax error in template data\/1_raw\/generation_templates\/draft\/t1\.txt:4:\d+: /,
      );
      expect(e.context.file).toBe("data/1_raw/generation_templates/draft/t1.txt");
      expect(e.context.line).toBe(4);
      expect(e.hint).toMatch(/Jinja2/);
    }
  });

  it("reports the same line for a CRLF template", () => {
    try {
      renderTemplate("a\r\nb\r\n{% if %}\r\n", {}, { file: "t.txt" });
      expect.unreachable();
    } catch (err) {
      expect((err as TemplateError).context.line).toBe(3);
    }
  });

  it("wraps render-time failures with the file", () => {
    expect(() => renderTemplate("{{ x | no_such_filter }}", { x: 1 }, { file: "e.txt" })).toThrow(
      /template e\.txt: filter not found: no_such_filter/,
    );
  });
});

describe("template files", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "templates-"));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads a template with universal newlines and renders it", () => {
    const file = path.join(dir, "essay.txt");
    fs.writeFileSync(file, "Essay from:\r\n{{ draft_block }}\r\n");
    expect(loadTemplateFile(file)).toEqual({ file, source: "Essay from:\n{{ draft_block }}\n" });
    expect(renderTemplateFile(file, { draft_block: "x\ny" })).toBe("Essay from:\nx\ny");
  });

  it("fails on a missing file naming it, with a hint", () => {
    const file = path.join(dir, "missing.txt");
    expect(() => loadTemplateFile(file)).toThrow(TemplateError);
    expect(() => loadTemplateFile(file)).toThrow(/missing\.txt: ENOENT/);
  });
});
