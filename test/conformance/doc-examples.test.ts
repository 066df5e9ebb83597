/**
 * Example outputs the docs show, produced again by the program: the worked
 * dial-string examples and masked numbers of docs/enrichment.md, the
 * simulator's legacy line of docs/simulate.md (written back byte for byte
 * from what the importer reads of it), and the sample counts the
 * User-Agent rule was measured on.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  BRAZIL_CARRIERS,
  INTERNATIONAL_RULES,
  OUTSIDE_LINE_RULES,
} from '../../src/enrich/dial-prefixes.js';
import { resolveBurst, resolveDialed } from '../../src/enrich/index.js';
import { REAL_AGENTS } from '../../src/enrich/user-agent-samples.js';
import { eventOf } from '../../src/events/catalog.js';
import { parseLegacyLine } from '../../src/ingest/legacy.js';
import { legacyLine } from '../../src/simulate/writers.js';
import { REPO_ROOT } from '../helpers/shared.js';

const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');

describe("docs/enrichment.md's worked examples", () => {
  const doc = read('docs/enrichment.md');
  const table = doc.slice(doc.indexOf('Worked examples'), doc.indexOf('### Masked numbers'));
  const rows = table
    .split('\n')
    .filter((l) => /^\| `\d/.test(l))
    .map((l) => l.split('|').map((c) => c.trim()));

  it('show the number, country and type the resolver gives', () => {
    assert.ok(rows.length >= 8, `rows found: ${rows.length}`);
    for (const row of rows) {
      const dialed = /`([^`]+)`/.exec(row[1] ?? '')?.[1] ?? '';
      const result = row[3] ?? '';
      const burst = /in a burst with `(\d+)` and `(\d+)`: (\+\d+) ([A-Z]{2})/.exec(result);
      const alone =
        /^(?:alone )?(\+\d+)(?:,? (?:cc `)?([A-Z]{2}|\d{3})`?)?(?:,? ([A-Z_]{4,}))?/.exec(result);
      assert.ok(alone, `result of ${dialed}: ${result}`);
      const got = resolveDialed(dialed);
      assert.equal(got.e164, alone[1], dialed);
      if (alone[2] !== undefined) assert.equal(got.cc, alone[2], `${dialed} country`);
      if (alone[3] !== undefined) assert.equal(got.type, alone[3], `${dialed} type`);
      if (burst) {
        const [first] = resolveBurst([dialed, burst[1] ?? '', burst[2] ?? '']);
        assert.equal(first?.e164, burst[3], `${dialed} in its burst`);
        assert.equal(first?.cc, burst[4], `${dialed} in its burst: country`);
      }
    }
  });

  it("give the prefix tables' penalties and weights", () => {
    const head = doc.indexOf('| outside line');
    const lines = doc
      .slice(head, doc.indexOf('\n\n', head))
      .split('\n')
      .slice(2)
      .map((l) => l.split('|').map((c) => c.trim()));
    const codes = (cell: string): string[] => {
      const all = [...cell.matchAll(/`([0-9+]+)`/g)].map((m) => m[1] ?? '');
      // "`00` + carrier": the codes after the `00` are the carriers'.
      if (/^`00` \+/.test(cell)) all.shift();
      return all.length === 0 && cell.startsWith('(none)') ? [''] : all;
    };
    let checked = 0;
    for (const [, outside = '', penalty = '', , idd = '', weight = ''] of lines) {
      for (const c of outside === '' ? [] : codes(outside)) {
        const rule = OUTSIDE_LINE_RULES.find((r) => r.digits === c);
        assert.equal(rule?.penalty, Number(penalty), `outside line "${c}"`);
        checked++;
      }
      for (const c of idd === '' ? [] : codes(idd)) {
        const carrier = c.length === 4 && c.startsWith('00') ? c.slice(2) : null;
        const rule =
          INTERNATIONAL_RULES.find((r) => r.digits === c) ??
          INTERNATIONAL_RULES.find(
            (r) =>
              r.digits === '00NN' &&
              carrier !== null &&
              (r.id === '00-br-carrier') === BRAZIL_CARRIERS.has(carrier),
          );
        assert.equal(rule?.weight, Number(weight), `international prefix "${c}"`);
        checked++;
      }
    }
    assert.ok(checked >= 20, `prefixes checked: ${checked}`);
  });

  it('show the masked numbers as the resolver reads them', () => {
    const masked = [...doc.matchAll(/`(\d+X+)` -> `(\+\d+X+)`, ([A-Z]{2})(?:, ([A-Z_]+))?/g)];
    assert.equal(masked.length, 3);
    for (const [, dialed = '', e164, cc, type] of masked) {
      const got = resolveDialed(dialed);
      assert.equal(got.e164, e164, dialed);
      assert.equal(got.cc, cc, dialed);
      if (type !== undefined) assert.equal(got.type, type, dialed);
    }
    // Somalia's number: no substitute is valid, so the type is UNKNOWN.
    assert.equal(resolveDialed('00112524021XXXX').type, 'UNKNOWN');
  });

  it('counts the real agents the random rule was measured against', () => {
    const m = /false positives: 0 of the (\d+) real agents/.exec(doc.replace(/\s+/g, ' '));
    assert.equal(Number(m?.[1]), REAL_AGENTS.length);
  });
});

describe("docs/simulate.md's legacy line", () => {
  it('is the line the simulator writes for the request it records', () => {
    const doc = read('docs/simulate.md');
    const line = /^ {2}(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000: sip-honeyd\.pl.*)$/m.exec(
      doc,
    )?.[1];
    assert.ok(line, 'the example line');
    const rec = parseLegacyLine(line);
    assert.ok(
      typeof rec !== 'string',
      `the importer reads it: ${typeof rec === 'string' ? rec : ''}`,
    );
    const pid = Number(/\[(\d+)\]/.exec(line)?.[1]);
    const ev = eventOf(
      {
        event: 'sip.request',
        event_id: '0190a000-0000-7000-8000-000000000001',
        ts: new Date(rec.tsMs).toISOString(),
        sensor: 'hp01',
        transport: null,
        src_ip: rec.ip,
        src_port: null,
        dst_ip: '192.0.2.1',
        dst_port: 5060,
      },
      {
        method: rec.method,
        from_user: rec.from,
        to_user: rec.to,
        dialed: rec.to,
        response: rec.resp,
        user_agent: rec.ua,
      },
    );
    assert.equal(legacyLine(ev, pid), line + '\n');
  });
});
