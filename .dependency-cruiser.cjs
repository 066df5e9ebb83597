// The layers of src/ and the one direction imports may point (docs/architecture.md).
// Run by `npm run lint`. A folder may import its own files, the base files at the
// top of src/ (errors.ts, log.ts, lru-map.ts, address-key.ts, address-table.ts) and
// the folders listed for it here;
// anything else is an error. A new folder under src/ gets a row here (and in
// docs/architecture.md) before its first import of another folder.
/** @type {Record<string, string[]>} folder -> the folders it may import */
const LAYERS = {
  sip: [],
  events: [],
  config: ['events'],
  enrich: [],
  'sip-fields': ['sip', 'events'],
  store: ['events', 'enrich'],
  sensor: ['sip-fields', 'sip', 'events', 'config'],
  ingest: ['sip-fields', 'sip', 'events', 'enrich', 'store'],
  simulate: ['events', 'enrich'],
  analysis: ['store'],
  report: ['analysis'],
  runtime: ['sensor', 'store', 'events', 'config'],
  nats: ['config'],
  ship: ['nats', 'events', 'config'],
  collect: ['nats', 'analysis', 'store', 'events', 'config'],
  archive: ['store'],
  server: ['analysis', 'store', 'events', 'enrich'],
  cli: [
    'collect',
    'ship',
    'nats',
    'archive',
    'runtime',
    'server',
    'report',
    'analysis',
    'simulate',
    'ingest',
    'sensor',
    'store',
    'sip-fields',
    'enrich',
    'config',
    'events',
    'sip',
  ],
  // Helpers for tests only (never built into the product).
  testing: [],
};

const TESTS = '\\.test\\.ts$|^src/testing/';
const BASE = '^src/[^/]+\\.ts$';
const folders = Object.keys(LAYERS).join('|');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycle between files, not even through type-only imports.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'nothing-imports-cli',
      severity: 'error',
      comment: 'src/cli is the top: commands are reached through src/cli/main.ts only.',
      from: { path: '^src/', pathNot: `^src/cli/|${TESTS}` },
      to: { path: '^src/cli/' },
    },
    {
      name: 'base-imports-no-folder',
      severity: 'error',
      comment:
        'The base files (errors.ts, log.ts, lru-map.ts, address-*.ts) sit below every folder.',
      from: { path: BASE, pathNot: TESTS },
      to: { path: '^src/[^/]+/' },
    },
    {
      name: 'folder-not-in-layer-table',
      severity: 'error',
      comment: 'Every folder of src/ has a row in .dependency-cruiser.cjs (LAYERS).',
      from: { path: '^src/[^/]+/', pathNot: `^src/(${folders})/` },
      to: { path: '^src/' },
    },
    {
      name: 'testing-only-in-tests',
      severity: 'error',
      comment: 'src/testing holds test helpers; the product never imports them.',
      from: { path: '^src/', pathNot: TESTS },
      to: { path: '^src/testing/' },
    },
    ...Object.entries(LAYERS).map(([folder, allowed]) => ({
      name: `layer-${folder}`,
      severity: 'error',
      comment: `src/${folder} may import only ${allowed.length ? allowed.join(', ') + ' and ' : ''}the base files.`,
      from: { path: `^src/${folder}/`, pathNot: TESTS },
      to: {
        path: '^src/',
        pathNot: `^src/(${[folder, ...allowed].join('|')})/|${BASE}`,
      },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
