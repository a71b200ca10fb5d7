import type { RawHosts } from './hosts.js';

// A config as read, before it is checked: what checkConfig (check.ts) walks.

/** Where a value is in the config: keys and indexes from its root. */
export type Path = (string | number)[];
export type Env = Record<string, string>;

export interface RawStage {
  name?: string;
  env?: Record<string, unknown>;
  run?: string | string[];
  filter?: string;
  args?: string[];
  fan?: Record<string, unknown> & { worker: RawWorker };
  branches?: Record<string, RawStage[]>;
  combine?: 'concat' | 'merge' | 'join';
  join?: string | string[];
  split?: string;
  use?: string;
  'ok-status'?: string | number | number[];
}

export type RawWorker =
  | string
  | string[]
  | {
      run?: string | string[];
      filter?: string;
      args?: string[];
      stages?: RawStage[];
      env?: Record<string, unknown>;
      threads?: boolean;
    };

export interface RawConfig {
  input?: string | string[];
  output?: string;
  env?: Record<string, unknown>;
  pipelines?: Record<string, RawStage[]>;
  tables?: Record<string, string>;
  hosts?: RawHosts;
  stages: RawStage[];
}

/** An `env` of a config, its values as strings. */
export function stringsOf(env: Record<string, unknown> | undefined): Env {
  return Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, String(v)]));
}
