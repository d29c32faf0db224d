/** The audit ledger: append-only, hash-chained records of who did what, kept in the catalog. */
export { appendLedger, findLedgerEntry, withLedgerTransaction, type LedgerInput } from './append-ledger';
export type { JsonObject, JsonValue } from './canonical-json';
export type { LedgerEntry } from './ledger-entry';
export { GENESIS_HASH, ledgerHash } from './ledger-hash';
export { listLedger, type LedgerQuery } from './list-ledger';
export { verifyLedger, type LedgerBreak, type LedgerVerification, type VerifyOptions } from './verify-ledger';
export { anchorKey, anchorLedger, ANCHOR_SUBJECT, catalogIdentity, ledgerHead, type LedgerAnchor } from './ledger-anchor';
export { verifyAnchoredLedger, type AnchoredVerification, type AnchorLocation } from './verify-anchored';
