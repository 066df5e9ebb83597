/**
 * @module
 * `sipsnare run` (placeholder until its issue lands).
 */
import { SnareError } from '../../errors.js';
import type { Command } from '../command.js';

export const command: Command = {
  name: 'run',
  summary: '(not built yet)',
  usage: 'usage: sipsnare run',
  run() {
    return Promise.reject(new SnareError('SNARE_ERR_USAGE', 'run is not built yet'));
  },
};
