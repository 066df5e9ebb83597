/**
 * @module
 * The Asterisk persona: one framed message in, the answers and the event's
 * SIP fields out. It decides per method what a chan_sip (or, roughly,
 * res_pjsip) Asterisk with an empty default context would answer, keeps
 * bounded per-dialog state (tags, nonces, a ringing INVITE, answers for
 * retransmissions) and never sends a 200 to an INVITE, media or a request
 * of its own. Never throws: any input ends as an event.
 */
import type { SensorConfig } from '../../config/types.js';
import { getHeader } from '../../sip/headers.js';
import type { SipRequest } from '../../sip/message.js';
import { parse } from '../../sip/parse.js';
import { parseUri } from '../../sip/uri.js';
import { parseCSeq, topVia, validateMessage } from '../../sip/validate.js';
import { viaParam } from '../../sip/via.js';
import { CredentialRecovery } from '../../sip-fields/credentials.js';
import { excerptOf, messageFields } from '../../sip-fields/fields.js';
import { profileFor, type PersonaProfile } from './profile.js';
import { buildResponse, type ResponseSpec } from './response.js';
import { LruMap } from '../../lru-map.js';
import {
  newDialog,
  rememberAnswer,
  type DialogState,
  type PendingInvite,
  type Registration,
} from './state.js';
import type {
  InboundContext,
  OutboundMessage,
  Persona,
  PersonaFields,
  PersonaResult,
} from './types.js';
import { handleRegister } from './register.js';
import { handleCancel, handleInvite } from './invite.js';
import { handleMessage, handleSubscribe } from './subscribe.js';
import { finalReason } from './reasons.js';

export interface PersonaDeps {
  /** Uniform in [0, 1): tags, nonces. Inject a seeded source in tests. */
  readonly random: () => number;
}

/** What a method handler produces. */
export interface Answer {
  readonly replies: OutboundMessage[];
  /** Final code for the event (or the last provisional one when no final was sent). */
  readonly response: number | null;
  /** Set when the answer left an INVITE ringing: the pending INVITE a CANCEL or the ring timeout ends. */
  readonly ringing?: PendingInvite;
}

/** Everything a handler needs for one request. */
export interface RequestScope {
  readonly req: SipRequest;
  readonly ctx: InboundContext;
  readonly dialog: DialogState;
  readonly fields: PersonaFields;
  readonly persona: AsteriskPersona;
}

const NON_DIALOG_481 = new Set(['BYE', 'INFO', 'UPDATE', 'PRACK']);

export class AsteriskPersona implements Persona {
  readonly profile: PersonaProfile;
  readonly config: SensorConfig;
  readonly #random: () => number;
  readonly credentials: CredentialRecovery;
  readonly #dialogs: LruMap<string, DialogState>;
  /** Registered peers by `ip|port` (chan_sip matches unknown names by source address). */
  readonly registrations: LruMap<string, Registration>;
  readonly alwaysAuthReject: boolean;
  readonly #dialRules: readonly { readonly re: RegExp; readonly response: number }[];

  constructor(config: SensorConfig, deps: PersonaDeps) {
    this.config = config;
    this.profile = profileFor(config.persona.preset);
    this.#random = deps.random;
    this.credentials = new CredentialRecovery(config.credentials.wordlist);
    this.#dialogs = new LruMap(config.limits.max_dialogs);
    this.registrations = new LruMap(config.limits.max_dialogs);
    this.alwaysAuthReject = config.persona.always_auth_reject || this.profile.forceAuthReject;
    this.#dialRules = config.dial.rules.flatMap((rule) => {
      try {
        return [{ re: new RegExp(rule.pattern), response: rule.response }];
      } catch {
        return []; // config validation reports bad patterns; here they never match
      }
    });
  }

  random32 = (): number => Math.floor(this.#random() * 0x100000000) >>> 0;

  newTag(branch: string | null): string {
    return this.profile.tag(this.random32, branch);
  }

  newNonce(now: Date): string {
    return this.profile.nonce(this.random32, Math.floor(now.getTime() / 1000));
  }

  handle(bytes: Uint8Array, ctx: InboundContext): PersonaResult {
    try {
      return this.#handle(bytes, ctx);
    } catch {
      // Defence in depth: a bug must cost one event, never the sensor.
      return {
        event: 'sip.malformed',
        fields: {
          size: bytes.length,
          reason: 'internal_error',
          excerpt: excerptOf(bytes),
          response: null,
        },
        replies: [],
        stopRetransmit: [],
      };
    }
  }

  #handle(bytes: Uint8Array, ctx: InboundContext): PersonaResult {
    const parsed = parse(bytes, {
      maxBytes: this.config.limits.max_message_bytes,
      maxHeaders: this.config.limits.max_headers,
    });
    if (!parsed.ok) {
      return silent('sip.malformed', {
        size: bytes.length,
        reason: parsed.reason,
        excerpt: excerptOf(bytes),
        response: null,
      });
    }
    const msg = parsed.message;
    // Built once and filled in place (no spreads on the per-message path).
    const fields = messageFields(msg, bytes.length);
    fields.response = null;
    // Stray responses: chan_sip drops what matches no transaction of its own.
    if (msg.kind === 'response') return silent('sip.response', fields);
    const problems = validateMessage(msg);
    const viaMissing = problems.some((p) => p.header === 'Via' && p.reason === 'missing_header');
    if (viaMissing || msg.method === 'ACK') {
      if (problems.length > 0) {
        fields.reason = problems[0]?.reason ?? null;
        fields.excerpt = excerptOf(bytes);
        return silent('sip.malformed', fields);
      }
    }
    const callId = getHeader(msg, 'Call-ID') ?? '';
    const dialogKey = `${ctx.srcIp}|${callId}`;
    let dialog = this.#dialogs.get(dialogKey);
    if (!dialog) {
      dialog = newDialog();
      if (callId !== '') this.#dialogs.set(dialogKey, dialog);
    }
    const scope: RequestScope = { req: msg, ctx, dialog, fields, persona: this };
    if (problems.length > 0) {
      // chan_sip: no Call-ID/From/To/CSeq, or an unreadable CSeq -> 400 (From and To echoed).
      const answer = this.reply(
        scope,
        { status: 400, reason: this.profile.reasons.badRequest, toTag: this.dialogTag(scope) },
        true,
      );
      fields.response = 400;
      fields.reason = problems[0]?.reason ?? null;
      fields.excerpt = excerptOf(bytes);
      return {
        event: 'sip.malformed',
        fields,
        replies: answer.replies,
        stopRetransmit: [],
      };
    }
    const cseq = parseCSeq(getHeader(msg, 'CSeq') ?? '');
    const seq = cseq?.seq ?? 0;
    const ackKey = this.retransmitKey(ctx, callId, seq);
    if (msg.method === 'ACK')
      return { event: 'sip.request', fields, replies: [], stopRetransmit: [ackKey] };

    // A retransmitted request gets the very same answer (same tag, same nonce).
    const branch = this.branchOf(msg);
    const requestKey = `${msg.method}|${seq}|${branch ?? ''}`;
    const previous = dialog.answers.find((a) => a.key === requestKey);
    if (previous && msg.method !== 'CANCEL') {
      const replies = previous.replies.map((data) =>
        previous.retransmitKey === null
          ? { data }
          : { data, retransmitKey: previous.retransmitKey },
      );
      fields.response = previous.response;
      return {
        event: 'sip.request',
        fields,
        replies,
        stopRetransmit: [],
      };
    }
    const answer = this.dispatch(scope, seq);
    const finals = answer.replies.filter(
      (r) => !r.data.subarray(8, 12).toString('latin1').startsWith('100'),
    );
    rememberAnswer(
      dialog,
      requestKey,
      finals.map((r) => r.data),
      finals.find((r) => r.retransmitKey !== undefined)?.retransmitKey ?? null,
      answer.response,
    );
    fields.response = answer.response;
    const pending = answer.ringing;
    if (pending !== undefined && this.config.dial.ring_seconds > 0) {
      // Built now, so the timer holds a few hundred bytes, not the request.
      const busy = this.reply(
        scope,
        { status: 486, reason: finalReason(486), toTag: pending.toTag },
        true,
      ).replies;
      return {
        event: 'sip.request',
        fields,
        replies: answer.replies,
        stopRetransmit: [],
        later: {
          afterMs: this.config.dial.ring_seconds * 1000,
          run: () => ringTimeout(dialog, requestKey, pending, busy),
        },
      };
    }
    return {
      event: 'sip.request',
      fields,
      replies: answer.replies,
      stopRetransmit: [],
    };
  }

  retransmitKey(ctx: InboundContext, callId: string, seq: number): string {
    return `${ctx.srcIp}|${callId}|${seq}`;
  }

  /** The tag non-INVITE answers of this dialog use (kept from 401 to 200 on REGISTER). */
  dialogTag(scope: RequestScope): string {
    if (scope.dialog.tag === null) scope.dialog.tag = this.newTag(this.branchOf(scope.req));
    return scope.dialog.tag;
  }

  branchOf(req: SipRequest): string | null {
    const via = topVia(req);
    return via ? (viaParam(via, 'branch') ?? null) : null;
  }

  /** Builds one answer; `final` INVITE answers over UDP get a retransmission key. */
  reply(scope: RequestScope, spec: ResponseSpec, isFinal: boolean): Answer {
    const data = buildResponse(scope.req, spec, {
      profile: this.profile,
      server: this.config.persona.server,
      srcIp: scope.ctx.srcIp,
      srcPort: scope.ctx.srcPort,
    });
    const cseq = parseCSeq(getHeader(scope.req, 'CSeq') ?? '');
    const retransmit = isFinal && cseq?.method === 'INVITE' && scope.ctx.transport === 'udp';
    if (!retransmit) return { replies: [{ data }], response: spec.status };
    const key = this.retransmitKey(scope.ctx, getHeader(scope.req, 'Call-ID') ?? '', cseq.seq);
    return { replies: [{ data, retransmitKey: key }], response: spec.status };
  }

  /** The final answer the dial plan gives a dialed string (first matching rule, else the default). */
  dialStatus(exten: string): number {
    for (const rule of this.#dialRules) if (rule.re.test(exten)) return rule.response;
    return this.config.dial.default;
  }

  dispatch(scope: RequestScope, seq: number): Answer {
    const { req } = scope;
    const r = this.profile.reasons;
    const tag = (): string => this.dialogTag(scope);
    const ruri = parseUri(req.uri);
    if (ruri === null)
      return this.reply(scope, { status: 400, reason: r.badRequest, toTag: tag() }, true);
    if (ruri.scheme !== 'sip' && ruri.scheme !== 'sips' && ruri.scheme !== 'tel')
      return this.reply(scope, { status: 416, reason: r.unsupportedScheme, toTag: tag() }, true);
    switch (req.method) {
      case 'OPTIONS': {
        const user = parseUri(req.uri)?.user ?? null;
        const status = user === null || user === '' ? this.profile.optionsNoUserStatus : 404;
        const reason = status === 200 ? r.ok : r.notFoundOptions;
        return this.reply(
          scope,
          { status, reason, toTag: tag(), extra: [['Accept', this.profile.accept]] },
          false,
        );
      }
      case 'REGISTER':
        return handleRegister(scope);
      case 'INVITE':
        return handleInvite(scope);
      case 'SUBSCRIBE':
        return handleSubscribe(scope);
      case 'MESSAGE':
        return handleMessage(scope);
      case 'CANCEL':
        return handleCancel(scope, seq);
      case 'NOTIFY':
        return this.reply(scope, { status: 489, reason: r.badEventNotify, toTag: tag() }, false);
      case 'PUBLISH':
        return this.reply(scope, { status: 489, reason: r.badEventPublish, toTag: tag() }, false);
      case 'REFER':
        return this.reply(scope, { status: 603, reason: r.declinedNoDialog, toTag: tag() }, false);
      default:
        if (NON_DIALOG_481.has(req.method))
          return this.reply(
            scope,
            { status: 481, reason: r.callLegDoesNotExist, toTag: tag() },
            false,
          );
        return this.reply(
          scope,
          {
            status: 501,
            reason: r.notImplemented,
            toTag: tag(),
            extra: [['Accept', this.profile.accept]],
          },
          false,
        );
    }
  }
}

/**
 * A ringing INVITE that rang `dial.ring_seconds`: `busy` (486 Busy Here with
 * the To tag of its 180, as the dial plan's Busy() after Wait() answers),
 * retransmitted until the ACK. Nothing when a CANCEL (or a new INVITE)
 * ended the ringing first. A retransmitted INVITE then gets the 486.
 */
function ringTimeout(
  dialog: DialogState,
  requestKey: string,
  pending: PendingInvite,
  busy: readonly OutboundMessage[],
): readonly OutboundMessage[] {
  if (dialog.pending !== pending) return [];
  dialog.pending = null;
  rememberAnswer(
    dialog,
    requestKey,
    busy.map((r) => r.data),
    busy[0]?.retransmitKey ?? null,
    486,
  );
  return busy;
}

function silent(event: PersonaResult['event'], fields: PersonaFields): PersonaResult {
  return { event, fields, replies: [], stopRetransmit: [] };
}
