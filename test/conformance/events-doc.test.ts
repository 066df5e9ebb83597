/**
 * docs/events.md and the event schema (src/events/catalog.ts) must agree:
 * one `## type` section per event type and back, every field documented and
 * no documented field missing from the schema.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EVENT_TYPES, FIELD_NAMES } from '../../src/events/catalog.js';
import { REPO_ROOT } from '../helpers/shared.js';

const doc = readFileSync(join(REPO_ROOT, 'docs', 'events.md'), 'utf8');
const sections = [...doc.matchAll(/^## (\S+)\s*$/gm)]
  .map((m) => m[1] ?? '')
  .filter((s) => s.includes('.'));
/** Field names in the first column of the field tables. */
const tableFields = [...doc.matchAll(/^\| `([a-z_]+)` +\|/gm)].map((m) => m[1] ?? '');

describe('docs/events.md', () => {
  it('has a section for every event type, and no other', () => {
    assert.deepEqual([...sections].sort(), [...EVENT_TYPES].sort());
  });

  it('documents every field of the schema', () => {
    const mentioned = new Set([...doc.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]));
    const missing = FIELD_NAMES.filter((f) => !mentioned.has(f));
    assert.deepEqual(missing, []);
  });

  it('documents no field the schema lacks', () => {
    assert.ok(tableFields.length >= 25, `field tables found: ${tableFields.length}`);
    const unknown = tableFields.filter((f) => !(FIELD_NAMES as string[]).includes(f));
    assert.deepEqual(unknown, []);
  });

  it('lists every parser and transport malformed reason and every rate-limit reason', async () => {
    const { LIMIT_REASONS } = await import('../../src/sensor/limits.js');
    const { PARSE_FAILURES } = await import('../../src/sip/parse.js');
    for (const r of [...LIMIT_REASONS, ...PARSE_FAILURES, 'internal_error'])
      assert.ok(doc.includes(`\`${r}\``), r);
  });
});
