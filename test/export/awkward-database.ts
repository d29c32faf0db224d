import { quoteIdent } from '../../postgres/queryable';

/** 63 bytes each, PostgreSQL's limit: a longer name would be cut. Multi-byte letters count as their bytes. */
export const LONG_SCHEMA = `S_${'ñ'.repeat(30)}x`;
export const LONG_TABLE = `T_${'ß'.repeat(30)}y`;
export const LONG_COLUMN = `C_${'é'.repeat(30)}z`;
export const LONG_SEQUENCE = `Q_${'ø'.repeat(30)}w`;

export const SALES = 'Sales Data';
export const LINES = 'Order.Lines';
export const WEIRD_SCHEMA = 'we."ird.schema';
export const WEIRD_TABLE = 'Table "Q".x*';

const q = quoteIdent;
const t = (schema: string, name: string) => `${q(schema)}.${q(name)}`;

/**
 * A database whose every name is awkward (capitals, spaces, dots, quotes, `*`, unicode,
 * reserved words, 63-byte names, for schemas, tables, columns, sequences, constraints and
 * indexes) and which holds the objects beyond plain tables: contrib types (citext, hstore,
 * ltree, uuid-ossp), generated and identity columns, a domain over an array, an unlogged
 * table, a table without columns and materialized views, populated and not.
 */
export const AWKWARD_DATABASE: readonly string[] = [
  'create extension citext',
  'create extension hstore',
  'create extension "uuid-ossp"',
  'create extension ltree',
  `create schema ${q(SALES)}`,
  `create schema ${q(WEIRD_SCHEMA)}`,
  'create schema "select"',
  `create schema ${q(LONG_SCHEMA)}`,
  `create table ${t(SALES, LINES)} (
     id serial primary key,
     "Line No" bigint generated always as identity,
     "Quantity" int not null constraint "Positive Quantity!" check ("Quantity" > 0),
     "unit price" numeric(12,2) not null,
     "Total" numeric generated always as ("Quantity" * "unit price") stored,
     "select" text,
     "a""b" text,
     "ünï" citext,
     h hstore,
     l ltree,
     u uuid not null default uuid_generate_v4())`,
  `create index "Idx.On ""Lines""" on ${t(SALES, LINES)} ("select")`,
  `insert into ${t(SALES, LINES)} ("Quantity", "unit price", "select", "a""b", "ünï", h, l)
     select g, g * 1.25, case when g % 3 = 0 then null else 'sel,"' || g || E'\\n' end, 'ab' || g, 'MiXeD ' || g,
            hstore(array['k', 'the "key"'], array[g::text, null]), ('top.sci_' || g)::ltree
       from generate_series(1, 40) g`,
  // The same name in public: restored into one schema, the two must not collide.
  `create table public.${q(LINES)} (id int primary key, note text)`,
  `insert into public.${q(LINES)} values (1, 'public''s own'), (2, null)`,
  `create table ${t(WEIRD_SCHEMA, WEIRD_TABLE)} (
     id int primary key,
     line_id int constraint "fk.to ""lines""" references ${t(SALES, LINES)} (id) on delete cascade,
     "Mixed Case" text)`,
  `insert into ${t(WEIRD_SCHEMA, WEIRD_TABLE)} select g, g, 'row ' || g from generate_series(1, 20) g`,
  `create domain "select"."Int List" as int[] check (cardinality(value) <= 5)`,
  `create table "select"."from" ("where" int primary key, "group" "select"."Int List", "order" text[])`,
  `insert into "select"."from" values (1, '{1,2,3}', '{"a b","c,d"}'), (2, '{}', null), (3, null, '{NULL}')`,
  `create sequence ${t(LONG_SCHEMA, LONG_SEQUENCE)} start 100`,
  `select nextval('${t(LONG_SCHEMA, LONG_SEQUENCE).replace(/'/g, "''")}')`,
  `create table ${t(LONG_SCHEMA, LONG_TABLE)} (
     ${q(LONG_COLUMN)} int constraint ${q(`K_${'ü'.repeat(30)}k`)} primary key,
     v text default 'x')`,
  `create index ${q(`I_${'ä'.repeat(30)}i`)} on ${t(LONG_SCHEMA, LONG_TABLE)} (v)`,
  `insert into ${t(LONG_SCHEMA, LONG_TABLE)} select g, repeat('v', g) from generate_series(1, 10) g`,
  'create table public.nocols ()',
  'insert into public.nocols default values',
  'insert into public.nocols default values',
  'insert into public.nocols default values',
  'create unlogged table public.scratchpad (id int primary key, note text)',
  `insert into public.scratchpad values (1, 'unlogged but exported')`,
  `create materialized view ${t(SALES, 'Order Totals')} as select count(*) as lines, sum("Total") as total from ${t(SALES, LINES)}`,
  `create materialized view public.never_refreshed as select id from public.scratchpad with no data`,
];

/** Every schema of the awkward database that holds tables. */
export const AWKWARD_SCHEMAS = ['public', SALES, WEIRD_SCHEMA, 'select', LONG_SCHEMA];
