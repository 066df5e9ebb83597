/**
 * @module
 * `sipsnare report` (placeholder until its issue lands).
 */
import { SnareError } from '../../errors.js';
import type { Command } from '../command.js';

export const command: Command = {
  name: 'report',
  summary: '(not built yet)',
  usage: 'usage: sipsnare report',
  run() {
    return Promise.reject(new SnareError('SNARE_ERR_USAGE', 'report is not built yet'));
  },
};
