/**
 * @module
 * Which handler answers a request, by Request-URI scheme and method, and
 * the one-line answers that need no handler of their own (OPTIONS,
 * NOTIFY, PUBLISH, REFER, in-dialog methods without a dialog, unknown
 * methods).
 */
import { parseUri } from '../../sip/uri.js';
import { handleCancel, handleInvite } from './invite.js';
import { handleRegister } from './register.js';
import type { Answer, RequestScope } from './scope.js';
import { handleMessage, handleSubscribe } from './subscribe.js';

const NON_DIALOG_481 = new Set(['BYE', 'INFO', 'UPDATE', 'PRACK']);

/** One final answer with the dialog's To tag, never retransmitted. */
function plain(
  scope: RequestScope,
  status: number,
  reason: string,
  extra?: readonly (readonly [string, string])[],
): Answer {
  const toTag = scope.pbx.dialogTag(scope);
  return scope.pbx.reply(scope, { status, reason, toTag, ...(extra ? { extra } : {}) }, false);
}

/** The answer to a well-formed request that is not a retransmission. */
export function dispatch(scope: RequestScope, seq: number): Answer {
  const { req, pbx } = scope;
  const { profile } = pbx;
  const r = profile.reasons;
  const ruri = parseUri(req.uri);
  if (ruri === null)
    return pbx.reply(
      scope,
      { status: 400, reason: r.badRequest, toTag: pbx.dialogTag(scope) },
      true,
    );
  if (ruri.scheme !== 'sip' && ruri.scheme !== 'sips' && ruri.scheme !== 'tel')
    return pbx.reply(
      scope,
      { status: 416, reason: r.unsupportedScheme, toTag: pbx.dialogTag(scope) },
      true,
    );
  switch (req.method) {
    case 'OPTIONS': {
      const user = ruri.user;
      const status = user === null || user === '' ? profile.optionsNoUserStatus : 404;
      const reason = status === 200 ? r.ok : r.notFound;
      return plain(scope, status, reason, [['Accept', profile.accept]]);
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
      return plain(scope, 489, r.badEventNotify);
    case 'PUBLISH':
      return plain(scope, 489, r.badEvent);
    case 'REFER':
      return plain(scope, 603, r.declinedNoDialog);
    default:
      if (NON_DIALOG_481.has(req.method)) return plain(scope, 481, r.callLegDoesNotExist);
      return plain(scope, 501, r.notImplemented, [['Accept', profile.accept]]);
  }
}
