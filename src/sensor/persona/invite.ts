/**
 * @module
 * INVITE and CANCEL: the calls an attacker tries to place. An INVITE is
 * challenged like chan_sip does (401, not 407), and once authenticated gets
 * 100 Trying and the dial plan's final answer (486 Busy Here by default;
 * 180 keeps it ringing until a CANCEL or, after `dial.ring_seconds`, a
 * 486 sent later: the persona's ring timeout). Never a 200, never media.
 */
import { getHeader } from '../../sip/headers.js';
import type { SipRequest } from '../../sip/message.js';
import { parseUri } from '../../sip/uri.js';
import { parseCSeq } from '../../sip/validate.js';
import { branchOf } from './pbx.js';
import { detach, detachOrNull } from './state.js';
import { authenticate } from './peer.js';
import { finalReason } from './reasons.js';
import type { Answer, RequestScope } from './scope.js';

/** INVITE: 420 for unknown Require, the digest exchange, then 100 Trying and the dial plan's answer. */
export function handleInvite(scope: RequestScope): Answer {
  const { pbx, req, ctx } = scope;
  const r = pbx.profile.reasons;
  // Each INVITE transaction gets its own tag: the 401 and the later 486 differ.
  const tag = pbx.transactionTag(req);
  const unsupported = (getHeader(req, 'Require') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && !/^(replaces|timer)$/i.test(s));
  if (unsupported.length > 0)
    return pbx.reply(
      scope,
      {
        status: 420,
        reason: r.badExtension,
        toTag: tag,
        extra: [['Unsupported', unsupported.join(',')]],
      },
      true,
    );
  const denied = authenticate(scope, { status: 403, reason: r.forbidden }, tag);
  if (denied) return denied;
  const exten = parseUri(req.uri)?.user ?? '';
  const host = ctx.dstIp.includes(':') ? `[${ctx.dstIp}]` : ctx.dstIp;
  const contact: [string, string] = ['Contact', `<sip:${exten}@${host}:${ctx.dstPort}>`];
  const trying = pbx.reply(
    scope,
    { status: 100, reason: r.trying, toTag: null, extra: [contact] },
    false,
  );
  let status = pbx.dialStatus(exten);
  if (status >= 200 && status < 300) status = 486; // never connect a call
  if (status === 180 || status === 183) {
    const ringing = pbx.reply(
      scope,
      { status: 180, reason: r.ringing, toTag: tag, extra: [contact] },
      false,
    );
    const seq = parseCSeq(getHeader(req, 'CSeq') ?? '')?.seq ?? 0;
    // Kept while it rings: strings of its own, not slices of the request.
    const pending = { cseq: seq, branch: detachOrNull(branchOf(req)), toTag: detach(tag) };
    scope.dialog.pending = pending;
    return { replies: [...trying.replies, ...ringing.replies], response: 180, ringing: pending };
  }
  const final = pbx.reply(
    scope,
    { status, reason: finalReason(pbx.profile.finals, status), toTag: tag },
    true,
  );
  return { replies: [...trying.replies, ...final.replies], response: status };
}

/** CANCEL of a ringing INVITE: 487 for the INVITE, then 200 for the CANCEL; otherwise 481. */
export function handleCancel(scope: RequestScope, seq: number): Answer {
  const { pbx, req, dialog } = scope;
  const r = pbx.profile.reasons;
  const pending = dialog.pending;
  if (pending?.cseq !== seq) {
    return pbx.reply(
      scope,
      { status: 481, reason: r.callLegDoesNotExist, toTag: pbx.dialogTag(scope) },
      false,
    );
  }
  dialog.pending = null;
  const asInvite: SipRequest = {
    ...req,
    headers: req.headers.map((h) => (h.name === 'CSeq' ? { ...h, value: `${seq} INVITE` } : h)),
  };
  const terminated = pbx.reply(
    { ...scope, req: asInvite },
    { status: 487, reason: r.requestTerminated, toTag: pending.toTag },
    true,
  );
  const ok = pbx.reply(scope, { status: 200, reason: r.ok, toTag: pending.toTag }, false);
  return { replies: [...terminated.replies, ...ok.replies], response: 200 };
}
