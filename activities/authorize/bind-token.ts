import type { Knex } from 'knex';

/**
 * Binds `tokenId` for `purpose` to `object` on its first use and returns what it is bound to:
 * `object` again on a retry or a second use for the same object, another one on a replay.
 */
export async function bindToken(catalog: Knex, binding: { tokenId: string; purpose: string; object: string; subject: string }): Promise<string> {
  await catalog('token_bindings')
    .insert({ token_id: binding.tokenId, purpose: binding.purpose, bound_to: binding.object, subject: binding.subject })
    .onConflict(['token_id', 'purpose'])
    .ignore();
  const row = (await catalog('token_bindings').where({ token_id: binding.tokenId, purpose: binding.purpose }).first('bound_to')) as { bound_to: string };
  return row.bound_to;
}
