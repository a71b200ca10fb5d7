import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputReader } from '../fan/input.js';
import { reasonInWords, systemReason } from '../options/inputs.js';
import type { NodeBytes, NodeEnd, RunningNode } from './node.js';
import { spoolPath, TeeBranch } from './tee-branch.js';

/**
 * Copies one stream to several branches, like `tee` into process substitutions. It reads on
 * while any branch keeps up: a branch that falls behind by more than its pipe and 4 MiB in memory
 * has the rest spooled to a temporary file (`tee-branch.ts`, `manifold-tee-*` under `$TMPDIR`),
 * so that a join that reads its branches in step, or one branch before the other, never waits
 * for ever; it waits only while every branch is behind. A branch that stops reading (a `head`)
 * is let go; the others go on. When every branch has gone, reading stops, and the writer
 * upstream ends as it would in a shell.
 */
export class TeeNode implements RunningNode {
  readonly label: string;
  readonly description: string;
  readonly pids: number[] = [];
  readonly ended: Promise<NodeEnd>;
  readonly #input: InputReader;
  /** The branches still copied to; `#branches`, every one, for their counts. */
  readonly #outputs: TeeBranch[];
  readonly #branches: readonly TeeBranch[];
  #read = 0;
  /** Where branches that fall behind are spooled: made when the first one does. */
  #folder: string | null = null;
  #spools = 0;
  #stopped = false;
  /** Why a branch that was let go lost what it had spooled: the run fails with it. */
  #lost: string | null = null;
  /** Wakes the reading loop when a branch catches up or goes. */
  #wake: (() => void) | null = null;

  constructor(label: string, input: number, outputs: number[]) {
    this.label = label;
    this.description = `copy to ${outputs.length} branches`;
    this.#input = new InputReader(null, input);
    this.#outputs = outputs.map((fd, index) => {
      const branch: TeeBranch = new TeeBranch(
        fd,
        () => spoolPath(this.#spoolFolder(), index, ++this.#spools),
        () => this.#woken(),
        () => this.#drop(branch),
      );
      return branch;
    });
    this.#branches = [...this.#outputs];
    this.ended = this.#run();
  }

  bytes(): NodeBytes {
    const byOutput = this.#branches.map((branch) => branch.written);
    return { read: this.#read, written: byOutput.reduce((a, b) => a + b, 0), byOutput };
  }

  stop(): void {
    this.#stopped = true;
    this.#input.close();
    for (const branch of this.#outputs.splice(0)) branch.destroy();
    this.#removeFolder();
    this.#woken();
  }

  async #run(): Promise<NodeEnd> {
    let error: string | undefined;
    try {
      for await (const chunk of this.#input.chunks(() => this.#room())) {
        this.#read += chunk.length;
        if (this.#outputs.length === 0) break;
        for (const branch of this.#outputs) branch.write(chunk);
      }
    } catch (failure) {
      if (!this.#stopped) error = this.#reason(failure as NodeJS.ErrnoException);
    }
    this.#input.close();
    // Each output ends once its bytes are out (its spool read back), or at once if it was
    // destroyed meanwhile.
    const outputs = [...this.#outputs];
    if (error !== undefined) for (const branch of outputs) branch.destroy();
    await Promise.all(
      outputs.map(
        (branch) =>
          new Promise<void>((resolve) => {
            branch.socket.once('close', () => resolve());
            branch.end();
          }),
      ),
    );
    error ??= this.#lost ?? outputs.find((branch) => branch.error !== null)?.error ?? undefined;
    this.#removeFolder();
    return {
      exitCode: error ? 1 : 0,
      signal: null,
      closedOutput: false,
      error,
      endedAt: Date.now(),
    };
  }

  /** Waits while every branch is behind. */
  async #room(): Promise<void> {
    while (!this.#stopped && this.#outputs.length > 0) {
      if (this.#outputs.some((branch) => branch.keepingUp)) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #woken(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  #spoolFolder(): string {
    this.#folder ??= mkdtempSync(join(tmpdir(), 'manifold-tee-'));
    return this.#folder;
  }

  #removeFolder(): void {
    if (this.#folder !== null) rmSync(this.#folder, { recursive: true, force: true });
    this.#folder = null;
  }

  #reason(failure: NodeJS.ErrnoException): string {
    // A spool is written as the input is read: its failure (a full disk) comes from here too.
    if (failure.syscall === 'mkdtemp')
      return `cannot spool a branch that fell behind: cannot make a temporary folder in ${tmpdir()}: ${reasonInWords(failure)}; set TMPDIR to another folder`;
    if (failure.syscall === 'write' || failure.syscall === 'open')
      return `cannot spool a branch that fell behind: ${systemReason(failure) ?? failure.message}`;
    return `cannot read its input: ${failure.message}`;
  }

  #drop(branch: TeeBranch): void {
    const index = this.#outputs.indexOf(branch);
    if (index >= 0) this.#outputs.splice(index, 1);
    // A reader gone is let go quietly (as tee's SIGPIPE in a shell); a spool lost is not.
    this.#lost ??= branch.error;
    branch.destroy();
    this.#woken();
  }
}
