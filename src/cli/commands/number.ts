/**
 * @module
 * `sipsnare number` (placeholder until its issue lands).
 */
import { SnareError } from '../../errors.js';
import type { Command } from '../command.js';

export const command: Command = {
  name: 'number',
  summary: '(not built yet)',
  usage: 'usage: sipsnare number',
  run() {
    return Promise.reject(new SnareError('SNARE_ERR_USAGE', 'number is not built yet'));
  },
};
