// DuckDB's GROUP BY over a Parquet file, for curbench -duckdb DIR:
//   node duckdb.js DIR FILE GROUP_COLUMN COST_COLUMN
// DIR holds node_modules/@duckdb/node-api (npm install @duckdb/node-api).
// Prints the groups on stdout and "query SECONDS" (DuckDB's own time for
// the query, without node's start) on stderr.
const { createRequire } = require('module');
const path = require('path');
const [dir, file, by, cost] = process.argv.slice(2);
const { DuckDBInstance } = createRequire(path.join(path.resolve(dir), 'x.js'))('@duckdb/node-api');

(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const t0 = performance.now();
  const r = await con.runAndReadAll(
    `SELECT "${by}", count(*), sum("${cost}") FROM read_parquet('${file.replace(/'/g, "''")}') GROUP BY 1 ORDER BY 3 DESC`);
  const t1 = performance.now();
  for (const row of r.getRows()) console.log(row.map(String).join('\t'));
  console.error(`query ${((t1 - t0) / 1000).toFixed(4)}`);
})();
