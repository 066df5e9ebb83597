/**
 * @module
 * Writes docs/config.md from src/config/schema.ts, so the documented keys,
 * defaults and environment variables are the ones the loader accepts.
 * test/conformance/config-doc.test.ts fails when the file is stale.
 *
 * usage: node --import tsx scripts/gen-config-docs.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { CONFIG_KEYS, envName } from '../src/config/schema.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function shownDefault(v: unknown): string {
  if (Array.isArray(v) && v.length > 0 && typeof v[0] === 'object')
    return v.map((x) => JSON.stringify(x)).join(', ');
  return JSON.stringify(v);
}

/** The whole of docs/config.md, formatted as `npm run format` would leave it. */
export async function renderConfigDocs(): Promise<string> {
  const lines = [
    '# Configuration',
    '',
    '<!-- Generated from src/config/schema.ts by scripts/gen-config-docs.ts: edit the schema, not this file. -->',
    '',
    'The sensor reads one YAML file (`--config FILE`); every key is optional and',
    'has the default below, so `sipsnare run` works without a file (loopback',
    'listeners, files under `var/`). Values are layered: defaults < file <',
    'environment < command-line flags (`--listen`, `--events`, `--sensor-id`).',
    'The configuration is validated once at start: an unknown key or a bad value',
    'stops the program with a message naming both, e.g.',
    '`config: limits.tcp_max_connections: expected a positive integer, got "abc"`.',
    'Relative paths are relative to the working directory.',
    '',
    'Environment variables are `SIPSNARE_` + the key in capitals with dots as',
    'underscores. Their text is read as YAML (`SIPSNARE_PERSONA_ALWAYS_AUTH_REJECT=true`,',
    '`SIPSNARE_EXTENSIONS=\'[{number: "100", password: "1234"}]\'`); `listen` also takes a',
    'comma-separated list, and plain-text keys (marked *text*) are taken as written.',
    '`SIPSNARE_LOG_LEVEL` (info, debug, warn, ...) sets the diagnostic log level;',
    '`SIPSNARE_LOG_FORMAT` (`pretty` or `json`) its form: readable lines when stderr is a',
    'terminal, JSON lines when not (a pipe, a file, journald), unless this says otherwise.',
    '',
    'See `config/sipsnare.example.yaml` for an Internet-facing deployment.',
    '',
    '| key | type | default | environment | meaning |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const k of CONFIG_KEYS) {
    const env = `\`${envName(k.key)}\`${k.env === 'text' ? ' (text)' : ''}`;
    lines.push(
      `| \`${k.key}\` | ${cell(k.type)} | \`${cell(shownDefault(k.default))}\` | ${env} | ${cell(k.doc)} |`,
    );
  }
  const file = join(fileURLToPath(new URL('..', import.meta.url)), 'docs', 'config.md');
  const options = (await resolveConfig(file)) ?? {};
  return format(lines.join('\n') + '\n', { ...options, parser: 'markdown' });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = join(fileURLToPath(new URL('..', import.meta.url)), 'docs', 'config.md');
  writeFileSync(out, await renderConfigDocs());
  process.stdout.write(`wrote ${out}\n`);
}
