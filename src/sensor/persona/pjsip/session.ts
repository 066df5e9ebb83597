/**
 * @module
 * INVITE and CANCEL after the digest, as res_pjsip_session and chan_pjsip
 * answer them: `100 Trying` (no To tag), then the dial plan's answer in a
 * dialog whose local tag is a UUID. A busy answer carries the Q.850 cause
 * Asterisk hung up with (`Reason: Q.850;cause=17` on 486); `180 Ringing`
 * carries Contact and Allow. A CANCEL of a ringing INVITE gets its 200
 * first, then the INVITE's 487 (`Reason: Q.850;cause=0`). Final answers
 * are retransmitted until the ACK. Never a 200 to an INVITE.
 */
import { getHeader } from '../../../sip/headers.js';
import type { HeaderLine } from '../../../sip/serialize.js';
import { parseUri } from '../../../sip/uri.js';
import { parseCSeq } from '../../../sip/validate.js';
import { branchOf } from '../pbx.js';
import { detach, detachOrNull, keepReply } from '../state.js';
import { finalReason } from '../reasons.js';
import type { Answer, RequestScope } from '../scope.js';
import type { PjsipPbx } from './pbx.js';

/**
 * The Q.850 cause behind each SIP answer Asterisk's hangup causes map to
 * (chan_pjsip's hangup_cause2sip, read backwards); answers no cause maps
 * to go out without a Reason header.
 */
const Q850_CAUSE: Readonly<Record<number, number>> = {
  403: 21,
  404: 1,
  408: 18,
  410: 22,
  480: 19,
  484: 28,
  486: 17,
  488: 65,
  500: 38,
  502: 27,
  503: 34,
};

/** The Reason header of a final answer, when Asterisk writes one. */
export function reasonHeader(status: number): HeaderLine[] {
  const cause = Q850_CAUSE[status];
  return cause === undefined ? [] : [['Reason', `Q.850;cause=${cause}`]];
}

/** INVITE: 420 for unknown Require, else 100 Trying and the dial plan's answer. */
export function handleInvite(scope: RequestScope, pj: PjsipPbx): Answer {
  const { pbx, req, ctx } = scope;
  const r = pbx.profile.reasons;
  const allow: HeaderLine = ['Allow', pbx.profile.allow];
  const unsupported = (getHeader(req, 'Require') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && !/^(100rel|timer|replaces|norefersub)$/i.test(s));
  if (unsupported.length > 0) {
    const after: HeaderLine[] = [['Unsupported', unsupported.join(', ')]];
    const toTag = pj.branchTag(req);
    return pj.reply(scope, { status: 420, reason: r.badExtension, toTag, after }, false);
  }
  const trying = pj.reply(scope, { status: 100, reason: r.trying, toTag: null }, false);
  const tag = pj.uuid();
  const exten = parseUri(req.uri)?.user ?? '';
  let status = pbx.dialStatus(exten);
  if (status >= 200 && status < 300) status = 486; // never connect a call
  if (status === 180 || status === 183) {
    const host = ctx.dstIp.includes(':') ? `[${ctx.dstIp}]` : ctx.dstIp;
    const after: HeaderLine[] = [['Contact', `<sip:${host}:${ctx.dstPort}>`], allow];
    const ringing = pj.reply(scope, { status: 180, reason: r.ringing, toTag: tag, after }, false);
    const seq = parseCSeq(getHeader(req, 'CSeq') ?? '')?.seq ?? 0;
    const busy = pj.reply(
      scope,
      {
        status: 486,
        reason: finalReason(pbx.profile.finals, 486),
        toTag: tag,
        after: reasonHeader(486),
      },
      true,
    ).replies;
    // Kept while it rings: strings of its own, not slices of the request.
    const pending = {
      cseq: seq,
      branch: detachOrNull(branchOf(req)),
      toTag: detach(tag),
      busy: busy.map(keepReply),
    };
    scope.dialog.pending = pending;
    return { replies: [...trying.replies, ...ringing.replies], response: 180, ringing: pending };
  }
  const reason = finalReason(pbx.profile.finals, status);
  const final = pj.reply(scope, { status, reason, toTag: tag, after: reasonHeader(status) }, true);
  return { replies: [...trying.replies, ...final.replies], response: status };
}

/** CANCEL of the ringing INVITE: 200 for the CANCEL, then 487 for the INVITE; else 481. */
export function handleCancel(scope: RequestScope, pj: PjsipPbx, seq: number): Answer {
  const { pbx, dialog } = scope;
  const r = pbx.profile.reasons;
  const pending = dialog.pending;
  if (pending?.cseq !== seq) {
    const toTag = pj.branchTag(scope.req);
    const answer = pj.reply(scope, { status: 481, reason: r.callLegDoesNotExist, toTag }, false);
    return { ...answer, stateless: true };
  }
  dialog.pending = null;
  const ok = pj.reply(scope, { status: 200, reason: r.ok, toTag: pending.toTag }, false);
  const after: HeaderLine[] = [['Allow', pbx.profile.allow], ...reasonHeader487];
  const terminated = pj.reply(
    scope,
    { status: 487, reason: r.requestTerminated, toTag: pending.toTag, cseqMethod: 'INVITE', after },
    true,
  );
  return { replies: [...ok.replies, ...terminated.replies], response: 200 };
}

const reasonHeader487: HeaderLine[] = [['Reason', 'Q.850;cause=0']];
