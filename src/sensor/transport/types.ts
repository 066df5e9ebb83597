/**
 * @module
 * What a transport hands the sensor and how the sensor answers through it.
 * UDP: one datagram is one message, replies go to the source address. TCP
 * and TLS: the stream is framed into messages, replies go back on the same
 * connection. Transports never interpret SIP beyond framing.
 */
import type { Transport } from '../../events/catalog.js';
import type { LimitReason } from '../limits.js';
import type { ListenAddress } from '../../config/listen-url.js';

export interface Peer {
  readonly transport: Transport;
  readonly srcIp: string;
  readonly srcPort: number;
  readonly dstIp: string;
  readonly dstPort: number;
}

export interface InboundMessage extends Peer {
  readonly bytes: Buffer;
  /**
   * Sends bytes back to the peer; never throws (a failed send is dropped).
   * A plain function (no `this`): it may be kept apart from the message.
   */
  readonly reply: (data: Buffer) => void;
}

/** Input a transport rejected before any parsing (becomes sip.malformed). */
export interface TransportMalformed extends Peer {
  /** `too_slow`: a TCP/TLS message that missed its deadline or the minimum rate. */
  readonly reason: 'too_large' | 'bad_content_length' | 'too_slow';
  readonly size: number;
  readonly excerpt: Buffer;
}

export interface TransportHandlers {
  onMessage(msg: InboundMessage): void;
  onMalformed(info: TransportMalformed): void;
  /** A connection refused by a limit (TCP/TLS only). */
  onRefused(peer: Peer, reason: LimitReason): void;
}

export interface Listener {
  /** The address actually bound (port filled in when 0 was asked). */
  readonly address: ListenAddress;
  close(): Promise<void>;
}
