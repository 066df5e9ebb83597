import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headers } from '@nats-io/transport-node';
import { outcomeOf } from './publisher.js';

const reply = (text: string, h?: ReturnType<typeof headers>) => ({
  data: new TextEncoder().encode(text),
  ...(h === undefined ? {} : { headers: h }),
});

describe('outcomeOf: what the stream answered to a publish', () => {
  it('reads an acknowledgement, and a duplicate', () => {
    assert.deepEqual(outcomeOf(reply('{"stream":"SIPSNARE","seq":7}')), {
      ok: true,
      duplicate: false,
      error: null,
    });
    assert.deepEqual(outcomeOf(reply('{"stream":"SIPSNARE","seq":7,"duplicate":true}')), {
      ok: true,
      duplicate: true,
      error: null,
    });
  });

  it('reads the usual acknowledgements without parsing, and the rest as JSON alike', () => {
    const cases: [string, boolean | null][] = [
      ['{"stream":"S","seq":1}', false],
      ['{"stream":"S","domain":"hub","seq":18446744073709551615,"duplicate":true}', true],
      ['{"stream":"S", "seq":1}', false],
      ['{"stream":"S","seq":1,"duplicate":false}', false],
      ['{"duplicate":true,"stream":"S","seq":1}', true],
      ['{"stream":"S","seq":"1"}', null],
      ['{"stream":"S\\"","seq":1}', false],
      ['{"stream":"S","seq":1}x', null],
    ];
    for (const [text, duplicate] of cases) {
      const o = outcomeOf(reply(text));
      assert.equal(o.ok, duplicate !== null, text);
      if (duplicate !== null) assert.equal(o.duplicate, duplicate, text);
    }
  });

  it('fails on an error of the stream, a status, or anything else', () => {
    const e = outcomeOf(
      reply('{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"}}'),
    );
    assert.deepEqual(e, { ok: false, duplicate: false, error: 'maximum messages exceeded' });
    const none = outcomeOf(reply('', headers(503, 'No Responders')));
    assert.equal(none.ok, false);
    assert.match(none.error ?? '', /503/);
    for (const text of ['', 'not json', '[]', '{"seq":1}', '{"stream":"S"}', 'null'])
      assert.equal(outcomeOf(reply(text)).ok, false, text);
  });
});
