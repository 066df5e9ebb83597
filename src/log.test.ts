import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from './log.js';

describe('diagnostics logger', () => {
  it('writes no raw C0 or C1 control character, whatever the logged data holds', () => {
    const chunks: string[] = [];
    const dest = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk.toString('utf8'));
        cb();
      },
    });
    const log = createLogger('info', dest);
    const hostile = '\u001b[2J\u0007\u0000x\u009b31m\u0085y';
    log.warn({ peer: { ip: hostile } }, 'test');
    const line = chunks.join('');
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(line.trimEnd(), /[\u0000-\u001f\u007f-\u009f]/);
    const parsed = JSON.parse(line) as { peer: { ip: string } };
    assert.equal(parsed.peer.ip, hostile);
  });
});
