import type { Case } from '../report.js';
import type { TableData } from '../table-data.js';
import type { Data } from './data.js';

/** A size of data for a case's name: `101 MB`, `1.0 GB`. */
const sizeOf = (bytes: number) =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`;

/** `text` as one word for bash. */
const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/**
 * Shared tables (issue 12): building a table, `mf-join` alone and under `manifold fan`, against
 * each worker loading the TSV into a Map first and against coreutils `join` over sorted input;
 * the workers' private memory, the time until a worker is ready, and `table serve`.
 */
export function tableCases(data: Data, tables: TableData): Case[] {
  const { root, folder, quick } = data;
  const { users, usersKeys, wide, events, eventsBytes: bytes, eventsRecords: records } = tables;
  const manifold = `node ${root}dist/bundle/bin/manifold.js`;
  const mfJoin = `node ${root}dist/bundle/bin/mf-join.js`;
  const mapJoin = `node ${root}dist/bench/filters/map-join.js`;
  const probe = (name: string) => `node ${root}dist/bench/probes/${name}.js`;
  const group = 'table';
  const keys = quick ? `${usersKeys / 1000} K keys` : `${usersKeys / 1e6} M keys`;
  // The sizes of the TSV the tables were built from: ~100 MB and ~1 GB, small under --quick.
  const small = `${sizeOf(tables.usersBytes)} table`;
  const big = `${sizeOf(tables.wideBytes)} table`;
  const eightBig = `fan -j 8 -- mf-join, ${big}: memory`;
  const join = `fan -j 2 --table users -- mf-join`;
  const fanJoin = (j: number, table: string, threads = false) =>
    `${manifold} fan -j ${j}${threads ? ' --threads' : ''} --table users=${table} -- ${threads ? `${root}dist/bundle/bin/mf-join.js` : mfJoin} --table users --key field:1 < ${events} > /dev/null`;
  const eightThreads = `fan -j 8 --threads -- mf-join, ${big}: memory`;
  const fanMap = (j: number, tsv: string) =>
    `${manifold} fan -j ${j} -- ${mapJoin} ${tsv} < ${events} > /dev/null`;
  const sortedUsers = `${folder}/users.sorted`;
  const sortedEvents = `${folder}/events.sorted`;
  const memory = (command: string, match?: string) =>
    `${probe('memory')} --out "$PROBE"${match ? ` --match ${match}` : ''} -- ${quote(command)}`;
  const ready = (command: string) =>
    `${probe('ready')} --out "$PROBE" --input ${tables.one} --runs ${quick ? 1 : 11} --base ${quote(`node ${root}dist/bundle/bin/mf-map.js r`)} -- ${quote(command)}`;
  const cases: Case[] = [
    {
      group,
      name: `table build, ${keys} of TSV`,
      command: `rm -rf ${folder}/built.mft && ${manifold} table build ${users} --key field:1 --value field:2 --field-sep tab -o ${folder}/built.mft`,
      bytes: tables.usersBytes,
      records: usersKeys,
      target: '≥ 1 M records/s',
      meets: ({ recordsPerSecond }) => recordsPerSecond !== undefined && recordsPerSecond >= 1e6,
    },
    {
      group,
      name: `the floor of a build: ${keys} appended in order to LMDB, nothing read`,
      command: `${probe('lmdb-floor')} --out "$PROBE" --append ${usersKeys}`,
      probe: 'value',
      unit: 'records/s',
    },
    {
      group,
      // As the build must: the records where the input put them, visited in key order.
      name: `the floor of a build: ${keys} appended in order to LMDB from memory in the input's order`,
      command: `${probe('lmdb-floor')} --out "$PROBE" --append ${usersKeys} --scattered`,
      probe: 'value',
      unit: 'records/s',
    },
    {
      group,
      name: `the floor of a build: ${sizeOf(tables.usersBytes)} of fresh memory touched (the input held until sorted)`,
      command: `${probe('build-floor')} --out "$PROBE" --fresh ${tables.usersBytes}`,
      probe: 'value',
      unit: 'ms',
    },
    {
      group,
      name: `the floor of a build: the sort of ${keys}, nothing read`,
      command: `${probe('build-floor')} --out "$PROBE" --sort ${usersKeys}`,
      probe: 'value',
      unit: 'ms',
    },
    {
      group,
      name: 'mf-join alone, one process',
      command: `${mfJoin} --table users=${tables.usersTable} --key field:1 < ${events} > /dev/null`,
      bytes,
      records,
      target: '≥ 1 M records/s',
      meets: ({ recordsPerSecond }) => recordsPerSecond !== undefined && recordsPerSecond >= 1e6,
    },
    {
      group,
      name: 'the floor of a join: lookups of the events’ keys, nothing read or written',
      command: `${probe('lmdb-floor')} --out "$PROBE" --get ${tables.usersTable} --keys ${usersKeys} --lookups ${records}`,
      probe: 'value',
      unit: 'lookups/s',
    },
    {
      group,
      name: 'the floor of an SDK filter: mf-map r (records unchanged), one process',
      command: `node ${root}dist/bundle/bin/mf-map.js r < ${events} > /dev/null`,
      baseline: 'mf-join alone, one process',
      bytes,
      records,
    },
    {
      group,
      name: 'Map-loading worker alone, one process',
      command: `${mapJoin} ${users} < ${events} > /dev/null`,
      baseline: 'mf-join alone, one process',
      bytes,
      records,
    },
    { group, name: join, command: fanJoin(2, tables.usersTable), bytes, records },
    {
      group,
      name: `fan -j 2 --threads --table users -- mf-join`,
      command: fanJoin(2, tables.usersTable, true),
      baseline: join,
      bytes,
      records,
    },
    {
      group,
      name: 'fan -j 2 -- Map-loading worker',
      command: fanMap(2, users),
      baseline: join,
      bytes,
      records,
    },
    // The sorts write the files the join reads: they come before it in every round.
    {
      group,
      name: 'sort the table for join (LC_ALL=C)',
      command: `LC_ALL=C sort -t $'\\t' -k1,1 -o ${sortedUsers} ${users}`,
      bytes: tables.usersBytes,
    },
    {
      group,
      name: 'sort the events for join (LC_ALL=C)',
      command: `LC_ALL=C sort -t $'\\t' -k1,1 -o ${sortedEvents} ${events}`,
      bytes,
    },
    {
      group,
      name: 'join over sorted input (sorts not counted)',
      command: `LC_ALL=C join -t $'\\t' ${sortedEvents} ${sortedUsers} > /dev/null`,
      baseline: join,
      bytes,
      records,
    },
    ...memoryCases(),
    {
      group,
      name: `mf-join ready for its first record, ${big}`,
      command: ready(`${mfJoin} --table users=${tables.wideTable} --key field:1`),
      probe: 'value',
      unit: 'ms later than mf-map',
      target: '< 50 ms',
      meets: ({ probed }) => probed !== undefined && probed < 50,
    },
    {
      group,
      name: `Map-loading worker ready for its first record, ${keys}`,
      command: ready(`${mapJoin} ${users}`),
      probe: 'value',
      unit: 'ms later than mf-map',
    },
    ...[1, 100, 1000].map(
      (batch): Case => ({
        group,
        name: `table serve, ${batch} key${batch > 1 ? 's' : ''} per request`,
        command: `${probe('serve')} --out "$PROBE" --batch ${batch} --keys ${usersKeys} --seconds ${quick ? 0.2 : 3} -- ${manifold} table serve users=${tables.usersTable}`,
        probe: 'value',
        unit: 'lookups/s',
      }),
    ),
  ];
  return cases;

  /** Peak private memory of each way to join, and of 8 workers on the big table. */
  function memoryCases(): Case[] {
    const mb = 'MB private, peak sum of all processes';
    const workers = 'MB private, peak sum of the workers';
    const eight = `fan -j 8 -- mf-join, ${small}: memory`;
    const rows: [string, string, string | undefined, string, string | undefined][] = [
      [`${join}: memory`, fanJoin(2, tables.usersTable), undefined, mb, undefined],
      [
        'fan -j 2 -- Map-loading worker: memory',
        fanMap(2, users),
        undefined,
        mb,
        `${join}: memory`,
      ],
      [
        'join over sorted input: memory',
        `LC_ALL=C join -t $'\\t' ${sortedEvents} ${sortedUsers} > /dev/null`,
        undefined,
        mb,
        `${join}: memory`,
      ],
      [eightBig, fanJoin(8, tables.wideTable), 'mf-join', workers, undefined],
      // Threads: the workers live in manifold's process, which maps the table once.
      [eightThreads, fanJoin(8, tables.wideTable, true), 'manifold', mb, eightBig],
      [eight, fanJoin(8, tables.usersTable), 'mf-join', workers, undefined],
      [
        `fan -j 8 -- Map-loading worker, ${small}: memory`,
        fanMap(8, users),
        'map-join',
        workers,
        eight,
      ],
      [
        `one Map-loading worker, ${big}: memory (× 8 for -j 8)`,
        fanMap(1, wide),
        'map-join',
        workers,
        undefined,
      ],
    ];
    return rows.map(([name, command, match, unit, baseline]) => ({
      group,
      name,
      command: memory(command, match),
      probe: 'value',
      unit,
      ...(baseline ? { baseline } : {}),
      ...(name === eightBig || name === eightThreads
        ? {
            target: '< 320 MB (8 × 40 MB)',
            meets: ({ probed }: { probed?: number }) => probed !== undefined && probed < 320,
          }
        : {}),
    }));
  }
}
