/**
 * @module
 * A report table: title, columns, rows of cells. Cells keep attacker
 * strings raw; each renderer escapes for its own format.
 */
export type TableCell = string | number | null;

export interface Column {
  readonly header: string;
  /** Numbers align right; `id` prints as is (AS numbers), `share` as a percentage (with a bar in text). */
  readonly kind: 'text' | 'int' | 'id' | 'share' | 'float';
}

export interface Table {
  /** Stable id: CSV file name, HTML anchor. */
  readonly id: string;
  readonly title: string;
  readonly note?: string;
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly TableCell[])[];
  /**
   * Rows of a record told as text (a source's story): the last column
   * wraps over lines in the text report instead of being cut, and a
   * first-column value repeated from the row above is shown once.
   */
  readonly wrap?: boolean;
}
