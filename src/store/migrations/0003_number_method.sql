-- 0003: how each dialed number was found (docs/enrichment.md): 'alone' (the
-- string reads as the number by itself), 'burst' (its burst chose or it ends
-- with a number its burst resolves to), 'tail' (the tail several strings of
-- its burst share), 'store' (other sources in the store dialled the number in
-- full; the string is its national part or ends with it). Null when there is
-- no number, and for rows stored before this column existed.
ALTER TABLE events ADD COLUMN number_method VARCHAR;
-- A call's method is the most direct one among its INVITEs (alone before
-- burst before tail before store).
ALTER TABLE calls ADD COLUMN number_method VARCHAR;
