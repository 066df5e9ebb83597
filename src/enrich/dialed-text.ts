/**
 * @module enrich/dialed-text
 * Cleans a dialed string as it arrives from an INVITE (Request-URI user
 * part, legacy log `to:` field): URI junk, percent-escapes, visual
 * separators, masks. Produces digits plus what was noticed, never throws.
 */

/** The cleaned form of one dialed string. */
export interface CleanDialed {
  /** Digits, with masked positions as 'X'. */
  readonly digits: string;
  /** Index in `digits` just after an explicit '+', or -1. */
  readonly plusAt: number;
  /** True when masked positions ('X', 'x', or '*' between digits) were found. */
  readonly masked: boolean;
  /** A leading '*' or '#': a PBX feature code, not a number. */
  readonly featureCode: boolean;
  /** Letters or symbols that cannot be part of a number. */
  readonly junk: boolean;
  readonly notes: string[];
}

/** Attacker strings can be long; nothing past this is looked at. */
export const MAX_DIALED_TEXT = 128;

function percentDecode(s: string): string {
  return s.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Strips URI wrapping and separators and classifies the remaining characters. */
export function cleanDialed(input: string): CleanDialed {
  const notes: string[] = [];
  let s = input.slice(0, MAX_DIALED_TEXT).trim();
  if (s.length < input.length) notes.push('trimmed');
  const scheme = /^(?:sips?|tel):/i.exec(s);
  if (scheme) {
    s = s.slice(scheme[0].length);
    notes.push(`removed "${scheme[0]}"`);
  }
  const at = s.indexOf('@');
  if (at >= 0) s = s.slice(0, at);
  const semi = s.indexOf(';');
  if (semi >= 0) s = s.slice(0, semi);
  if (s.includes('%')) {
    const d = percentDecode(s);
    if (d !== s) notes.push('decoded percent-escapes');
    s = d;
  }
  const featureCode = /^[*#]/.test(s);
  // Collected apart and joined once: `digits += c` makes a rope of one
  // 32-byte node a character, held for as long as the analysis is cached.
  const out: string[] = [];
  let plusAt = -1;
  let masked = false;
  let junk = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if (c >= '0' && c <= '9') out.push(c);
    else if (c === 'X' || c === 'x') {
      out.push('X');
      masked = true;
    } else if (c === '*' && !featureCode && out.length > 0 && /[0-9Xx*]/.test(s.slice(i + 1))) {
      out.push('X');
      masked = true;
    } else if (c === '+') {
      if (plusAt < 0) plusAt = out.length;
      else if (plusAt === out.length) notes.push('repeated + read as one');
      else junk = true;
    } else if (c === ' ' || c === '-' || c === '.' || c === '(' || c === ')' || c === '/') {
      /* visual separator */
    } else if (c === '#' && i === s.length - 1) {
      notes.push('removed trailing # (end of dialling)');
    } else if (!featureCode || (c !== '*' && c !== '#')) {
      junk = true;
    }
  }
  if (masked) notes.push('masked digits present');
  const digits = out.join('');
  return { digits, plusAt, masked, featureCode, junk, notes };
}
