/**
 * @module
 * Widths of text in terminal columns, for the text report's 120-column
 * layout: East Asian wide and fullwidth characters (and emoji shown wide)
 * take two columns (Unicode's East Asian Width data, get-east-asian-width),
 * combining marks and format characters none, everything else one.
 * Cutting and wrapping never split a surrogate pair.
 */
import { eastAsianWidth } from 'get-east-asian-width';

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;

function charWidth(ch: string): number {
  if (ZERO_WIDTH.test(ch)) return 0;
  return eastAsianWidth(ch.codePointAt(0) ?? 0, { ambiguousAsWide: false });
}

/** Columns `text` takes in a terminal. */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += charWidth(ch);
  return w;
}

/** `text` cut to at most `width` columns, ending in `…` when it was cut. */
export function cutToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  let w = 0;
  for (const ch of text) {
    const cw = charWidth(ch);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

/** `text` padded with spaces to `width` columns, on the right (or the left for `start`). */
export function padToWidth(text: string, width: number, start = false): string {
  const pad = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return start ? pad + text : text + pad;
}

/**
 * `text` in lines of at most `width` columns: broken at spaces where it
 * can be, inside a word longer than a line where it must.
 */
export function wrapToWidth(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  let lineW = 0;
  const push = (): void => {
    lines.push(line.trimEnd());
    line = '';
    lineW = 0;
  };
  for (const word of text.split(/(?<= )/)) {
    const ww = displayWidth(word.trimEnd());
    if (lineW > 0 && lineW + ww > width) push();
    if (ww <= width) {
      line += word;
      lineW += displayWidth(word);
      continue;
    }
    for (const ch of word) {
      const cw = charWidth(ch);
      if (lineW + cw > width) push();
      line += ch;
      lineW += cw;
    }
  }
  if (line.trim() !== '' || lines.length === 0) push();
  return lines;
}
