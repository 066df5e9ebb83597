/**
 * @module
 * `sipsnare sensor` (placeholder until its issue lands).
 */
import { SnareError } from '../../errors.js';
import type { Command } from '../command.js';

export const command: Command = {
  name: 'sensor',
  summary: '(not built yet)',
  usage: 'usage: sipsnare sensor',
  run() {
    return Promise.reject(new SnareError('SNARE_ERR_USAGE', 'sensor is not built yet'));
  },
};
