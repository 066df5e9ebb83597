import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { csvCell, dotString, escapeControls, escapeHtml, terminalSafe } from './escape.js';
import { parseCsv } from '../csv.js';

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

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
    // A leading TAB or CR is escaped as text, so it cannot start a formula either.
    assert.equal(csvCell('\tcmd'), '\\u{9}cmd');
    assert.equal(csvCell('\rcmd'), '\\u{d}cmd');
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
          row.every((c, n) => {
            const shown = escapeControls(cells[n] ?? '');
            return c === shown || c === `'${shown}`;
          }) &&
          row.every((c) => !RAW_CONTROL.test(c)) &&
          row.every((c) => !/^[=+\-@\t\r]/.test(c))
        );
      }),
    );
  });
  it('DOT: quotes and backslashes cannot end the string', () => {
    assert.equal(dotString('a"]; x -> y [label="\\'), '"a\\"]; x -> y [label=\\"\\\\"');
  });
  it('CSV and DOT: C0 and C1 controls are written as text, never raw', () => {
    const hostile = '\u001b[2J\u0007\u0000x\u009b31m\u0085';
    assert.equal(csvCell(hostile), '\\u{1b}[2J\\u{7}\\u{0}x\\u{9b}31m\\u{85}');
    assert.equal(dotString(hostile), '"\\\\u{1b}[2J\\\\u{7}\\\\u{0}x\\\\u{9b}31m\\\\u{85}"');
    assert.equal(dotString('a\nb'), '"a b"');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        return !RAW_CONTROL.test(csvCell(s)) && !RAW_CONTROL.test(dotString(s));
      }),
    );
  });
  it('terminal: escape sequences and bidi overrides are shown, not obeyed', () => {
    assert.equal(terminalSafe('\u001b[2Jhi\u202e'), '\\u{1b}[2Jhi\\u{202e}');
  });
});
