import { Ajv, type ValidateFunction } from 'ajv';
import schema from './schema.json' with { type: 'json' };
import { SCHEMA_OPTIONS } from './schema-options.js';

/**
 * The config schema's validator, compiled as this module loads: what the TypeScript sources (the
 * tests) and tsc's output use. The build puts in its place, in every bundle, the validator it
 * compiled ahead of time (`schema-validator.js`, ajv's standalone code: build.mjs), so that
 * `manifold run` and `check` neither load ajv nor compile the schema as they start (~50 ms).
 */
const validate: ValidateFunction = new Ajv(SCHEMA_OPTIONS).compile(schema);

export default validate;
