import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { csvCell, dotString, escapeHtml, terminalSafe } from './escape.js';
import { parseCsv } from './labels.js';

describe('escaping', () => {
  it('HTML: markup characters become entities', () => {
    assert.equal(
      escapeHtml(`<img src=x onerror="a('b')">&`),
      '&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;',
    );
  });
  it('HTML: no escaped string contains < > or a bare quote', () => {
    fc.assert(fc.property(fc.string(), (s) => !/[<>"']/.test(escapeHtml(s))));
  });
  it('CSV: formula starters get a leading quote, numbers stay numbers', () => {
    assert.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
    assert.equal(csvCell('+15551234'), "'+15551234");
    assert.equal(csvCell('-1+1'), "'-1+1");
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvCell('\tcmd'), "'\tcmd");
    assert.equal(csvCell('\rcmd'), '"\'\rcmd"');
    assert.equal(csvCell(-3), '-3');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell('plain'), 'plain');
  });
  it('CSV: any string survives a round trip through a CSV parser, neutralised or as is', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), (cells) => {
        const line = cells.map(csvCell).join(',');
        const [row] = parseCsv(line + '\r\n');
        return (
          row !== undefined &&
          row.length === cells.length &&
          row.every((c, n) => c === cells[n] || c === `'${cells[n] ?? ''}`) &&
          row.every((c) => !/^[=+\-@\t\r]/.test(c))
        );
      }),
    );
  });
  it('DOT: quotes and backslashes cannot end the string', () => {
    assert.equal(dotString('a"]; x -> y [label="\\'), '"a\\"]; x -> y [label=\\"\\\\"');
  });
  it('terminal: escape sequences and bidi overrides are shown, not obeyed', () => {
    assert.equal(terminalSafe('\u001b[2Jhi\u202e'), '\\u{1b}[2Jhi\\u{202e}');
  });
});
