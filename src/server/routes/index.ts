/**
 * @module
 * The built-in API route modules, in the order the OpenAPI document lists them.
 */
import type { RouteModule } from '../context.js';
import { sectionRoutes } from './sections.js';
import { sourcesRoutes } from './sources.js';
import { summaryRoutes } from './summary.js';

export const API_MODULES: readonly RouteModule[] = [summaryRoutes, sourcesRoutes, sectionRoutes];
