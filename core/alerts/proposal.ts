/**
 * The rollback an accident alert proposes: a command an operator runs to get a preview that
 * waits for approval (nothing is applied by it, and nothing runs it automatically). Deletes and
 * updates are reverted from the trail, scoped to the table, the actor and the changes' time
 * span; a truncate left no row images in the trail, so it proposes a rollback of the table to
 * the state just before it. Pure.
 */
export interface ProposalInput {
  readonly alertId: string;
  readonly source: string;
  readonly kind: 'mass-delete' | 'mass-update' | 'truncate';
  /** `schema.table`. */
  readonly table: string;
  /** The one actor behind the changes; null when several share them (the revert then takes all). */
  readonly actor: string | null;
  readonly firstChangeAt: Date;
  readonly lastChangeAt: Date;
  /** Where the revert's safety snapshot goes: the source's latest export destination when known. */
  readonly snapshotTo: string | null;
}

export function rollbackProposal(p: ProposalInput): string {
  const reason = quote(`alert ${p.alertId}`);
  if (p.kind === 'truncate') {
    const before = new Date(p.firstChangeAt.getTime() - 1).toISOString();
    return `restorepoint rollback start --source ${quote(p.source)} --at ${before} --tables ${quote(p.table)} --reason ${reason} --wait`;
  }
  // --since is inclusive and --until exclusive; the trail keeps microseconds, ISO strings milliseconds.
  const since = new Date(Math.floor(p.firstChangeAt.getTime())).toISOString();
  const until = new Date(Math.floor(p.lastChangeAt.getTime()) + 1).toISOString();
  const actor = p.actor === null ? '' : ` --actor ${quote(p.actor)}`;
  const snapshot = p.snapshotTo ?? '<gs://bucket/prefix>';
  return `restorepoint revert --source ${quote(p.source)}${actor} --table ${quote(p.table)} --since ${since} --until ${until} --snapshot-to ${quote(snapshot)} --reason ${reason} --wait`;
}

/** POSIX shell single quotes, only when needed, so the command pastes as it is. */
function quote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
