import type { Stage } from './model.js';
import type { Path, RawConfig, RawStage } from './raw.js';

type Pipelines = Record<string, RawStage[]>;
type Report = (path: Path, message: string) => void;

/** The problem of a `use:` that names no pipeline. */
export function unknownPipeline(target: string, pipelines: Pipelines): string {
  const known = Object.keys(pipelines).join(', ') || 'none';
  return `no pipeline named "${target}" under pipelines (known: ${known})`;
}

/**
 * Checks the `use:`s inside `pipelines:`, of every pipeline whether a stage uses it or not: each
 * names a pipeline, and none closes a cycle. A cycle is reported once, at the `use:` that closes
 * it in a walk of the pipelines in their order (the stages' own `use:`s are check.ts's).
 */
export function checkPipelineUses(raw: RawConfig, report: Report): void {
  const pipelines = isMap(raw.pipelines) ? (raw.pipelines as Pipelines) : {};
  const state = new Map<string, 'open' | 'done'>();
  const visit = (name: string, stack: string[]) => {
    state.set(name, 'open');
    for (const use of usesOf(pipelines[name], ['pipelines', name])) {
      if (!Object.hasOwn(pipelines, use.target)) {
        report(use.path, unknownPipeline(use.target, pipelines));
      } else if (state.get(use.target) === 'open') {
        const loop = [...stack.slice(stack.indexOf(use.target)), use.target];
        report(use.path, `a cycle: ${loop.join(' → ')}`);
      } else if (!state.has(use.target)) {
        visit(use.target, [...stack, use.target]);
      }
    }
    state.set(name, 'done');
  };
  for (const name of Object.keys(pipelines)) if (!state.has(name)) visit(name, [name]);
}

/** Each `use:` of `stages` and of their branches, in order, with the path of its value. */
function usesOf(stages: unknown, path: Path): { target: string; path: Path }[] {
  if (!Array.isArray(stages)) return [];
  return stages.flatMap((stage: unknown, i) => {
    if (!isMap(stage)) return [];
    const { use, branches } = stage as RawStage;
    const here = typeof use === 'string' ? [{ target: use, path: [...path, i, 'use'] }] : [];
    const inside = isMap(branches)
      ? Object.entries(branches as Record<string, unknown>).flatMap(([branch, sub]) =>
          usesOf(sub, [...path, i, 'branches', branch]),
        )
      : [];
    return [...here, ...inside];
  });
}

/** How many `use:`s name each pipeline, in the stages and in the pipelines. */
export function useCounts(raw: RawConfig): Map<string, number> {
  const counts = new Map<string, number>();
  const pipelines = isMap(raw.pipelines) ? (raw.pipelines as Pipelines) : {};
  const sites = [
    ...usesOf(raw.stages, ['stages']),
    ...Object.entries(pipelines).flatMap(([name, stages]) => usesOf(stages, ['pipelines', name])),
  ];
  for (const { target } of sites) counts.set(target, (counts.get(target) ?? 0) + 1);
  return counts;
}

/**
 * The stages of a pipeline used at several places, named by the `use:` that made them
 * (`stages[0].branches.a[0]/s`): a failure, `--stats` and `graph` tell the uses apart.
 */
export function sited(stages: Stage[], site: string): Stage[] {
  return stages.map((stage) => {
    const name = `${site}/${stage.name}`;
    if (stage.kind !== 'branches') return { ...stage, name };
    const branches = stage.branches.map((b) => ({ ...b, stages: sited(b.stages, site) }));
    return { ...stage, name, branches };
  });
}

function isMap(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
