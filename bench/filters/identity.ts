#!/usr/bin/env node
import { defineFilter } from '../../filters/index.js';

/** The SDK's floor: every record returned unchanged. */
defineFilter({ name: 'identity', transform: (record) => record }).main();
