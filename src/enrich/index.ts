/**
 * @module enrich
 * Public API of the enrichment modules, for the store and importers: IP ->
 * source country and ASN, dialed string -> E.164 number with destination
 * country and type (the article's Figure 2 unification), User-Agent ->
 * label, family and category. Callers call once per distinct value; every
 * enricher answers unknown (null) on bad input instead of throwing.
 */
export { loadIpLookup, type IpInfo, type IpLookup, type IpLookupOptions } from './ip-lookup.js';
export { parseIp, type ParsedIp } from './ip-address.js';
export {
  NumberResolver,
  resolveBurst,
  resolveDialed,
  DIALED_KINDS,
  NUMBER_METHODS,
  type Candidate,
  type DialedKind,
  type DialedResolution,
  type NumberMethod,
  type NumberOptions,
} from './phone-number.js';
export { StoreEvidence, type FullNumber } from './store-evidence.js';
export { cleanDialed } from './dialed-text.js';
export {
  classifyUserAgent,
  loadUserAgentRules,
  makeUserAgentRules,
  parseUserAgentRules,
  UA_CATEGORIES,
  DEFAULT_RULES_PATH,
  type UaCategory,
  type UaClass,
  type UaRule,
  type UserAgentRules,
} from './user-agent.js';
export { isRandomUserAgent } from './random-ua.js';
