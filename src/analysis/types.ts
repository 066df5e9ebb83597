/**
 * @module
 * The shape of a report: one interface per section. `report --format json`
 * writes exactly this object; the text, CSV, HTML and DOT renderers read it.
 * Key names are the report JSON contract (docs/report.md) plus extra sections.
 *
 * Shares are fractions in 0..1 of the section's total (not percentages).
 * Counts of calls are counts of unified INVITEs (table `calls`).
 */

export interface Summary {
  register_messages: number;
  invite_messages: number;
  options_messages: number;
  requests: number;
  malformed: number;
  unified_invites: number;
  unique_ips: number;
  unique_asns: number;
  unique_source_countries: number;
  days: number;
  first_ts: string | null;
  last_ts: string | null;
  /** Date of the geo-IP/ASN data used at enrichment, from the `meta` table; null when unknown. */
  geo_data_date: string | null;
}

export interface LabelShare {
  label: string;
  count: number;
  share: number;
  family: string | null;
  category: string | null;
}

export interface NamedShare {
  name: string;
  count: number;
  share: number;
}

export interface UserAgentSection {
  /** Top labels; the rest are summed in `other`. */
  labels: LabelShare[];
  other: { labels: number; count: number; share: number };
  families: NamedShare[];
  categories: NamedShare[];
  /** Share of calls whose user agent is customized or potentially malicious (see CUSTOMIZED_CATEGORIES). */
  customized_share: number;
  customized_categories: readonly string[];
  total: number;
}

export interface CountryShare {
  cc: string | null;
  count: number;
  share: number;
}

export interface TopSource {
  ip: string;
  count: number;
  share: number;
  /** Share of the calls from the same source country this IP placed. */
  share_of_country: number;
  cc: string | null;
  asn: number | null;
  as_name: string | null;
  destination_countries: number;
  user_agent: string | null;
  invites: number;
  first_ts: string;
  last_ts: string;
}

export interface RogueServer {
  ip: string;
  cc: string | null;
  calls: number;
  destination_countries: number;
  /** Shannon entropy of the destination countries, bits. */
  entropy_bits: number;
  /** Robust z-score of destination_countries against all callers (median/MAD). */
  robust_z: number;
  score_note: string;
}

export interface RogueSection {
  candidates: RogueServer[];
  callers: number;
  median_countries: number;
  mad_countries: number;
  min_countries: number;
  min_z: number;
}

export interface Destination {
  number: string;
  country: string | null;
  type: string | null;
  count: number;
  invites: number;
  sources: number;
  label: string | null;
}

export interface TypeCount {
  type: string | null;
  count: number;
  share: number;
}

/**
 * How the numbers of the unified INVITEs in scope were found (docs/enrichment.md):
 * `alone`, `burst`, `tail`, `store` (other sources in the store dialled the
 * number in full), or null for calls stored before the method was recorded.
 * Everything but `alone` is inference; the destination tables rest on it in
 * these shares.
 */
export interface NumberMethodShare {
  method: string | null;
  count: number;
  share: number;
}

export interface CountryPair {
  source: string | null;
  destination: string | null;
  count: number;
  share: number;
}

export interface GraphEdge {
  destination: string | null;
  count: number;
}

export interface SourceGraph {
  ip: string;
  cc: string | null;
  calls: number;
  edges: GraphEdge[];
}

export const PHASES = ['scanning', 'enumeration', 'brute_force', 'abuse'] as const;
export type Phase = (typeof PHASES)[number];

export interface SourcePhases {
  ip: string;
  cc: string | null;
  phases: Phase[];
  requests: number;
  scan_requests: number;
  enum_targets: number;
  auth_attempts: number;
  max_attempts_one_user: number;
  max_registers_one_user: number;
  password_guesses: number;
  external_invites: number;
  first_ts: string;
  last_ts: string;
}

export interface PhaseDay {
  day: string;
  phase: Phase;
  sources: number;
  messages: number;
}

export interface PhaseSection {
  thresholds: PhaseThresholds;
  /** Sources per phase, in any combination. */
  totals: Record<Phase, number>;
  /** Sources that went through every phase up to this one, in order. */
  funnel: { stage: Phase; sources: number; share_of_previous: number }[];
  /** Of the scanning sources, how many also enumerated, brute-forced, called out. */
  from_scanners: Record<Phase, number>;
  /** The most active sources (by phases reached, then requests), at most `top`. */
  sources: SourcePhases[];
  daily: PhaseDay[];
  total_sources: number;
}

export interface PhaseThresholds {
  /** Scanning: at least this many OPTIONS requests or requests naming no user. */
  scan_min_requests: number;
  /** Enumeration: at least this many distinct target users probed without Authorization. */
  enum_min_targets: number;
  /** Brute force: at least this many Authorization attempts on one user. */
  brute_min_attempts: number;
  /** Brute force without auth data (legacy logs): at least this many REGISTERs for one user. */
  brute_min_registers: number;
  /** Abuse: at least this many INVITEs to external numbers. */
  abuse_min_invites: number;
}

export interface UsernameTried {
  username: string;
  attempts: number;
  sources: number;
}

export interface PasswordGuess {
  password: string;
  source: string | null;
  attempts: number;
  users: number;
}

export interface CrackedExtension {
  username: string;
  sources: number;
  attempts: number;
  first_ts: string;
  passwords: string[];
}

export interface CredentialSection {
  usernames: UsernameTried[];
  passwords: PasswordGuess[];
  cracked: CrackedExtension[];
  auth_attempts: number;
}

export interface ReportMeta {
  generated_at: string;
  filter: { from: string | null; to: string | null; sensor: string | null };
  top: number;
  /** Milliseconds each section's queries took. */
  timings_ms: Record<string, number>;
  shares: 'fractions 0..1';
}

/** The network view: per sensor, and what crossed several sensors. */
export interface NetworkSection {
  sensors: {
    sensor: string;
    events: number;
    sources: number;
    first_ts: string | null;
    last_ts: string | null;
  }[];
  /** Sources seen by more than one sensor (all of them; `sweeps` lists the top ones). */
  multi_sensor_sources: number;
  sweeps: {
    ip: string;
    sensors: number;
    events: number;
    first_ts: string | null;
    last_ts: string | null;
    /** From its first event at the first sensor to its first at the last sensor it reached. */
    span_seconds: number;
    /** span_seconds / (sensors - 1): how fast it moved from one sensor to the next. */
    seconds_per_sensor: number;
  }[];
  /** Unified INVITEs whose INVITEs reached more than one sensor. */
  multi_sensor_calls: number;
  calls: {
    ip: string;
    number: string;
    sensors: number;
    invites: number;
    first_ts: string | null;
    last_ts: string | null;
  }[];
}

/** One source's whole story (/api/sources/{ip}, the report's source_stories). */
export interface SourceStory {
  readonly ip: string;
  readonly cc: string | null;
  readonly asn: number | null;
  readonly as_name: string | null;
  readonly messages: number;
  readonly first_ts: string | null;
  readonly last_ts: string | null;
  readonly methods: readonly { method: string | null; count: number }[];
  readonly phases: readonly {
    phase: string;
    messages: number;
    first_ts: string;
    last_ts: string;
  }[];
  readonly extensions_tried: readonly { user: string; count: number }[];
  readonly credentials: readonly {
    user: string | null;
    password: string | null;
    attempts: number;
    cracked: boolean;
  }[];
  readonly cracked: readonly { user: string | null; password: string | null; ts: string }[];
  readonly numbers: readonly {
    number: string;
    country: string | null;
    type: string | null;
    invites: number;
  }[];
  readonly destination_countries: readonly { cc: string | null; invites: number }[];
  readonly user_agents: readonly { label: string | null; category: string | null; count: number }[];
  readonly sensors: readonly { sensor: string; count: number }[];
  readonly timeline: readonly { hour: string; phase: string; messages: number }[];
  /** How many rows each list has in all; a list shows at most 100 (the timeline 5,000). */
  readonly totals: SourceStoryTotals;
}

/** Rows of each list of a source's story in all, before its cap. */
export type SourceStoryTotals = Readonly<
  Record<
    | 'methods'
    | 'phases'
    | 'extensions_tried'
    | 'credentials'
    | 'cracked'
    | 'numbers'
    | 'destination_countries'
    | 'user_agents'
    | 'sensors'
    | 'timeline',
    number
  >
>;

/** User agents of all traffic (every request, not only calls): `all_traffic` of /api/user-agents. */
export interface TrafficUserAgent {
  label: string;
  family: string | null;
  category: string | null;
  /** Requests carrying it. */
  count: number;
  /** Distinct source addresses that sent it. */
  sources: number;
}

export interface Report {
  meta: ReportMeta;
  summary: Summary;
  user_agents: LabelShare[];
  user_agent_breakdown: UserAgentSection;
  /** User agents of every request, beside those of calls (user_agent_breakdown). */
  user_agents_all_traffic: TrafficUserAgent[];
  /** The story of the most active sources (the first of phases.sources), as /api/sources/{ip} tells it. */
  source_stories: SourceStory[];
  source_countries: CountryShare[];
  top_sources: TopSource[];
  rogue_servers: RogueSection;
  destination_countries: CountryShare[];
  destinations: Destination[];
  number_types: TypeCount[];
  number_methods: NumberMethodShare[];
  country_pairs: CountryPair[];
  graph: SourceGraph[];
  phases: PhaseSection;
  credentials: CredentialSection;
  network: NetworkSection;
}
