/**
 * @module
 * The SIP message core: what other folders may use. Pure protocol code:
 * bytes <-> typed messages, no I/O, no clock.
 */
export type { SipHeader, SipMessage, SipRequest, SipResponse } from './message.js';
export {
  parse,
  textOf,
  findHeaderEnd,
  PARSE_FAILURES,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_HEADERS,
  type ParseFailure,
  type ParseOptions,
  type ParseResult,
} from './parse.js';
export {
  validateMessage,
  parseCSeq,
  topVia,
  VALIDATION_FAILURES,
  type CSeq,
  type ValidationFailure,
  type ValidationProblem,
} from './validate.js';
export { serialize, serializeParts, sanitizeHeaderValue, type HeaderLine } from './serialize.js';
export {
  canonicalName,
  getHeader,
  getHeaders,
  getHeaderValues,
  splitHeaderValues,
  parseParams,
  unquote,
  COMPACT_FORMS,
} from './headers.js';
export { parseUri, unescapeUriPart, splitHostPort, type SipUri } from './uri.js';
export { parseNameAddr, type NameAddr } from './address.js';
export { parseVia, viaParam, formatVia, type Via, type ViaParam } from './via.js';
export {
  parseDigest,
  formatChallenge,
  computeDigestResponse,
  digestFromHa1,
  formatAuthorization,
  md5Hex,
  type Challenge,
  type DigestCredentials,
  type DigestInput,
} from './digest.js';
export { SipFramer, type FrameItem, type FramerOptions } from './framing.js';
