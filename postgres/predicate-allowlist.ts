import { parse } from 'libpg-query';
import { rowPredicateProblem } from '../core/rollback/row-predicate';

/**
 * A rollback's row predicate (`--where`), read by PostgreSQL's own parser (libpg-query) and
 * held to an allowlist before any database sees it: column references of its one table,
 * constants, casts to built-in types, boolean, comparison and arithmetic operators, IN,
 * BETWEEN, LIKE, IS [NOT] NULL, CASE, COALESCE, GREATEST/LEAST, and a short list of immutable
 * (or, for the clock, stable) built-in functions. Everything else — any other function, a
 * subquery, an aggregate or window, a parameter, a qualified operator, a collation, a second
 * statement — is refused. This is the first of three walls (docs/rollback.md): the predicate
 * then runs as a role that may read only its table, in a read-only transaction with a timeout.
 *
 * The evaluation sets `search_path = pg_catalog, pg_temp`, so the unqualified names allowed
 * here can only resolve to PostgreSQL's built-ins, never to a same-named function of the app.
 */

/** Functions a predicate may call: built-in, no side effects, no access to anything but their arguments. */
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([
  'lower', 'upper', 'initcap', 'length', 'char_length', 'character_length', 'octet_length', 'bit_length',
  'btrim', 'ltrim', 'rtrim', 'substring', 'substr', 'left', 'right', 'position', 'strpos', 'starts_with',
  'replace', 'split_part', 'reverse', 'lpad', 'rpad', 'md5', 'concat', 'concat_ws',
  'abs', 'round', 'trunc', 'floor', 'ceil', 'ceiling', 'mod', 'sign', 'div',
  'date_trunc', 'date_part', 'extract', 'timezone', 'now', 'age', 'make_date', 'make_timestamp', 'isfinite',
  'array_length', 'cardinality', 'array_position',
  'jsonb_typeof', 'json_typeof', 'jsonb_array_length', 'json_array_length',
  'similar_to_escape',
]);

/** Operators by name: comparison, arithmetic, text, pattern, array and JSON containment. */
const ALLOWED_OPERATORS: ReadonlySet<string> = new Set([
  '=', '<>', '!=', '<', '>', '<=', '>=', '+', '-', '*', '/', '%', '||',
  '~~', '!~~', '~~*', '!~~*', '~', '!~', '~*', '!~*',
  '->', '->>', '#>', '#>>', '@>', '<@', '?', '?|', '?&', '&&',
]);

const ALLOWED_EXPRESSION_KINDS: ReadonlySet<string> = new Set([
  'AEXPR_OP', 'AEXPR_OP_ANY', 'AEXPR_OP_ALL', 'AEXPR_DISTINCT', 'AEXPR_NOT_DISTINCT', 'AEXPR_NULLIF', 'AEXPR_IN',
  'AEXPR_LIKE', 'AEXPR_ILIKE', 'AEXPR_SIMILAR', 'AEXPR_BETWEEN', 'AEXPR_NOT_BETWEEN', 'AEXPR_BETWEEN_SYM', 'AEXPR_NOT_BETWEEN_SYM',
]);

/** Built-in types a predicate may cast to (the parser's internal names, as `::int` becomes `pg_catalog.int4`). */
const ALLOWED_TYPES: ReadonlySet<string> = new Set([
  'bool', 'boolean', 'int2', 'int4', 'int8', 'smallint', 'integer', 'int', 'bigint', 'numeric', 'decimal', 'float4', 'float8', 'real',
  'text', 'varchar', 'bpchar', 'char', 'name', 'date', 'time', 'timetz', 'timestamp', 'timestamptz', 'interval', 'uuid', 'json', 'jsonb',
]);

/** The clock, nothing about the session or its user. */
const ALLOWED_VALUE_FUNCTIONS: ReadonlySet<string> = new Set([
  'SVFOP_CURRENT_DATE', 'SVFOP_CURRENT_TIME', 'SVFOP_CURRENT_TIME_N', 'SVFOP_CURRENT_TIMESTAMP', 'SVFOP_CURRENT_TIMESTAMP_N',
  'SVFOP_LOCALTIME', 'SVFOP_LOCALTIME_N', 'SVFOP_LOCALTIMESTAMP', 'SVFOP_LOCALTIMESTAMP_N',
]);

/** Keys a parsed `select 1 from t where (…)` has; any other (GROUP BY, a set operation, …) came from the predicate. */
const SELECT_KEYS: ReadonlySet<string> = new Set(['targetList', 'fromClause', 'whereClause', 'limitOption', 'op']);

type ParsedNode = Readonly<Record<string, unknown>>;

/**
 * Why `text` may not be the row predicate of table `tableName`, or null when it may run.
 * The text checks of core/rollback/row-predicate.ts come first (the client runs them too).
 */
export async function predicateProblem(text: string, tableName: string): Promise<string | null> {
  const textProblem = rowPredicateProblem(text);
  if (textProblem !== null) return textProblem;
  let statements: readonly ParsedNode[];
  try {
    statements = ((await parse(`select 1 from t where (${text})`)).stmts ?? []) as unknown as readonly ParsedNode[];
  } catch (error) {
    return `PostgreSQL's parser refuses it: ${(error as Error).message}`;
  }
  const select = statements.length === 1 ? (statements[0]!.stmt as ParsedNode | undefined)?.SelectStmt as ParsedNode | undefined : undefined;
  if (select === undefined || select.op !== 'SETOP_NONE' || Object.keys(select).some((k) => !SELECT_KEYS.has(k))) {
    return 'it is not one expression (it adds a clause or a statement)';
  }
  return expressionProblem(select.whereClause, tableName);
}

/** The first construct of the expression tree outside the allowlist, described for the operator. */
function expressionProblem(value: unknown, tableName: string): string | null {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = expressionProblem(item, tableName);
      if (found !== null) return found;
    }
    return null;
  }
  if (typeof value !== 'object' || value === null) return 'it holds something that is not an expression';
  const entries = Object.entries(value as ParsedNode);
  if (entries.length !== 1) return 'it holds something that is not an expression';
  const [kind, node] = entries[0] as [string, ParsedNode];
  const children = (...values: unknown[]) => expressionProblem(values.filter((v) => v !== undefined), tableName);
  switch (kind) {
    case 'A_Const':
      return null;
    case 'ColumnRef':
      return columnProblem(node.fields as readonly ParsedNode[], tableName);
    case 'BoolExpr':
    case 'CoalesceExpr':
    case 'MinMaxExpr':
    case 'RowExpr':
      return children(node.args);
    case 'A_ArrayExpr':
      return children(node.elements);
    case 'List':
      return children(node.items);
    case 'NullTest':
    case 'BooleanTest':
      return children(node.arg);
    case 'CaseExpr':
      return children(node.arg, node.args, node.defresult);
    case 'CaseWhen':
      return children(node.expr, node.result);
    case 'TypeCast':
      return typeProblem(node.typeName as ParsedNode) ?? children(node.arg);
    case 'A_Expr':
      return operatorProblem(node) ?? children(node.lexpr, node.rexpr);
    case 'FuncCall':
      return functionProblem(node) ?? children(node.args);
    case 'SQLValueFunction':
      return ALLOWED_VALUE_FUNCTIONS.has(String(node.op)) ? null : 'it reads a session value (only CURRENT_DATE, CURRENT_TIMESTAMP, LOCALTIMESTAMP and the like are allowed)';
    case 'SubLink':
      return 'it has a subquery (a row predicate may use only the columns of its own table)';
    case 'ParamRef':
      return 'it has a parameter';
    case 'CollateClause':
      return 'it names a collation';
    default:
      return `it uses ${kind}, which a row predicate may not (allowed: columns, constants, casts, operators, IN, BETWEEN, LIKE, IS NULL, CASE, COALESCE and a few built-in functions)`;
  }
}

const names = (list: unknown): string[] => ((list ?? []) as readonly ParsedNode[]).map((n) => String((n.String as ParsedNode | undefined)?.sval ?? '*'));

function columnProblem(fields: readonly ParsedNode[], tableName: string): string | null {
  const parts = names(fields);
  if (fields.some((f) => f.String === undefined)) return 'it uses "*" (name the columns)';
  if (parts.length === 1) return null;
  if (parts.length === 2 && parts[0] === tableName) return null;
  return `it refers to ${parts.join('.')}: a row predicate may use only the columns of its own table`;
}

function typeProblem(typeName: ParsedNode): string | null {
  const parts = names(typeName.names);
  const builtIn = (parts.length === 1 || (parts.length === 2 && parts[0] === 'pg_catalog')) && ALLOWED_TYPES.has(parts[parts.length - 1]!);
  if (!builtIn || typeName.setof === true || typeName.pct_type === true) return `it casts to ${parts.join('.')}, which is not an allowed built-in type`;
  return expressionProblem(typeName.typmods ?? [], '');
}

function operatorProblem(node: ParsedNode): string | null {
  if (!ALLOWED_EXPRESSION_KINDS.has(String(node.kind))) return `it uses ${String(node.kind)}, which a row predicate may not`;
  const parts = names(node.name);
  if (parts.length !== 1) return `it names a schema-qualified operator OPERATOR(${parts.join('.')})`;
  const kindOperator = node.kind === 'AEXPR_BETWEEN' || node.kind === 'AEXPR_NOT_BETWEEN' || node.kind === 'AEXPR_BETWEEN_SYM' || node.kind === 'AEXPR_NOT_BETWEEN_SYM';
  if (!kindOperator && !ALLOWED_OPERATORS.has(parts[0]!)) return `it uses the operator ${parts[0]}, which is not allowed`;
  return null;
}

function functionProblem(node: ParsedNode): string | null {
  const parts = names(node.funcname);
  const name = parts[parts.length - 1]!;
  const builtIn = parts.length === 1 || (parts.length === 2 && parts[0] === 'pg_catalog');
  if (!builtIn || !ALLOWED_FUNCTIONS.has(name)) return `it calls ${parts.join('.')}(), which is not an allowed built-in function (docs/rollback.md lists them)`;
  const aggregateOrWindow = ['agg_star', 'agg_distinct', 'agg_within_group', 'func_variadic'].some((k) => node[k] === true) || ['agg_filter', 'agg_order', 'over'].some((k) => node[k] !== undefined);
  if (aggregateOrWindow) {
    return `it calls ${name}() as an aggregate, window or variadic call`;
  }
  return null;
}
