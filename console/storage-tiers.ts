import type { Knex } from 'knex';
import { loadExportSummaries } from '../activities/retention/export-summaries';
import type { Config } from '../config/schema';
import { planRetention, type RetentionRuleCode } from '../core/retention';

export interface TierUsage {
  /** The retention rule that keeps (or next deletes) the exports: gfs-daily, keep-last, expired, … */
  readonly tier: RetentionRuleCode;
  /** Their storage class; null: never tiered on storage without classes (a folder). */
  readonly storageClass: string | null;
  readonly exports: number;
  readonly bytes: number;
}

/**
 * Bytes of a source's exports by retention tier: the rule the configured policy's own plan
 * (`planRetention`, as `retention plan` computes it) decides each export by now, and its
 * storage class. Null when no retention policy is configured.
 */
export async function storageByTier(config: Config, catalog: Knex, source: string, now: Date): Promise<readonly TierUsage[] | null> {
  if (!config.retention) return null;
  const { summaries } = await loadExportSummaries(catalog, new Set());
  const plan = planRetention(summaries, config.retention, now);
  const bytes = new Map(
    ((await catalog('exports').where({ source }).select('id', catalog.raw('coalesce(bytes, 0)::bigint as bytes'))) as { id: string; bytes: string | number }[]).map((r) => [r.id, Number(r.bytes)]),
  );
  const storageClass = new Map(summaries.map((s) => [s.id, s.storageClass]));
  const usage = new Map<string, { tier: RetentionRuleCode; storageClass: string | null; exports: number; bytes: number }>();
  for (const planned of plan.exports.filter((p) => p.source === source)) {
    const cls = storageClass.get(planned.exportId) ?? null;
    const key = `${planned.rule.code}\0${cls ?? ''}`;
    const entry = usage.get(key) ?? { tier: planned.rule.code, storageClass: cls, exports: 0, bytes: 0 };
    entry.exports += 1;
    entry.bytes += bytes.get(planned.exportId) ?? 0;
    usage.set(key, entry);
  }
  return [...usage.values()].sort((a, b) => a.tier.localeCompare(b.tier) || (a.storageClass ?? '').localeCompare(b.storageClass ?? ''));
}
