import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseLabelNumber, parseLabels } from './labels.js';

describe('--labels CSV', () => {
  it('reads number,label rows; skips header, comments, blanks and rows without label', () => {
    const text =
      '\ufeffnumber,label\n# comment\n\n"+1 (800) 432-1000","Bank card service, US"\n0097250000001,mobile IL\n+44123,\n';
    const m = parseLabels(text);
    assert.deepEqual(
      [...m.entries()],
      [
        ['+18004321000', 'Bank card service, US'],
        ['+97250000001', 'mobile IL'],
      ],
    );
  });
  it('normalises numbers to + and digits', () => {
    assert.equal(normaliseLabelNumber(' +49 (30) 1234 '), '+49301234');
    assert.equal(normaliseLabelNumber('label'), '');
  });
});
