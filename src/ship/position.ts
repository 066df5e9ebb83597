/**
 * @module
 * The shipper's position in the sensor's event files: the file name and the
 * byte offset after the last line the broker acknowledged. Kept in a small
 * JSON file, replaced atomically (written beside, synced, renamed), so a
 * crash leaves the old position or the new one, never a torn one.
 */
import { open, rename } from 'node:fs/promises';
import { readFileSync } from 'node:fs';

export interface Position {
  /** Event file name (no directory): `events-YYYY-MM-DD[.N].jsonl`. */
  readonly file: string;
  /** Bytes of that file shipped and acknowledged. */
  readonly offset: number;
}

/** The saved position, or null when there is none (or it cannot be read: shipping starts over, deduplicated). */
export function loadPosition(path: string): Position | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null) return null;
    const { file, offset } = v as Record<string, unknown>;
    if (typeof file !== 'string' || !/^events-[0-9.-]+\.jsonl$/.test(file)) return null;
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) return null;
    return { file, offset };
  } catch {
    return null;
  }
}

/** Replaces the saved position (atomically, synced to disk). */
export async function savePosition(path: string, pos: Position): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify({ file: pos.file, offset: pos.offset }) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}
