#!/usr/bin/env node
import { defineFilter } from '../../filters/index.js';

/** The SDK's floor for a filter that keeps no record (`keepsRecords: false`): read memory reused. */
defineFilter({ name: 'identity', keepsRecords: false, transform: (record) => record }).main();
