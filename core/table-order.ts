interface TableWithKeys {
  readonly schema: string;
  readonly name: string;
  readonly foreignKeys: readonly { readonly referencedSchema: string; readonly referencedTable: string }[];
}

/**
 * Parents before children by foreign keys among the given tables (Kahn's algorithm).
 * Self-references and cycles cannot be ordered: their tables come last, in name order,
 * and the caller must load them with constraints deferred or disabled.
 */
export function parentsFirst<T extends TableWithKeys>(tables: readonly T[]): { ordered: T[]; cyclic: T[] } {
  const key = (schema: string, name: string) => `${schema}.${name}`;
  const byKey = new Map(tables.map((t) => [key(t.schema, t.name), t]));
  const parents = new Map<string, Set<string>>();
  for (const t of tables) {
    const own = key(t.schema, t.name);
    parents.set(own, new Set(t.foreignKeys.map((fk) => key(fk.referencedSchema, fk.referencedTable)).filter((p) => p !== own && byKey.has(p))));
  }
  const ordered: T[] = [];
  const placed = new Set<string>();
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (const [own, deps] of [...parents].sort(([a], [b]) => a.localeCompare(b))) {
      if (placed.has(own) || [...deps].some((d) => !placed.has(d))) continue;
      placed.add(own);
      ordered.push(byKey.get(own)!);
      progressed = true;
    }
  }
  const cyclic = tables.filter((t) => !placed.has(key(t.schema, t.name)));
  return { ordered, cyclic };
}
