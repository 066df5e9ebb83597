/**
 * @module
 * The persona folder's public face: the factory the network runtime calls,
 * and the contract types. Nothing here touches sockets, files or the clock.
 */
import type { SensorConfig } from '../../config/types.js';
import { AsteriskPersona, type PersonaDeps } from './asterisk.js';
import type { Persona } from './types.js';

export type {
  InboundContext,
  OutboundMessage,
  Persona,
  PersonaFields,
  PersonaResult,
} from './types.js';
export type { PersonaDeps } from './asterisk.js';
export { profileFor, type PersonaProfile } from './profile.js';

/**
 * Builds the Asterisk persona for a validated configuration. `random` feeds
 * tags and nonces (use crypto-strength randomness in production so that
 * nonces cannot be predicted; a seeded source in tests). The clock comes
 * with each message (`InboundContext.now`).
 */
export function createAsteriskPersona(config: SensorConfig, deps: PersonaDeps): Persona {
  return new AsteriskPersona(config, deps);
}
