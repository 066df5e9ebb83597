import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineCount, messageLines, packedMsgId } from './message.js';

const b = (s: string): Uint8Array => new TextEncoder().encode(s);
const lines = (s: string): string[] => messageLines(b(s)).map((l) => Buffer.from(l).toString());

describe('messageLines', () => {
  it('gives a message of one event unchanged, even with a trailing newline or blank lines', () => {
    assert.deepEqual(lines('{"a":1}'), ['{"a":1}']);
    assert.deepEqual(lines('{"a":1}\n'), ['{"a":1}\n']);
    assert.deepEqual(lines('\n  \n{"a":1}\r\n\n'), ['\n  \n{"a":1}\r\n\n']);
    assert.deepEqual(lines(''), ['']);
    assert.deepEqual(lines('not json'), ['not json']);
  });

  it('splits several lines, skipping blank ones', () => {
    assert.deepEqual(lines('{"a":1}\n{"a":2}'), ['{"a":1}', '{"a":2}']);
    assert.deepEqual(lines('{"a":1}\n\n \n{"a":2}\n{"a":3}\n'), ['{"a":1}', '{"a":2}', '{"a":3}']);
    assert.deepEqual(lines('x\ny'), ['x', 'y']);
  });
});

describe('lineCount and packedMsgId', () => {
  it('counts lines by newlines', () => {
    assert.equal(lineCount(b('{"a":1}')), 1);
    assert.equal(lineCount(b('{"a":1}\n{"a":2}')), 2);
    assert.equal(lineCount(b('a\n\nb\n')), 4);
  });

  it('is the event id for one event, <first>+<count> for several, none without an id', () => {
    assert.equal(packedMsgId('e1', 1), 'e1');
    assert.equal(packedMsgId('e1', 100), 'e1+100');
    assert.equal(packedMsgId(null, 5), null);
  });
});
