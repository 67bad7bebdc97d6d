/** Anything that runs SQL: the DataSource, an EntityManager inside a transaction, a QueryRunner. */
export interface SqlRunner {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string, parameters?: unknown[]): Promise<any>;
}

/**
 * `created_at` as exact microseconds since the epoch (decimal text). Whole seconds and the
 * microsecond part are taken separately, in UTC, so no floating-point step can round the value.
 */
export function epochMicrosSql(column: string): string {
  return (
    `(EXTRACT(EPOCH FROM date_trunc('second', ${column} AT TIME ZONE 'UTC'))::bigint * 1000000` +
    ` + (EXTRACT(MICROSECONDS FROM ${column} AT TIME ZONE 'UTC')::bigint % 1000000))::text`
  );
}

/** The timestamptz of a microsecond count given as a bigint parameter (exact: integer interval arithmetic). */
export function timestampFromMicrosSql(parameter: string): string {
  return `(timestamptz 'epoch' + ${parameter}::bigint * interval '1 microsecond')`;
}
