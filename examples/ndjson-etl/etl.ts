#!/usr/bin/env node
import { defineFilter } from 'manifold-pipes';

interface Event {
  id: number;
  ts: number;
  user: string;
  amount?: string;
  currency: string;
  country: string;
}

/** Exchange rates to euro cents, fixed for the example. */
const TO_EUR: Record<string, number> = { EUR: 1, USD: 0.92, GBP: 1.17, JPY: 0.0062 };

/**
 * The ETL step: drops events without a valid amount, and writes each kept one normalised:
 * amount in euro cents, the day as a date, the country upper-cased.
 */
defineFilter<'json'>({
  name: 'etl',
  description: 'Normalise payment events (ndjson in, ndjson out).',
  records: 'json',
  transform(value) {
    const event = value as Event;
    const amount = Number(event.amount);
    if (event.amount === undefined || !Number.isFinite(amount)) return undefined;
    const rate = TO_EUR[event.currency];
    if (rate === undefined) throw new Error(`unknown currency ${event.currency}`);
    return {
      id: event.id,
      user: event.user,
      eurCents: Math.round(amount * 100 * rate),
      day: new Date(event.ts).toISOString().slice(0, 10),
      country: event.country.toUpperCase(),
    };
  },
}).main();
