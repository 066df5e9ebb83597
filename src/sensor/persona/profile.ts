/**
 * @module
 * What each persona preset looks like on the wire: header values, reason
 * phrases (from reasons.ts), the order of headers, tag and nonce formats.
 * chan_sip values are taken from a real Asterisk 18.26.4 (chan_sip) capture,
 * res_pjsip's from a real Asterisk 20.20.1 (pjproject 2.17); the res_pjsip
 * layout itself is written by pjsip/wire.ts, which uses only this profile's
 * values, reasons and finals. Data only: no logic
 * beyond formatting random values.
 */
import type { PersonaPreset } from '../../config/types.js';
import {
  CHAN_SIP_FINALS,
  CHAN_SIP_REASONS,
  PJSIP_FINALS,
  PJSIP_REASONS,
  type FinalReasons,
  type ReasonTable,
} from './reasons.js';

export interface PersonaProfile {
  readonly preset: PersonaPreset;
  readonly allow: string;
  readonly supported: string;
  readonly accept: string;
  /** Value written after `Content-Length:` (pjsip writes two spaces). */
  readonly contentLengthSeparator: string;
  /** Headers echoed from the request, in the order written. */
  readonly echoOrder: readonly ('Via' | 'From' | 'To' | 'Call-ID' | 'CSeq')[];
  /** Where WWW-Authenticate goes: before Server (pjsip) or after Supported (chan_sip). */
  readonly challengeBeforeServer: boolean;
  /** Whether Allow/Supported are written on every response (chan_sip) or only on OPTIONS (pjsip). */
  readonly allowOnEveryResponse: boolean;
  /** Via rewrite: `append` puts `;received=IP;rport=PORT` last (chan_sip); `inplace` keeps rport's slot (pjsip). */
  readonly viaStyle: 'append' | 'inplace';
  /** Challenges carry qop="auth" and an opaque (pjsip). */
  readonly challengeQop: boolean;
  /** Unknown users get the same challenge as known ones regardless of always_auth_reject. */
  readonly forceAuthReject: boolean;
  /** OPTIONS answer when the Request-URI has no user (pjsip answers 200). */
  readonly optionsNoUserStatus: number;
  /** Reason phrases by situation; several codes have two spellings in chan_sip. */
  readonly reasons: ReasonTable;
  /** Phrases of the dial plan's final answers, by code. */
  readonly finals: FinalReasons;
  /** Makes a To tag from 32 random bits (and the request branch, for pjsip). */
  tag(random32: () => number, branch: string | null): string;
  /** Makes a nonce. */
  nonce(random32: () => number, nowSeconds: number): string;
}

const hex8 = (random32: () => number): string => random32().toString(16).padStart(8, '0');

const CHAN_SIP: Omit<PersonaProfile, 'preset' | 'forceAuthReject'> = {
  allow: 'INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE',
  supported: 'replaces, timer',
  accept: 'application/sdp',
  contentLengthSeparator: ' ',
  echoOrder: ['Via', 'From', 'To', 'Call-ID', 'CSeq'],
  challengeBeforeServer: false,
  allowOnEveryResponse: true,
  viaStyle: 'append',
  challengeQop: false,
  optionsNoUserStatus: 404,
  reasons: CHAN_SIP_REASONS,
  finals: CHAN_SIP_FINALS,
  // chan_sip: "as%08lx" from ast_random().
  tag: (random32) => `as${hex8(random32)}`,
  // chan_sip build_nonce: "%08lx".
  nonce: (random32) => hex8(random32),
};

/**
 * res_pjsip (Asterisk 20.20.1): the values its answers carry. The layout
 * fields below only matter to the chan_sip writer and are kept consistent
 * with what pjsip/wire.ts writes.
 */
const PJSIP: Omit<PersonaProfile, 'preset'> = {
  allow:
    'OPTIONS, REGISTER, SUBSCRIBE, NOTIFY, PUBLISH, INVITE, ACK, BYE, CANCEL, UPDATE, PRACK, MESSAGE, INFO, REFER',
  supported: '100rel, timer, replaces, norefersub',
  // Every body type a loaded module registered, duplicates included, as sent on OPTIONS answers.
  accept:
    'application/sdp, application/simple-message-summary, application/pidf+xml, application/xpidf+xml, application/cpim-pidf+xml, application/dialog-info+xml, application/simple-message-summary, application/pidf+xml, application/dialog-info+xml, message/sipfrag;version=2.0',
  contentLengthSeparator: '  ',
  echoOrder: ['Via', 'Call-ID', 'From', 'To', 'CSeq'],
  challengeBeforeServer: true,
  allowOnEveryResponse: false,
  viaStyle: 'inplace',
  challengeQop: true,
  forceAuthReject: true,
  optionsNoUserStatus: 200,
  reasons: PJSIP_REASONS,
  finals: PJSIP_FINALS,
  // pjsip uses the request's branch as the To tag of stateless answers.
  tag: (random32, branch) =>
    branch !== null && branch.length > 0
      ? branch.slice(0, 64)
      : `${hex8(random32)}${hex8(random32)}`,
  // res_pjsip_authenticator_digest: "<timestamp>/<md5 hex>".
  nonce: (random32, now) =>
    `${now}/${hex8(random32)}${hex8(random32)}${hex8(random32)}${hex8(random32)}`,
};

/** The wire profile of a preset. */
export function profileFor(preset: PersonaPreset): PersonaProfile {
  switch (preset) {
    case 'chan_sip_leaky':
      return { ...CHAN_SIP, preset, forceAuthReject: false };
    case 'chan_sip':
      // Asterisk 1.8 and later default to alwaysauthreject=yes.
      return { ...CHAN_SIP, preset, forceAuthReject: true };
    case 'pjsip':
      return { ...PJSIP, preset };
  }
}
