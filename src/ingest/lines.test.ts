import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readLines } from './lines.js';
import { fileInfo } from './source.js';

describe('readLines text decoding', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipsnare-lines-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads UTF-8 lines as UTF-8 and a line that is not UTF-8 as Latin-1, no byte lost', async () => {
    const path = join(dir, 'mixed.log');
    writeFileSync(
      path,
      Buffer.concat([
        Buffer.from('plain\nJörg\n', 'utf8'),
        Buffer.from([0x22, 0xff, 0xfe, 0x22, 0x0a]),
        Buffer.from('東京\n', 'utf8'),
      ]),
    );
    const seen: string[] = [];
    await readLines(fileInfo(path), 0, 1, {
      line: (text) => {
        seen.push(text);
        return null;
      },
    });
    assert.deepEqual(seen, ['plain', 'Jörg', '"\u00ff\u00fe"', '東京']);
    assert.deepEqual(Buffer.from(seen[2] ?? '', 'latin1'), Buffer.from([0x22, 0xff, 0xfe, 0x22]));
  });
});
