import { resolve } from 'node:path';
import { describeError } from '../../filters/index.js';
import { checkTable } from '../../filters/tables/check-files.js';
import { sameTableVariable, tableEnvName } from '../../filters/tables/env.js';

/** A config's `tables:`, checked: the environment naming them, and the fans' `--table` values. */
export interface ConfigTables {
  env: Record<string, string>;
  /** `NAME=PATH` for each table, paths absolute, for the fans' checks (shards and dispatch). */
  values: string[];
}

/**
 * Checks each table of a config's `tables:` (name: path, relative to the config's folder) is a
 * table, reporting a problem at its key for each that is not. One the schema said is bad
 * (`said`: its name, `""` or `a=b`; its path) is left out, as is one that is no table: no fan
 * is given it.
 */
export function checkConfigTables(
  raw: Record<string, string> | undefined,
  folder: string,
  report: (name: string, message: string) => void,
  said: (name: string) => boolean = () => false,
): ConfigTables {
  const tables: ConfigTables = { env: {}, values: [] };
  const seen = new Map<string, string>();
  for (const [name, path] of Object.entries(raw ?? {})) {
    if (said(name)) continue;
    const same = sameTableVariable(seen, name);
    if (same !== undefined) {
      report(name, same);
      continue;
    }
    const absolute = resolve(folder, path);
    try {
      checkTable(absolute);
    } catch (error) {
      report(name, describeError(error));
      continue;
    }
    tables.env[tableEnvName(name)] = absolute;
    tables.values.push(`${name}=${absolute}`);
  }
  return tables;
}
