/**
 * @module
 * What the res_pjsip handlers share beyond the common `Pbx`: the Server
 * value, the random source for UUID tags, opaques and the nonce secret,
 * the stateless nonces, the registrar's contacts, and the reply in
 * pjproject's layout (final INVITE answers over UDP retransmitted until
 * the ACK; nothing else is: pjsip sends its 401s statelessly).
 */
import { createHash } from 'node:crypto';
import { getHeader } from '../../../sip/headers.js';
import type { SipRequest } from '../../../sip/message.js';
import { parseCSeq } from '../../../sip/validate.js';
import { LruMap } from '../../../lru-map.js';
import { branchOf, retransmitKey } from '../pbx.js';
import type { Answer, RequestScope } from '../scope.js';
import { buildPjsipResponse, type PjsipResponseSpec } from './wire.js';

/** res_pjsip's default nonce_lifetime: an older nonce is stale. */
export const NONCE_LIFETIME_S = 32;

/** A contact bound to an address-of-record (one per AOR: max_contacts=1, remove_existing). */
export interface ContactBinding {
  readonly uri: string;
  /** Epoch ms when it lapses. */
  readonly expiresAt: number;
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

export class PjsipPbx {
  readonly server: string;
  readonly realm: string;
  /** Contacts by AOR (extension number); bounded, least recently used forgotten first. */
  readonly contacts: LruMap<string, ContactBinding>;
  readonly #random32: () => number;
  /** Stands for Asterisk's entity id in the nonce hash: a per-process secret. */
  readonly #secret: string;

  constructor(server: string, realm: string, random32: () => number, maxContacts: number) {
    this.server = server;
    this.realm = realm;
    this.#random32 = random32;
    this.#secret = `${hex8(random32())}${hex8(random32())}${hex8(random32())}${hex8(random32())}`;
    this.contacts = new LruMap(maxContacts);
  }

  /** The To tag of a stateless answer: the request's Via branch. */
  branchTag(req: SipRequest): string {
    const branch = branchOf(req);
    return branch !== null && branch !== '' ? branch : hex8(this.#random32());
  }

  /** A lower-case random UUID (version 4): Asterisk's local tag of an INVITE dialog. */
  uuid(): string {
    const a = hex8(this.#random32());
    const b = hex8(this.#random32());
    const c = hex8(this.#random32());
    const d = hex8(this.#random32());
    const variant = ((parseInt(c.slice(0, 1), 16) & 0x3) | 0x8).toString(16);
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }

  /** 16 lower-case hex digits, new for every challenge. */
  opaque(): string {
    return `${hex8(this.#random32())}${hex8(this.#random32())}`;
  }

  /** `<seconds>/<32 hex>`: the same for every request from one address within one second. */
  nonce(srcIp: string, now: Date): string {
    const seconds = String(Math.floor(now.getTime() / 1000));
    return `${seconds}/${this.#hash(seconds, srcIp)}`;
  }

  /** Whether a nonce is one of ours, for this address, and younger than the nonce lifetime. */
  nonceValid(nonce: string, srcIp: string, now: Date): boolean {
    const m = /^(\d{1,12})\/([0-9a-f]{32})$/.exec(nonce);
    if (!m?.[1] || m[2] !== this.#hash(m[1], srcIp)) return false;
    const age = now.getTime() / 1000 - Number(m[1]);
    return age >= -1 && age <= NONCE_LIFETIME_S;
  }

  #hash(seconds: string, srcIp: string): string {
    return createHash('md5')
      .update(`${seconds}:${srcIp}:${this.#secret}:${this.realm}`)
      .digest('hex');
  }

  /** One answer; `retransmit`: a final INVITE answer, resent over UDP until the ACK. */
  reply(scope: RequestScope, spec: PjsipResponseSpec, retransmit: boolean): Answer {
    const data = buildPjsipResponse(scope.req, spec, {
      server: this.server,
      srcIp: scope.ctx.srcIp,
      srcPort: scope.ctx.srcPort,
    });
    const status = spec.status;
    const cseq = parseCSeq(getHeader(scope.req, 'CSeq') ?? '');
    if (!retransmit || scope.ctx.transport !== 'udp' || cseq === null)
      return { replies: [{ data, status }], response: status };
    const key = retransmitKey(scope.ctx, getHeader(scope.req, 'Call-ID') ?? '', cseq.seq);
    return { replies: [{ data, status, retransmitKey: key }], response: status };
  }
}
