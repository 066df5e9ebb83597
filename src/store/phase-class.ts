/**
 * @module
 * The message class of a request inside SQL (analysis/queries/phases.ts explains the
 * classes): a leaf module, so the store's rollups (rollups.ts) and the
 * queries share one definition without an import cycle.
 */

/** Phase codes inside SQL (small integers group faster than strings). */
export const PH_SQL = `CASE
    WHEN method = 'INVITE' AND (number_kind = 'external'
         OR (number_kind IS NULL AND dialed_number IS NOT NULL)) THEN 1
    WHEN auth_user IS NOT NULL THEN 2
    WHEN method = 'OPTIONS' OR coalesce(nullif(to_user, ''), nullif(ruri_user, '')) IS NULL THEN 3
    ELSE 4 END`;
export const PH_NAME = `CASE ph WHEN 1 THEN 'abuse' WHEN 2 THEN 'brute_force' WHEN 3 THEN 'scanning' ELSE 'enumeration' END`;
