/**
 * @module
 * Every reason phrase the persona writes, per preset, in one table: the
 * phrases by situation (several codes have more than one spelling in
 * chan_sip, with their odd case) and the phrases of the final answers the
 * dial plan can choose (hangup cause -> SIP response). Data only.
 */

export type ReasonKey =
  | 'trying'
  | 'ringing'
  | 'ok'
  | 'accepted'
  | 'badRequest'
  | 'unauthorized'
  | 'forbidden'
  | 'authUserMismatch'
  | 'notFound'
  | 'notFoundPeer'
  | 'notFoundNoMailbox'
  | 'notAcceptable'
  | 'unsupportedMediaType'
  | 'intervalTooSmall'
  | 'subscriptionDoesNotExist'
  | 'unsupportedScheme'
  | 'badExtension'
  | 'callLegDoesNotExist'
  | 'requestTerminated'
  | 'badEventNotify'
  | 'badEvent'
  | 'notImplemented'
  | 'declinedNoDialog';

export type ReasonTable = Readonly<Record<ReasonKey, string>>;

/** chan_sip 18, as a real Asterisk 18.26.4 writes them. */
export const CHAN_SIP_REASONS: ReasonTable = {
  trying: 'Trying',
  ringing: 'Ringing',
  ok: 'OK',
  accepted: 'Accepted',
  badRequest: 'Bad Request',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  authUserMismatch: 'Authentication user name does not match account name',
  notFound: 'Not Found',
  notFoundPeer: 'Not found',
  notFoundNoMailbox: 'Not found (no mailbox)',
  notAcceptable: 'Not Acceptable',
  unsupportedMediaType: 'Unsupported Media Type',
  intervalTooSmall: 'Interval too small',
  subscriptionDoesNotExist: 'Subscription does not exist',
  unsupportedScheme: 'Unsupported URI scheme',
  badExtension: 'Bad extension',
  callLegDoesNotExist: 'Call leg/transaction does not exist',
  requestTerminated: 'Request Terminated',
  badEventNotify: 'Bad event',
  badEvent: 'Bad Event',
  notImplemented: 'Method Not Implemented',
  declinedNoDialog: 'Declined (No dialog)',
};

/** res_pjsip: pjproject's standard phrases (pjsip_get_status_text). */
export const PJSIP_REASONS: ReasonTable = {
  ...CHAN_SIP_REASONS,
  notFoundPeer: 'Not Found',
  unsupportedScheme: 'Unsupported URI Scheme',
  badExtension: 'Bad Extension',
  callLegDoesNotExist: 'Call/Transaction Does Not Exist',
  badEventNotify: 'Bad Event',
  notImplemented: 'Not Implemented',
  declinedNoDialog: 'Decline',
};

/** Phrases of the final answers a dial plan can choose, by code. */
export type FinalReasons = Readonly<Record<number, string>>;

export const CHAN_SIP_FINALS: FinalReasons = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  480: 'Temporarily Unavailable',
  484: 'Address Incomplete',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  500: 'Server error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  600: 'Busy Everywhere',
  603: 'Declined',
  604: 'Does Not Exist Anywhere',
};

/** pjproject's phrases (pjsip_get_status_text) for the same codes. */
export const PJSIP_FINALS: FinalReasons = {
  ...CHAN_SIP_FINALS,
  410: 'Gone',
  500: 'Internal Server Error',
  603: 'Decline',
};

/** The phrase for a final status; an unlisted code gets its class's generic phrase. */
export function finalReason(table: FinalReasons, status: number): string {
  const known = table[status];
  if (known !== undefined) return known;
  if (status >= 600) return 'Global Failure';
  if (status >= 500) return 'Server error';
  return 'Request Failure';
}
