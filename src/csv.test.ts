import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseCsv, quoteCsv, splitCsvLine } from './csv.js';

describe('CSV', () => {
  it('parses quoted fields with commas, quotes and line breaks, CRLF or LF, a BOM', () => {
    assert.deepEqual(parseCsv('\ufeffa,"b,c","say ""hi""","x\ny"\r\n1,2\n'), [
      ['a', 'b,c', 'say "hi"', 'x\ny'],
      ['1', '2'],
    ]);
    assert.deepEqual(parseCsv(''), []);
  });

  it('splits one line, quoted or not', () => {
    assert.deepEqual(splitCsvLine('1,"A, ""B"" C",x'), ['1', 'A, "B" C', 'x']);
    assert.deepEqual(splitCsvLine('1,,x'), ['1', '', 'x']);
    assert.deepEqual(splitCsvLine('""'), ['']);
  });

  it('quotes only what needs it', () => {
    assert.equal(quoteCsv('plain text'), 'plain text');
    assert.equal(quoteCsv('a,b'), '"a,b"');
    assert.equal(quoteCsv('say "hi"'), '"say ""hi"""');
    assert.equal(quoteCsv('two\r\nlines'), '"two\r\nlines"');
    assert.equal(quoteCsv(' padded'), '" padded"');
  });

  it('reads back whatever it wrote', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 6 }), (fields) => {
        const line = fields.map(quoteCsv).join(',');
        assert.deepEqual(parseCsv(line + '\r\n'), [fields]);
      }),
    );
  });
});
