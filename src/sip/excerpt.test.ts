import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXCERPT_BYTES, excerptOf } from './excerpt.js';

describe('excerptOf', () => {
  it('keeps printable ASCII and escapes everything else, the backslash included', () => {
    const bytes = Buffer.from([0x41, 0x20, 0x7e, 0x5c, 0x0d, 0x0a, 0x00, 0x7f, 0xff]);
    assert.equal(excerptOf(bytes), 'A ~\\x5c\\x0d\\x0a\\x00\\x7f\\xff');
  });

  it(`reads at most ${EXCERPT_BYTES} bytes`, () => {
    assert.equal(excerptOf(Buffer.alloc(EXCERPT_BYTES * 3, 0x61)), 'a'.repeat(EXCERPT_BYTES));
    assert.equal(excerptOf(Buffer.alloc(0)), '');
  });
});
