/**
 * @module
 * `sipsnare ingest` (placeholder until its issue lands).
 */
import { SnareError } from '../../errors.js';
import type { Command } from '../command.js';

export const command: Command = {
  name: 'ingest',
  summary: '(not built yet)',
  usage: 'usage: sipsnare ingest',
  run() {
    return Promise.reject(new SnareError('SNARE_ERR_USAGE', 'ingest is not built yet'));
  },
};
