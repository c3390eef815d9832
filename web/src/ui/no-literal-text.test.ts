// No hard-coded user-facing text in components: every word on screen comes from src/i18n.
// Flags JSX text with a letter, `{"literal"}` children with a letter, and literal values of the
// attributes people read (placeholder, title, alt, aria-label, label).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "..");
const READ_ATTRS = new Set(["placeholder", "title", "alt", "aria-label", "label", "aria-description"]);
const LETTER = /\p{L}/u;

function tsxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsxFiles(p);
    return e.name.endsWith(".tsx") && !e.name.includes(".test.") ? [p] : [];
  });
}

export function literalTexts(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const where = (n: ts.Node) => `${relative(SRC, file)}:${source.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node) && LETTER.test(node.text)) found.push(`${where(node)} text ${JSON.stringify(node.text.trim())}`);
    if (ts.isJsxExpression(node) && node.expression && ts.isStringLiteralLike(node.expression) && ts.isJsxElement(node.parent)) {
      if (LETTER.test(node.expression.text)) found.push(`${where(node)} text ${JSON.stringify(node.expression.text)}`);
    }
    if (ts.isJsxAttribute(node) && READ_ATTRS.has(node.name.getText()) && node.initializer) {
      const init = node.initializer;
      const lit = ts.isStringLiteral(init) ? init : ts.isJsxExpression(init) && init.expression && ts.isStringLiteralLike(init.expression) ? init.expression : null;
      if (lit && LETTER.test(lit.text)) found.push(`${where(node)} ${node.name.getText()}=${JSON.stringify(lit.text)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("components", () => {
  it("contain no hard-coded user-facing text (use t() from src/i18n)", () => {
    const files = tsxFiles(SRC);
    expect(files.length).toBeGreaterThan(5);
    const found = files.flatMap((f) => literalTexts(f, readFileSync(f, "utf8")));
    expect(found).toEqual([]);
  });

  it("catches literal text (self-check)", () => {
    const bad = `export const A = () => <p title="Xin chào">Đăng nhập {"Hủy"} <b>{t("ok")}</b></p>;`;
    expect(literalTexts(join(SRC, "x.tsx"), bad)).toHaveLength(3);
  });
});
