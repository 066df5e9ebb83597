/**
 * @module
 * `sipsnare simulate` (placeholder until its issue lands).
 */
import { SnareError } from '../../errors.js';
import type { Command } from '../command.js';

export const command: Command = {
  name: 'simulate',
  summary: '(not built yet)',
  usage: 'usage: sipsnare simulate',
  run() {
    return Promise.reject(new SnareError('SNARE_ERR_USAGE', 'simulate is not built yet'));
  },
};
