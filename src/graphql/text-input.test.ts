import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { controlCharacterErrors, unsafeCharacter } from './text-input.js';

const fields = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
  controlCharacterErrors(parse(query), variables, operationName).map((e) => [e.extensions.code, e.extensions.field, e.extensions.character]);

describe('unsafeCharacter', () => {
  it('refuses C0 controls but TAB, LF and CR, DEL, lone surrogates and U+FFFE/U+FFFF', () => {
    for (const bad of ['\u0000', 'a\u0001', '\u0008', '\u000B', '\u000C', '\u000E', '\u001F', '\u007F', '\uD800', 'x\uDFFFy', '\uDBFF', '\uFFFE', '\uFFFF']) {
      expect(unsafeCharacter(bad), JSON.stringify(bad)).not.toBeNull();
    }
    expect(unsafeCharacter('nobody\u0000')).toBe('U+0000');
    expect(unsafeCharacter('\uD83D')).toBe('U+D83D');
  });

  it('lets ordinary text through: Chinese, tabs and line breaks, emoji (paired surrogates), C1 and other symbols', () => {
    for (const good of ['', '敬老院', 'a\tb\nc\r\nd', '😀 ok', '\u0080\u009F', '\uFFFD', "'; drop table area; --", '\u200B']) {
      expect(unsafeCharacter(good), JSON.stringify(good)).toBeNull();
    }
  });
});

describe('controlCharacterErrors', () => {
  it('finds a NUL in a variable, naming the argument path and the character', () => {
    const errors = controlCharacterErrors(
      parse('mutation T($input: TransitionRectificationInput!) { transitionRectification(input: $input) { userErrors { code } } }'),
      { input: { id: 'x', to: 'CLOSED', verifier: 'nobody\u0000' } },
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.verifier', character: 'U+0000' });
    expect(errors[0]!.message).toContain('不能包含控制字符（如 U+0000）');
  });

  it('finds literals in arguments, input objects and lists, and variables used deep inside a literal', () => {
    const query = `mutation M($who: String, $entries: [E!]!) {
      a: x(input: { name: "ok", notes: ["fine", "bad\\u0007"], who: $who }) { id }
      y(id: "\\u0000", input: { entries: $entries }) { id }
    }`;
    expect(fields(query, { who: 'x\u001b', entries: [{ note: 'fine' }, { note: 'd\u007f' }] })).toEqual([
      ['BAD_USER_INPUT', 'input.notes.1', 'U+0007'],
      ['BAD_USER_INPUT', 'input.who', 'U+001B'],
      ['BAD_USER_INPUT', 'id', 'U+0000'],
      ['BAD_USER_INPUT', 'input.entries.1.note', 'U+007F'],
    ]);
  });

  it('follows fragments (named and inline) and directive arguments', () => {
    const query = `query Q { ...F ... on Query { b(code: "\\u0001") } }
      fragment F on Query { a(code: "ok") @tag(name: "t\\u0002") }`;
    expect(fields(query)).toEqual([
      ['BAD_USER_INPUT', 'code', 'U+0001'],
      ['BAD_USER_INPUT', 'name', 'U+0002'],
    ]);
  });

  it('checks JSON scalar values through, keys included, and lone surrogates from JSON', () => {
    expect(fields('query Q($v: JSON) { a(filter: $v) }', { v: { 'k\u0000': 1, deep: [{ s: '\uD800' }] } })).toEqual([
      ['BAD_USER_INPUT', 'filter', 'U+0000'],
      ['BAD_USER_INPUT', 'filter.deep.0.s', 'U+D800'],
    ]);
  });

  it("uses a variable's default when it is not sent, and the sent value when it is", () => {
    const query = 'query Q($s: String = "d\\u0003") { a(code: $s) }';
    expect(fields(query)).toEqual([['BAD_USER_INPUT', 'code', 'U+0003']]);
    expect(fields(query, { s: 'clean' })).toEqual([]);
  });

  it('checks only the selected operation; undeclared variables and clean text pass', () => {
    const query = 'query A { a(code: "\\u0000") } query B { b(code: "\\t tab is fine\\n") }';
    expect(fields(query, { unused: '\u0000' }, 'B')).toEqual([]);
    expect(fields(query, undefined, 'A')).toEqual([['BAD_USER_INPUT', 'code', 'U+0000']]);
    // No operation selectable: execution refuses that itself.
    expect(fields(query)).toEqual([]);
  });

  it("walks a document once, but checks each request's variables and operation", () => {
    const document = parse('query A($s: String) { a(code: $s) } query B { b(code: "\\u0000") }');
    const codes = (variables: Record<string, unknown>, name: string) => controlCharacterErrors(document, variables, name).map((e) => e.extensions.field);
    expect(codes({ s: 'clean' }, 'A')).toEqual([]);
    expect(codes({ s: '\u0000' }, 'A')).toEqual(['code']);
    expect(codes({ s: 'clean' }, 'A')).toEqual([]);
    expect(codes({}, 'B')).toEqual(['code']);
    expect(codes({}, 'C')).toEqual([]);
  });

  it('reports a value once, and at most 20 errors', () => {
    const query = 'query Q($s: String) { a(code: $s) b: a(code: $s) }';
    expect(fields(query, { s: '\u0000' })).toHaveLength(1);
    const many = Array.from({ length: 50 }, (_, i) => `\u0000${i}`);
    expect(fields('query Q($l: [String]) { a(codes: $l) }', { l: many })).toHaveLength(20);
  });
});
