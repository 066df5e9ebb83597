/**
 * @module enrich/user-agent
 * User-Agent header -> label, family and category (docs/enrichment.md,
 * "User-Agent -> label, family, category"): `undefined` when absent or
 * empty, `random` for the article's 20-character random strings, else the
 * UA as sent; family and category
 * from the rules in data/user-agents.tsv, after an optional user file.
 * Classification never throws on attacker input; only loading a rules
 * file can fail (SnareError SNARE_ERR_CONFIG / SNARE_ERR_IO).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SnareError } from '../errors.js';
import { isRandomUserAgent } from './random-ua.js';

export const UA_CATEGORIES = [
  'undefined',
  'random',
  'scanner',
  'sdk',
  'softphone',
  'pbx',
  'hardphone',
  'custom',
] as const;
export type UaCategory = (typeof UA_CATEGORIES)[number];

/** What the store keeps beside each event (ua_label, ua_family, ua_category). */
export interface UaClass {
  readonly label: string;
  readonly family: string;
  readonly category: UaCategory;
}

export const UA_MATCH_KINDS = ['exact', 'prefix', 'substring', 'regex'] as const;
export type UaMatchKind = (typeof UA_MATCH_KINDS)[number];

/** One row of a rules file. Matching is case-insensitive for every kind. */
export interface UaRule {
  readonly match: UaMatchKind;
  readonly pattern: string;
  readonly family: string;
  readonly category: UaCategory;
  readonly note: string;
}

/** Compiled rules, checked in order; the first match wins. */
export interface UserAgentRules {
  readonly rules: readonly UaRule[];
  classify(ua: string | null | undefined): UaClass;
}

/** Only this much of a User-Agent is matched against rules (the label keeps it whole). */
export const MAX_UA_MATCH_CHARS = 256;

/** Where the bundled rules live: `data/` at the package root, from src/ or dist/ alike. */
export const DEFAULT_RULES_PATH = fileURLToPath(
  new URL('../../data/user-agents.tsv', import.meta.url),
);

function isCategory(s: string): s is UaCategory {
  return (UA_CATEGORIES as readonly string[]).includes(s);
}
function isMatchKind(s: string): s is UaMatchKind {
  return (UA_MATCH_KINDS as readonly string[]).includes(s);
}

/**
 * Parses rules text (TSV: match, pattern, family, category, note; `#`
 * comments; an optional header row starting with `match`). A bad row is a
 * configuration error naming the file and line: rules are operator data.
 */
export function parseUserAgentRules(text: string, source: string): UaRule[] {
  const out: UaRule[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#') || line.startsWith('match\t')) return;
    const [match = '', pattern = '', family = '', category = '', note = ''] = line.split('\t');
    const where = `${source}:${String(i + 1)}`;
    if (!isMatchKind(match)) {
      throw new SnareError('SNARE_ERR_CONFIG', `${where}: unknown match kind "${match}"`);
    }
    if (pattern === '' || family === '') {
      throw new SnareError('SNARE_ERR_CONFIG', `${where}: pattern and family are required`);
    }
    if (!isCategory(category)) {
      throw new SnareError('SNARE_ERR_CONFIG', `${where}: unknown category "${category}"`);
    }
    if (match === 'regex') {
      try {
        new RegExp(pattern, 'i');
      } catch (err) {
        throw new SnareError('SNARE_ERR_CONFIG', `${where}: bad regex`, { cause: err });
      }
    }
    out.push({ match, pattern, family, category, note });
  });
  return out;
}

function readRules(path: string): UaRule[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SnareError('SNARE_ERR_IO', `cannot read user-agent rules ${path}`, { cause: err });
  }
  return parseUserAgentRules(text, path);
}

/** Family of an agent no rule knows: its leading name, without version or comments. */
export function familyOf(ua: string): string {
  const name = /^[^/(;\s]+(?:\s+[A-Za-z][^/(;\s]*)?/.exec(ua.trim())?.[0] ?? '';
  const family = name.replace(/[-_ ]?v?\d[\w.-]*$/i, '');
  return family === '' ? ua.trim().slice(0, 32) : family.slice(0, 64);
}

type Matcher = (lowerUa: string) => boolean;

function compile(rule: UaRule): Matcher {
  const p = rule.pattern.toLowerCase();
  switch (rule.match) {
    case 'exact':
      return (u) => u === p;
    case 'prefix':
      return (u) => u.startsWith(p);
    case 'substring':
      return (u) => u.includes(p);
    case 'regex': {
      const re = new RegExp(rule.pattern, 'i');
      return (u) => re.test(u);
    }
  }
}

/** Builds a classifier from rules already parsed (tests, embedders). */
export function makeUserAgentRules(rules: readonly UaRule[]): UserAgentRules {
  const compiled = rules.map((r) => ({ rule: r, test: compile(r) }));
  return {
    rules,
    classify(ua) {
      if (typeof ua !== 'string' || ua.trim() === '') {
        return { label: 'undefined', family: 'undefined', category: 'undefined' };
      }
      if (isRandomUserAgent(ua)) return { label: 'random', family: 'random', category: 'random' };
      const lower = ua.slice(0, MAX_UA_MATCH_CHARS).trim().toLowerCase();
      for (const { rule, test } of compiled) {
        if (test(lower)) return { label: ua, family: rule.family, category: rule.category };
      }
      return { label: ua, family: familyOf(ua.slice(0, MAX_UA_MATCH_CHARS)), category: 'custom' };
    },
  };
}

/**
 * Loads the bundled rules, with the user's file (same columns) checked
 * first so users can override or extend families and categories.
 */
export function loadUserAgentRules(userPath?: string): UserAgentRules {
  const user = userPath === undefined ? [] : readRules(userPath);
  return makeUserAgentRules([...user, ...readRules(DEFAULT_RULES_PATH)]);
}

let bundled: UserAgentRules | null = null;

/**
 * Classifies with the bundled rules (loaded once), or with the rules given.
 * Pass your own `loadUserAgentRules(path)` result to use a user file. Never
 * throws: if the bundled file is unreadable, every named agent is 'custom'.
 */
export function classifyUserAgent(ua: string | null, rules?: UserAgentRules): UaClass {
  if (rules !== undefined) return rules.classify(ua);
  if (bundled === null) {
    try {
      bundled = loadUserAgentRules();
    } catch {
      // A broken install must not stop imports: labels stay right, families become 'custom'.
      // loadUserAgentRules() reports the error to callers that check at start-up.
      bundled = makeUserAgentRules([]);
    }
  }
  return bundled.classify(ua);
}
