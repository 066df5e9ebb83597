/**
 * @module
 * The PBX behind the handlers (the `Pbx` of scope.ts): the wire profile,
 * tags and nonces from the injected random source, the dial plan's rules,
 * the configured extensions and the bounded table of registrations.
 */
import type { ExtensionConfig, SensorConfig } from '../../config/types.js';
import { getHeader } from '../../sip/headers.js';
import type { SipRequest } from '../../sip/message.js';
import { parseCSeq, topVia } from '../../sip/validate.js';
import { viaParam } from '../../sip/via.js';
import { LruMap } from '../../lru-map.js';
import { CredentialRecovery } from '../../sip-fields/credentials.js';
import { profileFor, type PersonaProfile } from './profile.js';
import { buildResponse, type ResponseSpec } from './response.js';
import type { Answer, Pbx, Peers, RequestScope } from './scope.js';
import { detach, type Registration } from './state.js';
import type { InboundContext } from './types.js';

/** The top Via's branch, if any. */
export function branchOf(req: SipRequest): string | null {
  const via = topVia(req);
  return via ? (viaParam(via, 'branch') ?? null) : null;
}

/** The key the runtime retransmits a final INVITE answer under, and an ACK stops. */
export function retransmitKey(ctx: InboundContext, callId: string, seq: number): string {
  // Joined into a string of its own: the Call-ID is a slice of the request's text.
  return [ctx.srcIp, callId, seq].join('|');
}

class PeerTable implements Peers {
  readonly alwaysAuthReject: boolean;
  readonly #extensions: readonly ExtensionConfig[];
  /** Registered peers by `ip|port` (chan_sip matches unknown names by source address). */
  readonly #registrations: LruMap<string, Registration>;

  constructor(config: SensorConfig, alwaysAuthReject: boolean) {
    this.alwaysAuthReject = alwaysAuthReject;
    this.#extensions = config.extensions;
    this.#registrations = new LruMap(config.limits.max_dialogs);
  }

  byName(name: string): ExtensionConfig | null {
    return this.#extensions.find((e) => e.number === name) ?? null;
  }

  bySource(ctx: InboundContext): ExtensionConfig | null {
    const reg = this.#registrations.get(`${ctx.srcIp}|${ctx.srcPort}`);
    if (!reg || reg.expiresAt <= ctx.now.getTime()) return null;
    return this.byName(reg.extension);
  }

  register(ctx: InboundContext, extension: string, expiresAt: number | null): void {
    const key = [ctx.srcIp, ctx.srcPort].join('|');
    if (expiresAt === null) this.#registrations.delete(key);
    // The configured extension's own string, not the request's slice.
    else
      this.#registrations.set(key, {
        extension: this.byName(extension)?.number ?? detach(extension),
        expiresAt,
      });
  }
}

export class AsteriskPbx implements Pbx {
  readonly profile: PersonaProfile;
  readonly realm: string;
  readonly peers: Peers;
  readonly credentials: CredentialRecovery;
  readonly #server: string;
  readonly #random: () => number;
  readonly #dialRules: readonly { readonly re: RegExp; readonly response: number }[];
  readonly #dialDefault: number;

  constructor(config: SensorConfig, random: () => number) {
    this.profile = profileFor(config.persona.preset);
    this.realm = config.persona.realm;
    this.#server = config.persona.server;
    this.#random = random;
    this.credentials = new CredentialRecovery(config.credentials.wordlist);
    this.peers = new PeerTable(
      config,
      config.persona.always_auth_reject || this.profile.forceAuthReject,
    );
    this.#dialDefault = config.dial.default;
    this.#dialRules = config.dial.rules.flatMap((rule) => {
      try {
        return [{ re: new RegExp(rule.pattern), response: rule.response }];
      } catch {
        return []; // config validation reports bad patterns; here they never match
      }
    });
  }

  #random32 = (): number => Math.floor(this.#random() * 0x100000000) >>> 0;

  transactionTag(req: SipRequest): string {
    return this.profile.tag(this.#random32, branchOf(req));
  }

  dialogTag(scope: RequestScope): string {
    // Kept with the dialog: a string of its own (a pjsip tag is a slice of the request's branch).
    if (scope.dialog.tag === null) scope.dialog.tag = detach(this.transactionTag(scope.req));
    return scope.dialog.tag;
  }

  nonce(now: Date): string {
    return this.profile.nonce(this.#random32, Math.floor(now.getTime() / 1000));
  }

  opaque(): string {
    return this.#random32().toString(16).padStart(8, '0');
  }

  reply(scope: RequestScope, spec: ResponseSpec, isFinal: boolean): Answer {
    const data = buildResponse(scope.req, spec, {
      profile: this.profile,
      server: this.#server,
      srcIp: scope.ctx.srcIp,
      srcPort: scope.ctx.srcPort,
    });
    const status = spec.status;
    const cseq = parseCSeq(getHeader(scope.req, 'CSeq') ?? '');
    const retransmit = isFinal && cseq?.method === 'INVITE' && scope.ctx.transport === 'udp';
    if (!retransmit) return { replies: [{ data, status }], response: status };
    const key = retransmitKey(scope.ctx, getHeader(scope.req, 'Call-ID') ?? '', cseq.seq);
    return { replies: [{ data, status, retransmitKey: key }], response: status };
  }

  dialStatus(exten: string): number {
    for (const rule of this.#dialRules) if (rule.re.test(exten)) return rule.response;
    return this.#dialDefault;
  }
}
