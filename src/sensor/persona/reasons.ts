/**
 * @module
 * Reason phrases for the final answers the dial plan can choose, spelled as
 * chan_sip writes them (hangup cause -> SIP response). Data only.
 */

const FINAL_REASONS: Readonly<Record<number, string>> = {
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

/** The phrase for a final status; an unlisted code gets its class's generic phrase. */
export function finalReason(status: number): string {
  const known = FINAL_REASONS[status];
  if (known !== undefined) return known;
  if (status >= 600) return 'Global Failure';
  if (status >= 500) return 'Server error';
  return 'Request Failure';
}
