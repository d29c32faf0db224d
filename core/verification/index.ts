export * from './verification-level';
export * from './verification-input';
export * from './object-verdict';
export * from './table-verdict';
export * from './verification-report';
export * from './pick-exports';
