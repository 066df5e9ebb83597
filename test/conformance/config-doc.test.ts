/**
 * docs/config.md is generated from src/config/schema.ts; this fails when
 * someone changed one without the other (run scripts/gen-config-docs.ts).
 * Also loads config/sipsnare.example.yaml, so the example stays valid.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderConfigDocs } from '../../scripts/gen-config-docs.js';
import { loadConfig } from '../../src/config/load.js';
import { CONFIG_KEYS } from '../../src/config/schema.js';
import { REPO_ROOT } from '../helpers/shared.js';

describe('docs/config.md', () => {
  it('is what scripts/gen-config-docs.ts generates from the schema', async () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'config.md'), 'utf8');
    assert.equal(doc, await renderConfigDocs());
  });

  it('has a row for every key', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'config.md'), 'utf8');
    for (const k of CONFIG_KEYS) assert.ok(doc.includes(`| \`${k.key}\` `), k.key);
  });
});

describe('config/sipsnare.example.yaml', () => {
  it('loads, faces the Internet and has weak extensions and dial rules', () => {
    const c = loadConfig({ file: join(REPO_ROOT, 'config', 'sipsnare.example.yaml') });
    assert.ok(c.listen.some((u) => u.includes('0.0.0.0')));
    assert.ok(c.extensions.length >= 3);
    assert.ok(c.extensions.some((e) => e.password !== null && e.password.length <= 6));
    assert.ok(c.dial.rules.length >= 1);
    assert.equal(c.http.listen.startsWith('127.0.0.1:'), true);
  });
});
