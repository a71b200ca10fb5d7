/**
 * How the config schema is compiled: every error at once, "3" accepted for 3 (values from
 * variables are strings), unknown keywords allowed, and each error with its schema (for hints).
 * Shared by the build, which compiles the schema ahead of time (build.mjs), and by the compile
 * as the TypeScript sources load (schema-validator-source.ts, which the bundles do without).
 */
export const SCHEMA_OPTIONS = {
  allErrors: true,
  coerceTypes: true,
  strict: false,
  verbose: true,
} as const;
