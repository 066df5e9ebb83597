/**
 * @module
 * The Asterisk persona: one framed message in, the answers and the event's
 * SIP fields out. It decides per method what a chan_sip (or, roughly,
 * res_pjsip) Asterisk with an empty default context would answer, keeps
 * bounded per-dialog state (tags, nonces, a ringing INVITE, answers for
 * retransmissions) and never sends a 200 to an INVITE, media or a request
 * of its own. Any input ends as an event; only a bug throws, and the
 * sensor records that as `internal_error`.
 *
 * One message goes through named steps: parse, screen (silence or 400 for
 * what cannot be answered), find the dialog, resend a remembered answer to
 * a retransmission, else dispatch to the method's handler and remember its
 * answer, and arm the ring timeout of an INVITE left ringing.
 */
import type { SensorConfig } from '../../config/types.js';
import { getHeader } from '../../sip/headers.js';
import type { SipMessage, SipRequest } from '../../sip/message.js';
import { parse } from '../../sip/parse.js';
import { parseCSeq, validateMessage } from '../../sip/validate.js';
import { dispatch } from './dispatch.js';
import { excerptOf } from '../../sip/excerpt.js';
import { messageFields } from '../../sip-fields/fields.js';
import { AsteriskPbx, branchOf, retransmitKey } from './pbx.js';
import { finalReason } from './reasons.js';
import type { RequestScope } from './scope.js';
import { dispatchPjsip } from './pjsip/dispatch.js';
import { PjsipPbx } from './pjsip/pbx.js';
import { DialogTable } from './dialogs.js';
import {
  keepReply,
  replyOf,
  type DialogState,
  type KeptReply,
  type PendingInvite,
  type SentReply,
} from './state.js';
import type {
  DeferredAnswer,
  InboundContext,
  OutboundMessage,
  Persona,
  PersonaFields,
  PersonaResult,
} from './types.js';

export type { Answer, RequestScope } from './scope.js';

export interface PersonaDeps {
  /** Uniform in [0, 1): tags, nonces. Inject a seeded source in tests. */
  readonly random: () => number;
}

export class AsteriskPersona implements Persona {
  readonly #config: SensorConfig;
  readonly #pbx: AsteriskPbx;
  readonly #dialogs: DialogTable;
  /** The res_pjsip side of the PBX; null for the chan_sip presets. */
  readonly #pjsip: PjsipPbx | null;

  constructor(config: SensorConfig, deps: PersonaDeps) {
    this.#config = config;
    this.#pbx = new AsteriskPbx(config, deps.random);
    this.#dialogs = new DialogTable(config.limits.max_dialogs);
    const { persona, limits } = config;
    this.#pjsip =
      persona.preset === 'pjsip'
        ? new PjsipPbx(
            persona.server,
            persona.realm,
            () => Math.floor(deps.random() * 0x100000000) >>> 0,
            limits.max_dialogs,
          )
        : null;
  }

  /** A bug throws: the sensor's boundary logs it and records the input as `internal_error`. */
  handle(bytes: Uint8Array, ctx: InboundContext): PersonaResult {
    return this.#handle(bytes, ctx);
  }

  #handle(bytes: Uint8Array, ctx: InboundContext): PersonaResult {
    const parsed = parse(bytes, {
      maxBytes: this.#config.limits.max_message_bytes,
      maxHeaders: this.#config.limits.max_headers,
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
    const silence = screen(msg, problems, fields, bytes, this.#pjsip !== null);
    if (silence !== null) return silence;
    const scope: RequestScope = {
      req: msg,
      ctx,
      dialog: this.#dialogOf(msg, ctx),
      fields,
      pbx: this.#pbx,
    };
    if (problems.length > 0) return this.#badRequest(scope, problems[0]?.reason ?? null, bytes);
    const seq = parseCSeq(getHeader(msg, 'CSeq') ?? '')?.seq ?? 0;
    if (msg.method === 'ACK') {
      const ackKey = retransmitKey(ctx, getHeader(msg, 'Call-ID') ?? '', seq);
      return { event: 'sip.request', fields, replies: [], stopRetransmit: [ackKey] };
    }
    // Joined into a string of its own (kept with the answer; the branch is a slice of the request).
    const requestKey = [msg.method, seq, branchOf(msg) ?? ''].join('|');
    const resent = msg.method === 'CANCEL' ? null : resend(scope.dialog, requestKey, fields);
    if (resent !== null) return resent;
    const answer =
      this.#pjsip === null ? dispatch(scope, seq) : dispatchPjsip(scope, this.#pjsip, seq);
    const replies =
      answer.stateless === true
        ? answer.replies
        : this.#remember(scope.dialog, requestKey, answer.replies, answer.response);
    fields.response = answer.response;
    const result: PersonaResult = { event: 'sip.request', fields, replies, stopRetransmit: [] };
    const pending = answer.ringing;
    if (pending === undefined || this.#config.dial.ring_seconds <= 0) return result;
    return { ...result, later: this.#ringTimeout(scope, requestKey, pending) };
  }

  /** The dialog of this Call-ID from this source (a throwaway one when the request has no Call-ID). */
  #dialogOf(msg: SipRequest, ctx: InboundContext): DialogState {
    return this.#dialogs.of(ctx.srcIp, getHeader(msg, 'Call-ID') ?? '');
  }

  /**
   * Keeps an answer's finals (not its 100 Trying) for the retransmissions
   * of its request. Returns the replies to send, the finals carrying the
   * kept copy of their bytes (which the retransmission table then shares).
   */
  #remember(
    dialog: DialogState,
    requestKey: string,
    replies: readonly OutboundMessage[],
    response: number | null,
  ): readonly OutboundMessage[] {
    const sent = replies.map((r) => (r.status === 100 ? r : withText(r)));
    const finals = sent.filter((r) => r.status !== 100);
    this.#dialogs.remember(
      dialog,
      requestKey,
      finals.map(sentReply),
      finals.find((r) => r.retransmitKey !== undefined)?.retransmitKey ?? null,
      response,
    );
    return sent;
  }

  /** chan_sip: no Call-ID/From/To/CSeq, or an unreadable CSeq -> 400 (From and To echoed). */
  #badRequest(scope: RequestScope, reason: string | null, bytes: Uint8Array): PersonaResult {
    const { pbx, fields } = scope;
    const answer = pbx.reply(
      scope,
      { status: 400, reason: pbx.profile.reasons.badRequest, toTag: pbx.dialogTag(scope) },
      true,
    );
    fields.response = 400;
    fields.reason = reason;
    fields.excerpt = excerptOf(bytes);
    return { event: 'sip.malformed', fields, replies: answer.replies, stopRetransmit: [] };
  }

  /**
   * The busy signal of an INVITE left ringing, due after `dial.ring_seconds`
   * (built now and kept as text, so the timer holds its bytes, not the
   * request; the bytes count towards the bound of deferred answers).
   */
  #ringTimeout(scope: RequestScope, requestKey: string, pending: PendingInvite): DeferredAnswer {
    const { pbx, dialog } = scope;
    const busy =
      pending.busy ??
      pbx
        .reply(
          scope,
          { status: 486, reason: finalReason(pbx.profile.finals, 486), toTag: pending.toTag },
          true,
        )
        .replies.map(keepReply);
    let bytes = 0;
    for (const r of busy) bytes += r.text.length;
    const dialogs = this.#dialogs;
    return {
      afterMs: this.#config.dial.ring_seconds * 1000,
      bytes,
      run: () => ringTimeout(dialogs, dialog, requestKey, pending, busy),
    };
  }
}

/**
 * Silence for what cannot be answered: a request without Via, or an ACK
 * with any problem (chan_sip answers neither); with `dropAll` (pjsip, whose
 * parser drops a message missing a mandatory header or with one it cannot
 * read), any problem. Null when the request goes on.
 */
function screen(
  msg: SipMessage,
  problems: ReturnType<typeof validateMessage>,
  fields: PersonaFields,
  bytes: Uint8Array,
  dropAll: boolean,
): PersonaResult | null {
  if (problems.length === 0) return null;
  const viaMissing = problems.some((p) => p.header === 'Via' && p.reason === 'missing_header');
  const isAck = msg.kind === 'request' && msg.method === 'ACK';
  if (!dropAll && !viaMissing && !isAck) return null;
  fields.reason = problems[0]?.reason ?? null;
  fields.excerpt = excerptOf(bytes);
  return silent('sip.malformed', fields);
}

/** A retransmitted request gets the very same answer (same tag, same nonce); null if new. */
function resend(
  dialog: DialogState,
  requestKey: string,
  fields: PersonaFields,
): PersonaResult | null {
  const previous = dialog.answers.find((a) => a.key === requestKey);
  if (!previous) return null;
  const key = previous.retransmitKey;
  const replies = previous.replies.map((r): OutboundMessage => ({
    data: Buffer.from(r.text, 'latin1'),
    status: r.status,
    text: r.text,
    ...(key === null ? {} : { retransmitKey: key }),
  }));
  fields.response = previous.response;
  return { event: 'sip.request', fields, replies, stopRetransmit: [] };
}

/** A reply with its bytes as a latin1 string too (the copy kept). */
function withText(r: OutboundMessage): OutboundMessage {
  return r.text !== undefined ? r : { ...r, text: r.data.toString('latin1') };
}

/** What a dialog keeps of a reply that carries its text. */
function sentReply(r: OutboundMessage): SentReply {
  return { text: r.text ?? r.data.toString('latin1'), status: r.status };
}

/**
 * A ringing INVITE that rang `dial.ring_seconds`: `busy` (486 Busy Here with
 * the To tag of its 180, as the dial plan's Busy() after Wait() answers),
 * retransmitted until the ACK. Nothing when a CANCEL (or a new INVITE)
 * ended the ringing first. A retransmitted INVITE then gets the 486.
 */
function ringTimeout(
  dialogs: DialogTable,
  dialog: DialogState,
  requestKey: string,
  pending: PendingInvite,
  busy: readonly KeptReply[],
): readonly OutboundMessage[] {
  if (dialog.pending !== pending) return [];
  dialog.pending = null;
  dialogs.remember(
    dialog,
    requestKey,
    busy.map((r): SentReply => ({ text: r.text, status: r.status })),
    busy[0]?.retransmitKey ?? null,
    486,
  );
  return busy.map(replyOf);
}

function silent(event: PersonaResult['event'], fields: PersonaFields): PersonaResult {
  return { event, fields, replies: [], stopRetransmit: [] };
}
