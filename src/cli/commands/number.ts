/**
 * @module
 * `sipsnare number STRING... [--json] [--region CC]`: explains how dialed
 * strings normalise (the article's Figure 2 unification): each prefix
 * reading tried, which are valid numbers, of which type and country, the
 * choice for each string alone and, given several strings, the choice when
 * they are read as one burst from one source. Only reads its arguments.
 */
import { isSupportedCountry } from 'libphonenumber-js/max';
import { parseArgs } from 'node:util';
import { UsageError } from '../../errors.js';
import { cleanDialed, NumberResolver, type DialedResolution } from '../../enrich/index.js';
import { openStoreReadOnly } from '../../store/open-read-only.js';
import { loadStoreEvidence } from '../../store/store-evidence.js';
import type { Command } from '../command.js';

const USAGE = `usage: sipsnare number STRING... [--json] [--region CC] [--db FILE]

Explains how dialed strings (as attackers send them in INVITEs) normalise
to E.164 numbers: every prefix reading tried, which give valid numbers, and
the choice. Several strings are also resolved together as one burst from one
source, the way the importer unifies INVITEs.

  --region CC   ISO region of the PBX (e.g. BR): also read national numbers
  --db FILE     also use store-wide evidence: a string left unresolved (or
                read only as a bare number) takes a number other sources in
                the store dialled in full when it is its national part or
                ends with it
  --json        machine-readable output

example: sipsnare number 0014972523456586 00219725234565 9725234565`;

const MAX_STRINGS = 200;

function summary(r: DialedResolution): string {
  if (r.kind !== 'external') return r.kind;
  return `${r.e164 ?? '?'}  ${r.cc ?? '?'}  ${r.type ?? '?'}  (prefix "${r.prefix ?? ''}", found ${r.method ?? '?'})`;
}

/** Writes and waits until the stream has taken the text (pipes to `head` and files alike). */
function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    stream.write(text, () => {
      resolve();
    });
  });
}

interface NumberArgs {
  readonly strings: string[];
  readonly region: string | undefined;
  readonly db: string | undefined;
  readonly json: boolean;
}

type Explained = ReturnType<NumberResolver['explain']> & { readonly dialed: string };

function parseNumberArgs(argv: readonly string[]): NumberArgs {
  let values: { json?: boolean | undefined; region?: string | undefined; db?: string | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: { json: { type: 'boolean' }, region: { type: 'string' }, db: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (positionals.length === 0) throw new UsageError('give at least one dialed string');
  if (positionals.length > MAX_STRINGS)
    throw new UsageError(`at most ${String(MAX_STRINGS)} strings`);
  const region = values.region?.toUpperCase();
  if (region !== undefined && !/^[A-Z]{2}$/.test(region)) {
    throw new UsageError(`--region wants an ISO 3166 alpha-2 code, not "${values.region ?? ''}"`);
  }
  if (region !== undefined && !isSupportedCountry(region)) {
    throw new UsageError(`--region ${region}: no numbering plan is known for this region`);
  }
  return { strings: positionals, region, db: values.db, json: values.json === true };
}

/** The final readings with the evidence of other sources in the store at `path`. */
async function withStoreEvidence(
  path: string,
  strings: readonly string[],
  final: readonly DialedResolution[],
): Promise<DialedResolution[]> {
  const store = await openStoreReadOnly(path);
  try {
    const evidence = await loadStoreEvidence(store.db);
    return final.map((r, i) => {
      const clean = cleanDialed(strings[i] ?? '');
      const bare = r.method === 'alone' && r.prefix === '';
      if ((r.kind !== 'invalid' && !bare) || clean.junk || clean.plusAt >= 0) return r;
      // Strings typed here have no source: every source in the store counts as another.
      return evidence.match(clean.digits, '', r) ?? r;
    });
  } finally {
    store.close();
  }
}

function renderJson(
  args: NumberArgs,
  explained: readonly Explained[],
  burst: readonly DialedResolution[] | null,
): string {
  const out = {
    region: args.region ?? null,
    strings: explained.map((e, i) => ({
      dialed: e.dialed,
      alone: e.resolution,
      burst: burst?.[i] ?? null,
      tried: e.tried.map((t) => ({
        prefix: t.prefix,
        rule: t.rule,
        read_as: `+${t.rest}`,
        valid: t.result !== null,
        e164: t.result?.e164 ?? null,
        cc: t.result?.cc ?? null,
        type: t.result?.type ?? null,
      })),
    })),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** Each string alone: its steps and every reading tried. */
function aloneLines(e: Explained): string[] {
  const lines = [JSON.stringify(e.dialed)];
  for (const step of e.resolution.steps) lines.push(`  ${step}`);
  if (e.tried.length > 0) lines.push('  readings tried:');
  for (const t of e.tried) {
    const what =
      t.result === null
        ? 'not a valid number'
        : `${t.result.e164}  ${t.result.cc}  ${t.result.type}`;
    lines.push(`    strip "${t.prefix}" (${t.rule}) -> ${t.rest}: ${what}`);
  }
  lines.push(`  alone: ${summary(e.resolution)}`, '');
  return lines;
}

/** The strings read together, with what the burst (and the store) changed. */
function burstLines(
  args: NumberArgs,
  explained: readonly Explained[],
  burst: readonly DialedResolution[],
): string[] {
  const head = `as one burst (${String(burst.length)} strings from one source)`;
  const lines = [
    args.db === undefined
      ? `${head}:`
      : `${head}, with the evidence of other sources in ${args.db}:`,
  ];
  burst.forEach((r, i) => {
    const alone = explained[i]?.resolution;
    const changed = alone !== undefined && alone.e164 !== r.e164;
    lines.push(
      `  ${JSON.stringify(args.strings[i])} -> ${summary(r)}${changed ? '   <- changed by the burst' : ''}`,
    );
    if (changed) for (const step of r.steps.slice(alone.steps.length)) lines.push(`      ${step}`);
  });
  const distinct = new Set(burst.map((r) => r.e164).filter((n) => n !== null));
  lines.push(`  distinct numbers: ${String(distinct.size)}`);
  return lines;
}

export const command: Command = {
  name: 'number',
  summary: 'explain how dialed strings normalise to E.164 numbers',
  usage: USAGE,
  async run(argv, io) {
    const args = parseNumberArgs(argv);
    const resolver = new NumberResolver(args.region === undefined ? {} : { region: args.region });
    const explained = args.strings.map((s) => ({ dialed: s, ...resolver.explain(s) }));
    let burst = args.strings.length > 1 ? resolver.resolveBurst(args.strings) : null;
    if (args.db !== undefined) {
      burst = await withStoreEvidence(
        args.db,
        args.strings,
        burst ?? explained.map((e) => e.resolution),
      );
    }
    if (args.json) {
      await write(io.stdout, renderJson(args, explained, burst));
      return 0;
    }
    const lines = explained.flatMap(aloneLines);
    if (burst !== null) lines.push(...burstLines(args, explained, burst));
    await write(io.stdout, `${lines.join('\n')}\n`);
    return 0;
  },
};
