/**
 * The defaults and limits README.md and docs/ state, checked against the
 * constants of the code that applies them: each phrase is built from the
 * constant, so changing one without the other fails here. (docs/config.md
 * is generated from the configuration schema and checked by
 * config-doc.test.ts; the event fields by events-doc.test.ts; example
 * outputs by doc-examples.test.ts and report-honeynet.test.ts.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PHASE_DEFAULTS } from '../../src/analysis/phase-rules.js';
import { ROGUE_DEFAULTS } from '../../src/analysis/rogue.js';
import { DEFAULT_INGEST_MEMORY } from '../../src/cli/commands/ingest.js';
import { DEFAULT_TOP } from '../../src/cli/commands/report.js';
import { SIMULATE_DEFAULTS } from '../../src/cli/commands/simulate.js';
import {
  CALLS_EVERY_MS as COLLECT_CALLS_EVERY_MS,
  MAX_ACK_PENDING,
  RETRY_MS as COLLECT_RETRY_MS,
} from '../../src/collect/collector.js';
import { COLLECT_MEMORY_LIMIT } from '../../src/collect/central-store.js';
import { MIN_ACK_PENDING, PACKED_PENDING_BYTES } from '../../src/collect/consumer.js';
import { heldBound } from '../../src/collect/held.js';
import {
  MAX_MESSAGE_BYTES,
  MAX_MESSAGE_EVENTS,
  PAYLOAD_HEADROOM_BYTES,
} from '../../src/nats/message.js';
import { defaultConfig } from '../../src/config/defaults.js';
import {
  MAX_FIELD_CHARS as MAX_EVENT_FIELD_CHARS,
  SENSOR_ID_RULE,
} from '../../src/events/catalog.js';
import {
  MAX_PENDING_BYTES as JSONL_MAX_PENDING,
  DEFAULT_FLUSH_INTERVAL_MS,
} from '../../src/events/jsonl.js';
import { MAX_PENDING_BYTES as LEGACY_MAX_PENDING } from '../../src/events/legacy-log.js';
import {
  MAX_DIALED_DIGITS,
  MAX_EXTENSION_DIGITS,
  MAX_TAIL_JUNK_DIGITS,
} from '../../src/enrich/dial-prefixes.js';
import { MAX_DIALED_TEXT } from '../../src/enrich/dialed-text.js';
import { MASK_SUBSTITUTES, VALIDATED_READINGS_CACHE } from '../../src/enrich/number-candidates.js';
import { RESOLVED_STRINGS_CACHE } from '../../src/enrich/phone-number.js';
import { RANDOM_UA_LENGTH } from '../../src/enrich/random-ua.js';
import { MAX_UA_MATCH_CHARS } from '../../src/enrich/user-agent.js';
import { MAX_FLOW_BYTES, MAX_FLOWS, MAX_UNANSWERED } from '../../src/ingest/capture.js';
import { SAMPLE_BYTES } from '../../src/ingest/detect.js';
import {
  MAX_FRAGMENTS,
  MAX_PENDING as MAX_PENDING_DATAGRAMS,
  TIMEOUT_MS as FRAGMENT_TIMEOUT_MS,
} from '../../src/ingest/ip-fragments.js';
import { MAX_LISTED_REJECTS } from '../../src/ingest/lines.js';
import { FLUSH_ROWS } from '../../src/ingest/pipeline.js';
import { PLAIN_PROGRESS_MS } from '../../src/ingest/progress.js';
import { HEAD_BYTES } from '../../src/ingest/source.js';
import { LOG_THROTTLE_MS } from '../../src/log.js';
import { DUPLICATE_WINDOW_NS } from '../../src/nats/connect.js';
import { RING_CAPACITY } from '../../src/report/graph-svg.js';
import { HEATMAP_COLUMNS, HEATMAP_ROWS } from '../../src/report/html.js';
import { STORY_ITEMS } from '../../src/report/story-tables.js';
import { LINE_WIDTH, MAX_TEXT_WIDTH } from '../../src/report/text.js';
import { AMPLIFICATION_FACTOR, MAX_PENDING_REPORTS } from '../../src/sensor/limits.js';
import { NONCE_LIFETIME_S } from '../../src/sensor/persona/pjsip/pbx.js';
import {
  PJSIP_DEFAULT_EXPIRY_S,
  PJSIP_MAX_EXPIRY_S,
  PJSIP_MIN_EXPIRY_S,
} from '../../src/sensor/persona/pjsip/registrar.js';
import { MAX_EXPIRY_S, MIN_EXPIRY_S } from '../../src/sensor/persona/register.js';
import { MAX_PENDING_WRITE_BYTES } from '../../src/sensor/transport/tcp.js';
import { UDP_MAX_INFLIGHT, UDP_MAX_INFLIGHT_BYTES } from '../../src/sensor/transport/udp.js';
import {
  CALLER_TABLE_BOUND_BYTES,
  FINDINGS_NUMBER_CACHE,
  MAX_SOURCES as FEED_MAX_CALLERS,
} from '../../src/server/findings.js';
import { LIVE_INTERVAL_MS, LIVE_MAX_EVENTS, RECENT_FINDINGS } from '../../src/server/live.js';
import { KEEPALIVE_MS, MAX_CLIENTS } from '../../src/server/sse.js';
import { MAX_PATH_PARAM_CHARS } from '../../src/server/app.js';
import { DEFAULT_HTTP } from '../../src/server/start.js';
import { PROGRESS_EVERY_LINES } from '../../src/simulate/output.js';
import { SHAPED_BURST_SHARE } from '../../src/simulate/numbers.js';
import { MAX_PARAMS as DIGEST_MAX_PARAMS } from '../../src/sip/digest.js';
import { EXCERPT_BYTES } from '../../src/sip/excerpt.js';
import { CANONICAL_CACHE_MAX } from '../../src/sip/headers.js';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_HEADERS } from '../../src/sip/parse.js';
import { MAX_WORDLIST_WORDS } from '../../src/sip-fields/credentials.js';
import { MAX_FIELD_CHARS } from '../../src/sip-fields/fields.js';
import { DEFAULT_GAP_MINUTES } from '../../src/store/calls.js';
import { MAX_BURST } from '../../src/store/enrich-staged.js';
import { REPORT_MEMORY_LIMIT } from '../../src/store/open-read-only.js';
import {
  CALLS_COST_FACTOR,
  CALLS_EVERY_MS,
  CALLS_LAG_MS,
  SINK_BATCH_EVENTS,
  SINK_BATCH_MS,
  SINK_MAX_QUEUED,
  SINK_MAX_QUEUED_BYTES,
  SINK_MEMORY_LIMIT,
  SINK_READ_MEMORY_LIMIT,
  SINK_ALLOCATOR_BULK_FLUSH,
  SINK_THREADS,
  SINK_NUMBER_CACHE,
} from '../../src/store/sink.js';
import { STORAGE_VERSION } from '../../src/store/store.js';
import { REPO_ROOT } from '../helpers/shared.js';
import { DEFERRED_MAX_BYTES } from '../../src/sensor/deferred.js';
import { DIALOG_MAX_BYTES } from '../../src/sensor/persona/dialogs.js';
import { MAX_WAITING_REPLIES, MAX_WAITING_REPLY_BYTES } from '../../src/sensor/reply-gate.js';
import { RETRANSMIT_MAX_BYTES } from '../../src/sensor/retransmit.js';

/** A document with every run of white space (line breaks too) as one space. */
function doc(path: string): string {
  return readFileSync(join(REPO_ROOT, path), 'utf8').replace(/\s+/g, ' ');
}
/** Asserts that `path` says each phrase (white space normalised). */
function says(path: string, ...phrases: string[]): void {
  const text = doc(path);
  for (const p of phrases) assert.ok(text.includes(p), `${path} should say: ${p}`);
}
/** 1, 10 and a million as the prose writes them, other numbers with their commas. */
const WORDS = new Map([
  [1, 'one'],
  [10, 'ten'],
  [1_000_000, 'million'],
]);
const word = (x: number): string => WORDS.get(x) ?? x.toLocaleString('en-US');
/** 50000 -> "50,000". */
const n = (x: number): string => x.toLocaleString('en-US');
const MiB = (bytes: number): string => `${bytes / 1024 / 1024} MiB`;
const KiB = (bytes: number): string => `${bytes / 1024} KiB`;
const s = (ms: number): string => `${ms / 1000} s`;
/** DuckDB's memory setting as the docs write it: "256MB" -> "256 MB". */
const mem = (setting: string): string => setting.replace(/^(\d+)([A-Z]+)$/, '$1 $2');
const cfg = defaultConfig();

describe('README.md', () => {
  it('gives the defaults of the configuration and the required Node', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    const node = pkg.engines.node.replace('>=', '');
    says('README.md', `Needs Node ${node} or later`);
    const udp = cfg.listen.find((u) => u.startsWith('udp://'))?.slice('udp://'.length);
    assert.deepEqual(
      cfg.listen.map((u) => u.replace(/^[a-z]+:\/\//, '')),
      [udp, udp],
    );
    says(
      'README.md',
      `${udp ?? ''} UDP+TCP`,
      `${cfg.events.jsonl ?? ''}/*.jsonl`,
      `the store ${cfg.store.db ?? ''}`,
      `http://${cfg.http.listen}/`,
      `\`${cfg.store.db ?? ''}\` by default`,
    );
  });
});

describe('docs/report.md', () => {
  it('gives the option defaults the program applies', () => {
    says(
      'docs/report.md',
      `\`--top N\` (default ${DEFAULT_TOP})`,
      `\`k >= --rogue-min-countries\` (default ${ROGUE_DEFAULTS.minCountries})`,
      `\`z >= --rogue-min-z\` (default ${ROGUE_DEFAULTS.minZ}`,
    );
    const table = new Map(
      [...doc('docs/report.md').matchAll(/\| `(--[a-z-]+)` +\| (\d+) +\|/g)].map((m) => [
        m[1],
        Number(m[2]),
      ]),
    );
    assert.deepEqual(Object.fromEntries(table), {
      '--scan-min': PHASE_DEFAULTS.scan_min_requests,
      '--enum-min': PHASE_DEFAULTS.enum_min_targets,
      '--brute-min': PHASE_DEFAULTS.brute_min_attempts,
      '--brute-min-registers': PHASE_DEFAULTS.brute_min_registers,
      '--abuse-min': PHASE_DEFAULTS.abuse_min_invites,
    });
  });

  it('gives the sizes of the tables, graphs and stories', () => {
    says(
      'docs/report.md',
      `the top ${HEATMAP_ROWS} source x top ${HEATMAP_COLUMNS} destination countries`,
      `${RING_CAPACITY[0]} on the first ring, then ${RING_CAPACITY.slice(1).join(', ')}`,
      'the first `min(--top, 5)` of',
      `lists cut after ${STORY_ITEMS} items`,
      `every line within ${LINE_WIDTH} terminal columns`,
      `text columns are cut to ${MAX_TEXT_WIDTH} characters`,
      `the ${RANDOM_UA_LENGTH}-character strings of the article's Table 2`,
      `DuckDB's memory is bounded to ${REPORT_MEMORY_LIMIT} while reporting`,
    );
  });
});

describe('docs/store.md', () => {
  it('gives the live sink its batches, memory, queue and calls lag', () => {
    assert.equal(SINK_BATCH_MS, 1000);
    says(
      'docs/store.md',
      `(${n(SINK_BATCH_EVENTS)} events or one second, whichever comes first)`,
      `DuckDB bounded to ${mem(SINK_MEMORY_LIMIT)} on ${word(SINK_THREADS)} thread`,
      `a ${mem(SINK_READ_MEMORY_LIMIT)} bound, both given back`,
      `on any release of ${mem(SINK_ALLOCATOR_BULK_FLUSH)} or more`,
      `a queue of at most ${n(SINK_MAX_QUEUED)} (`,
      `or ${MiB(SINK_MAX_QUEUED_BYTES)} of their text`,
      `within about ${CALLS_LAG_MS / 1000} seconds (\`CALLS_LAG_MS\`)`,
      `a rebuild of \`calls\` ${CALLS_EVERY_MS / 1000} seconds after the previous one`,
      `the next waits ${word(CALLS_COST_FACTOR)} times as long as the last took`,
      `DuckDB's storage format ${STORAGE_VERSION.slice(1)}`,
      `${DEFAULT_GAP_MINUTES} minutes unless \`ingest --gap\``,
      `at most ${KiB(HEAD_BYTES)})`,
    );
  });
});

describe('docs/ingest.md', () => {
  it('gives the import its bounds and defaults', () => {
    says(
      'docs/ingest.md',
      `first ${KiB(SAMPLE_BYTES)}`,
      `a plain line every ${s(PLAIN_PROGRESS_MS)} otherwise`,
      `the first ${MAX_LISTED_REJECTS} \`{line, reason}\``,
      SENSOR_ID_RULE.replace(' of ', ' of `') + '`',
      `\`--memory-limit\` (default \`${DEFAULT_INGEST_MEMORY}\`)`,
      `uses ${mem(SINK_MEMORY_LIMIT)}`,
      `at most ${n(MAX_FLOWS)} flows of ${MiB(MAX_FLOW_BYTES)}`,
      `At most ${n(MAX_UNANSWERED)} requests wait for their answer`,
      `at most ${n(MAX_PENDING_DATAGRAMS)} datagrams wait at once`,
      `each at most 64 KiB in ${MAX_FRAGMENTS} fragments, for at most ${s(FRAGMENT_TIMEOUT_MS)} of capture time`,
      `up to ${KiB(HEAD_BYTES)}`,
      `Per batch (up to a ${word(FLUSH_ROWS)} rows)`,
      `at most ${n(MAX_BURST)})`,
    );
  });
});

describe('docs/sip.md', () => {
  it('gives the parser limits, and the sensor limits from the configuration', () => {
    says(
      'docs/sip.md',
      `| \`maxBytes\` | ${DEFAULT_MAX_BYTES} | \`limits.max_message_bytes\`: ${cfg.limits.max_message_bytes} |`,
      `| \`maxHeaders\` | ${DEFAULT_MAX_HEADERS} | \`limits.max_headers\`: ${cfg.limits.max_headers} |`,
      `| \`SipFramer\` \`maxMessageBytes\` | 65535 | \`limits.max_message_bytes\`: ${cfg.limits.max_message_bytes} |`,
      `| digest parameters read | ${DIGEST_MAX_PARAMS} |`,
      `The cache is bounded at ${n(CANONICAL_CACHE_MAX)} names`,
    );
  });
});

describe('docs/api.md', () => {
  it('gives the server, live feed and findings their bounds', () => {
    says(
      'docs/api.md',
      `on \`${DEFAULT_HTTP}\` unless \`http.listen\``,
      `At most ${MAX_CLIENTS} streams are open at once`,
      `the latest findings (up to ${RECENT_FINDINGS})`,
      `every ${LIVE_INTERVAL_MS} ms while events arrive`,
      `(at most ${LIVE_MAX_EVENTS}; \`skipped\` counts the rest)`,
      `A comment line every ${s(KEEPALIVE_MS)}`,
      `calls to at least ${ROGUE_DEFAULTS.minCountries} destination countries and a robust z-score of at least ${ROGUE_DEFAULTS.minZ}`,
      `(the latest ${n(FEED_MAX_CALLERS)}, whatever`,
      `the table holds at most some ${CALLER_TABLE_BOUND_BYTES / 1024 / 1024} MB`,
      `a path parameter over ${MAX_PATH_PARAM_CHARS} characters is 414`,
    );
  });
});

describe('docs/architecture.md and docs/security.md', () => {
  it('give the bounds of the sensor', () => {
    const both = ['docs/architecture.md', 'docs/security.md'];
    for (const d of both)
      says(d, `${n(UDP_MAX_INFLIGHT)} and ${MiB(UDP_MAX_INFLIGHT_BYTES)}`, MiB(JSONL_MAX_PENDING));
    says(
      'docs/architecture.md',
      `${MiB(RETRANSMIT_MAX_BYTES)} of retransmitted responses, ${MiB(DIALOG_MAX_BYTES)} of answers kept by the dialogs and ${MiB(DEFERRED_MAX_BYTES)} of busy answers waiting for a ring timeout`,
      `replies waiting for their line (${n(MAX_WAITING_REPLIES)} and ${MiB(MAX_WAITING_REPLY_BYTES)};`,
      `as its first ${EXCERPT_BYTES} bytes only`,
      `the last ~${DEFAULT_FLUSH_INTERVAL_MS} ms`,
      `at most once per ${s(LOG_THROTTLE_MS)}`,
      `(${MiB(JSONL_MAX_PENDING)} of JSON lines, ${MiB(LEGACY_MAX_PENDING)} of legacy log)`,
    );
    says(
      'docs/security.md',
      `\`limits.max_message_bytes\` (${KiB(cfg.limits.max_message_bytes)}`,
      `at most ${KiB(MAX_PENDING_WRITE_BYTES)} waiting`,
      `held within ${MiB(RETRANSMIT_MAX_BYTES)}, the answers the dialogs keep for retransmitted requests within ${MiB(DIALOG_MAX_BYTES)} and the busy answers of ringing INVITEs waiting for \`dial.ring_seconds\` within ${MiB(DEFERRED_MAX_BYTES)}`,
      `waiting for their event line at most ${n(MAX_WAITING_REPLIES)} and ${MiB(MAX_WAITING_REPLY_BYTES)}`,
      `(${n(MAX_PENDING_REPORTS)} sources`,
      `at most ${n(MAX_WORDLIST_WORDS)} words per digest`,
      `event fields are cut to ${n(MAX_FIELD_CHARS)} characters`,
      `hold at most ${MiB(JSONL_MAX_PENDING)} of JSON lines and ${MiB(LEGACY_MAX_PENDING)} of legacy log`,
      `the store sink at most ${n(SINK_MAX_QUEUED)} events (${MiB(SINK_MAX_QUEUED_BYTES)} of their text)`,
      `in the last ~${DEFAULT_FLUSH_INTERVAL_MS} ms`,
      `the findings and the store sink keep (${n(FINDINGS_NUMBER_CACHE)} each)`,
      `longer than the ${MAX_DIALED_TEXT} characters read is analysed but not kept`,
    );
    assert.equal(FINDINGS_NUMBER_CACHE, SINK_NUMBER_CACHE, 'docs/security.md gives one figure');
    says(
      'docs/events.md',
      `(at most ${EXCERPT_BYTES})`,
      `at most about ${DEFAULT_FLUSH_INTERVAL_MS} ms after the message arrived`,
      `more than ${AMPLIFICATION_FACTOR} times the request`,
      `more than ${MAX_PENDING_REPORTS} sources are pending at once`,
      `more than ${MiB(JSONL_MAX_PENDING)} waited`,
    );
  });
});

describe('docs/deploy.md', () => {
  it('gives the collector its bounds and intervals', () => {
    says(
      'docs/deploy.md',
      `${n(MAX_EVENT_FIELD_CHARS)} characters`,
      `the same batch every ${s(COLLECT_RETRY_MS)} until it works`,
      `(at most every ${s(COLLECT_CALLS_EVERY_MS)}`,
      `to ${mem(COLLECT_MEMORY_LIMIT)} in the collector`,
      `the stream's duplicate window (${DUPLICATE_WINDOW_NS / 60e9} minutes)`,
      `--dupe-window ${DUPLICATE_WINDOW_NS / 60e9}m`,
    );
  });

  it('gives batched shipping its bounds', () => {
    says(
      'docs/deploy.md',
      `(N from 2 to ${n(MAX_MESSAGE_EVENTS)})`,
      `stays under ${MAX_MESSAGE_BYTES / 1024} KiB and under the server's \`max_payload\` (minus ${PAYLOAD_HEADROOM_BYTES / 1024} KiB`,
      `A message of more than ${MAX_MESSAGE_BYTES / 1024} KiB or more than ${n(MAX_MESSAGE_EVENTS)} lines is rejected whole`,
      `(${n(MAX_ACK_PENDING)} messages for single events; about ${n(MAX_ACK_PENDING)} events' worth and at most ${MiB(PACKED_PENDING_BYTES)}, at least ${MIN_ACK_PENDING} messages, for packed ones), starting at ${MIN_ACK_PENDING} messages`,
      `more than ${n(heldBound(1))} events (or twice \`collect.batch_events\`)`,
    );
  });
});

describe('docs/enrichment.md', () => {
  it('gives the dial-string rules their bounds', () => {
    says(
      'docs/enrichment.md',
      `takes at most ${MAX_DIALED_TEXT} characters`,
      `at most ${MAX_EXTENSION_DIGITS} digits and no \`+\`: \`extension\``,
      `more than ${MAX_DIALED_DIGITS} digits (15 of E.164 plus ${MAX_DIALED_DIGITS - 15} of prefixes)`,
      `after 1 to ${MAX_TAIL_JUNK_DIGITS} unknown digits`,
      `looks at the first ${MAX_UA_MATCH_CHARS} characters`,
      `exactly ${RANDOM_UA_LENGTH} characters of \`[A-Za-z0-9]\``,
      `substituting digits (${MASK_SUBSTITUTES.join(', ')})`,
      `${n(RESOLVED_STRINGS_CACHE)} strings per resolver, ${n(VALIDATED_READINGS_CACHE)} validated readings`,
    );
  });
});

describe('docs/persona.md', () => {
  it('gives the registrars their expiry bounds and the nonce its lifetime', () => {
    says(
      'docs/persona.md',
      `expiry clamped to ${MIN_EXPIRY_S}..${MAX_EXPIRY_S}`,
      `An expiry is clamped to [${PJSIP_MIN_EXPIRY_S}, ${PJSIP_MAX_EXPIRY_S}] s (no 423); none asked means ${PJSIP_DEFAULT_EXPIRY_S}`,
      `a nonce is taken for ${NONCE_LIFETIME_S} seconds by any request`,
      `older than ${NONCE_LIFETIME_S} s`,
      `after \`dial.ring_seconds\` (${cfg.dial.ring_seconds}) 486 Busy Here`,
    );
  });
});

describe('docs/simulate.md', () => {
  it('gives the options their defaults and the year its days', () => {
    const D = SIMULATE_DEFAULTS;
    const rows = new Map(
      [...doc('docs/simulate.md').matchAll(/\| `(--[a-z]+)[^`]*` +\| ([^|]+?) +\|/g)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    assert.equal(rows.get('--days'), String(D.days));
    assert.equal(rows.get('--start'), D.start);
    assert.equal(rows.get('--format'), D.format);
    assert.equal(rows.get('--sensors'), `${D.yearSensors} with \`--year\`, else ${D.sensors}`);
    assert.equal(rows.get('--seed'), D.seed);
    assert.equal(rows.get('--scale'), String(D.scale));
    says(
      'docs/simulate.md',
      `${D.yearDays} days from \`--start\`; ${D.yearOutageDays} of them the network is down, so ${D.yearDays - D.yearOutageDays} days have events`,
      `every ${PROGRESS_EVERY_LINES / 1_000_000} million lines`,
      `${Math.round(SHAPED_BURST_SHARE * 100)} % of call bursts`,
      `Why ${Math.round(SHAPED_BURST_SHARE * 100)} %`,
    );
  });
});
