import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sealTrail } from '../../trail';
import { trackedPagila, type TrackedPagila } from './tracked-pagila';

let pagila: TrackedPagila;
before(async () => {
  pagila = await trackedPagila(['film']);
  await pagila.client.query(`update film set length = length + 1 where film_id <= 3`);
  await sealTrail(pagila.client);
});
after(() => pagila.close());

const TABLES = [
  ['change', 'actor'],
  ['seal', 'hash'],
  ['seal_run', 'entries'],
] as const;

for (const [table, column] of TABLES) {
  const qualified = `restorepoint_trail.${table}`;
  for (const statement of [`update ${qualified} set ${column} = ${column}`, `delete from ${qualified}`, `truncate ${qualified}`]) {
    test(`${statement.split(' ')[0]} on ${qualified} is refused, even as a replica`, async () => {
      await assert.rejects(pagila.client.query(statement), /the change trail is append-only/);
      await assert.rejects(pagila.client.query(`begin; set local session_replication_role = replica; ${statement}`), /the change trail is append-only/);
      await pagila.client.query('rollback');
    });
  }
}
