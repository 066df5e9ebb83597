import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { chooseLogFormat, createLogger } from './log.js';

describe('diagnostics logger', () => {
  it('writes no raw C0 or C1 control character, whatever the logged data holds', () => {
    const chunks: string[] = [];
    const dest = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk.toString('utf8'));
        cb();
      },
    });
    const log = createLogger('info', dest, 'json');
    const hostile = '\u001b[2J\u0007\u0000x\u009b31m\u0085y';
    log.warn({ peer: { ip: hostile } }, 'test');
    const line = chunks.join('');
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(line.trimEnd(), /[\u0000-\u001f\u007f-\u009f]/);
    const parsed = JSON.parse(line) as { peer: { ip: string } };
    assert.equal(parsed.peer.ip, hostile);
  });

  it('is JSON when not on a terminal, pretty on one, and either when SIPSNARE_LOG_FORMAT says', () => {
    const saved = process.env['SIPSNARE_LOG_FORMAT'];
    try {
      delete process.env['SIPSNARE_LOG_FORMAT'];
      assert.equal(chooseLogFormat(new Writable()), 'json');
      assert.equal(chooseLogFormat(Object.assign(new Writable(), { isTTY: true })), 'pretty');
      process.env['SIPSNARE_LOG_FORMAT'] = 'json';
      assert.equal(chooseLogFormat(Object.assign(new Writable(), { isTTY: true })), 'json');
      process.env['SIPSNARE_LOG_FORMAT'] = 'pretty';
      assert.equal(chooseLogFormat(new Writable()), 'pretty');
    } finally {
      if (saved === undefined) delete process.env['SIPSNARE_LOG_FORMAT'];
      else process.env['SIPSNARE_LOG_FORMAT'] = saved;
    }
  });

  it('pretty: one readable line per message, local time, no raw control character', () => {
    const chunks: string[] = [];
    const dest = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk.toString('utf8'));
        cb();
      },
    });
    const log = createLogger('info', dest, 'pretty');
    log.info(
      { listen: ['udp://127.0.0.1:5060'], peer: { ip: '\u001b[2J\u009b31m' } },
      'sensor started',
    );
    const text = chunks.join('');
    assert.match(text, /^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\] INFO: sensor started /);
    assert.match(text, /udp:\/\/127\.0\.0\.1:5060/);
    assert.equal(text.trimEnd().split('\n').length, 1);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(text.trimEnd(), /[\u0000-\u001f\u007f-\u009f]/);
    assert.match(text, /\\u001b\[2J\\u009b31m/);
  });
});
