/**
 * manifold's filter SDK: declare a stdin-to-stdout filter once and run it as an executable.
 * Also the pieces the orchestrator shares with filters: framings, key specs, sizes and errors.
 */

export {
  describeError,
  type ErrorCode,
  ExitCode,
  errnoText,
  exitCodeOf,
  ManifoldError,
  RecordError,
  type RecordPosition,
  UsageError,
} from './errors.js';
export { compileExpression } from './expr.js';
export {
  createDecoder,
  DEFAULT_MAX_RECORD,
  type DecoderOptions,
  type RecordDecoder,
} from './framing/decoder.js';
export { RecordEncoder } from './framing/encoder.js';
export { FRAMING_HELP, type Framing, parseFraming } from './framing/spec.js';
export { hashBytes } from './hash.js';
export { type KeySpec, keyOf, keyOfValue, parseKeySpec, parseSeparator } from './keys.js';
export { amountOf, durationMs, wholeNumber } from './number-text.js';
export { defineFilter, type Filter } from './sdk/define.js';
export { runFilter } from './sdk/run.js';
export type {
  CommandLine,
  FilterContext,
  FilterSpec,
  Output,
  RecordKind,
  RecordOf,
} from './sdk/types.js';
export {
  formatSize,
  formatSizeOver,
  frameTooLargeText,
  parseSize,
  plural,
  recordTooLarge,
  recordTooLargeText,
  truncatedFrameText,
} from './size.js';
export {
  type OpenTableOptions,
  openTable,
  type Table,
  TableError,
  type TableKey,
  type TableMeta,
  tableEnvName,
  tableFromEnv,
} from './tables/index.js';
