/**
 * @module
 * Event ids: UUID version 7 (RFC 9562), time-ordered and unique within the
 * process even when thousands of events share one millisecond. Ids sort in
 * the order they were made, which the store and the importer use as the
 * idempotency key. Never derives anything from attacker input.
 */
import { randomFillSync } from 'node:crypto';

/** ASCII codes of the hex digits. */
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/**
 * Makes UUIDv7 strings. Within one millisecond the 12-bit `rand_a` field is
 * a counter (RFC 9562 §6.2 method 1) started at a random value below 2048,
 * so ids stay strictly increasing; when the counter overflows the timestamp
 * is advanced by one millisecond rather than reusing a value.
 */
export class EventIdGenerator {
  private lastMs = 0;
  private counter = 0;
  private readonly pool = Buffer.alloc(8 * 512);
  private poolPos = this.pool.length;
  private readonly bytes = Buffer.alloc(16);
  /** The id's text, written in place (dashes preset) and read out as one flat string. */
  private readonly text = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');

  next(nowMs: number = Date.now()): string {
    if (nowMs > this.lastMs) {
      this.lastMs = nowMs;
      this.counter = this.randomByte() << 3; // 0..2040: room to count up
    } else {
      this.counter++;
      if (this.counter > 0xfff) {
        this.lastMs++;
        this.counter = 0;
      }
    }
    const b = this.bytes;
    const ms = this.lastMs;
    b[0] = Math.floor(ms / 2 ** 40) & 0xff;
    b[1] = Math.floor(ms / 2 ** 32) & 0xff;
    b[2] = (ms >>> 24) & 0xff;
    b[3] = (ms >>> 16) & 0xff;
    b[4] = (ms >>> 8) & 0xff;
    b[5] = ms & 0xff;
    b[6] = 0x70 | (this.counter >>> 8);
    b[7] = this.counter & 0xff;
    if (this.poolPos + 8 > this.pool.length) {
      randomFillSync(this.pool);
      this.poolPos = 0;
    }
    this.pool.copy(b, 8, this.poolPos, this.poolPos + 8);
    this.poolPos += 8;
    b[8] = 0x80 | ((b[8] ?? 0) & 0x3f);
    const t = this.text;
    for (let i = 0, o = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) o++; // past the dash
      const v = b[i] ?? 0;
      t[o++] = HEX_DIGITS[v >>> 4] ?? 0x30;
      t[o++] = HEX_DIGITS[v & 0x0f] ?? 0x30;
    }
    return t.toString('latin1', 0, 36);
  }

  private randomByte(): number {
    if (this.poolPos >= this.pool.length) {
      randomFillSync(this.pool);
      this.poolPos = 0;
    }
    return this.pool[this.poolPos++] ?? 0;
  }
}

/** The millisecond timestamp encoded in a UUIDv7 string. */
export function uuidv7Time(id: string): number {
  const hex = id.replace(/-/g, '').slice(0, 12);
  return parseInt(hex, 16);
}
