import { describe, expect, it } from 'vitest';
import { HostTotals } from '../../orchestrator/fan/host-stats.js';

// --stats' hosts were ordered by localeCompare: `ch1, d1` under LANG=C, the other way under
// cs_CZ.UTF-8 (where ch sorts after h), and not by bytes even under C (QA). By bytes now.

describe("--stats' hosts", () => {
  it('are listed by their names’ bytes, whatever the locale', () => {
    const names = ['d1', 'ch1', 'B', 'a', 'é1', 'z'];
    const totals = new HostTotals({ hostOf: (slot) => names[slot - 1]!, attributed: true });
    for (let slot = 1; slot <= names.length; slot++) totals.of(slot);
    expect(totals.list().map((stats) => stats.host)).toEqual(['B', 'a', 'ch1', 'd1', 'z', 'é1']);
  });
});
