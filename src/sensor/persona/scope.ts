/**
 * @module
 * What a method handler sees: the request in hand (`RequestScope`) and a
 * narrow view of the PBX (`Pbx`): build a reply, pick a tag or a nonce,
 * ask the dial plan, look up peers. Handlers never see the persona itself,
 * its dialog table or its configuration. Types only.
 */
import type { ExtensionConfig } from '../../config/types.js';
import type { SipRequest } from '../../sip/message.js';
import type { CredentialRecovery } from '../../sip-fields/credentials.js';
import type { PersonaProfile } from './profile.js';
import type { ResponseSpec } from './response.js';
import type { DialogState, PendingInvite } from './state.js';
import type { InboundContext, OutboundMessage, PersonaFields } from './types.js';

/** What a method handler produces. */
export interface Answer {
  readonly replies: OutboundMessage[];
  /** Final code for the event (or the last provisional one when no final was sent). */
  readonly response: number | null;
  /**
   * Sent without a transaction (pjsip's challenges and its 481s): nothing
   * is kept for the request's retransmissions, which are answered anew.
   */
  readonly stateless?: boolean;
  /** Set when the answer left an INVITE ringing: the pending INVITE a CANCEL or the ring timeout ends. */
  readonly ringing?: PendingInvite;
}

/** Everything a handler needs for one request. */
export interface RequestScope {
  readonly req: SipRequest;
  readonly ctx: InboundContext;
  readonly dialog: DialogState;
  /** The event's fields; handlers add the auth fields. */
  readonly fields: PersonaFields;
  readonly pbx: Pbx;
}

/** The peers the PBX knows: configured extensions, and registrations by source address. */
export interface Peers {
  /** Unknown users get the same challenge as known ones (alwaysauthreject). */
  readonly alwaysAuthReject: boolean;
  /** The configured extension with this number. */
  byName(name: string): ExtensionConfig | null;
  /** The extension registered from the request's source address, while the registration lasts. */
  bySource(ctx: InboundContext): ExtensionConfig | null;
  /** Remembers (or, with `expiresAt` null, forgets) the registration from this source. */
  register(ctx: InboundContext, extension: string, expiresAt: number | null): void;
}

/** The PBX as handlers see it. */
export interface Pbx {
  readonly profile: PersonaProfile;
  readonly realm: string;
  readonly peers: Peers;
  readonly credentials: CredentialRecovery;
  /** One answer to the scope's request; `isFinal` INVITE answers over UDP are retransmitted until the ACK. */
  reply(scope: RequestScope, spec: ResponseSpec, isFinal: boolean): Answer;
  /** The tag non-INVITE answers of this dialog use (kept from 401 to 200 on REGISTER). */
  dialogTag(scope: RequestScope): string;
  /** A fresh tag for one transaction (each INVITE gets its own). */
  transactionTag(req: SipRequest): string;
  /** A fresh challenge nonce. */
  nonce(now: Date): string;
  /** A fresh challenge opaque (8 hex digits). */
  opaque(): string;
  /** The final answer the dial plan gives a dialed string. */
  dialStatus(exten: string): number;
}
