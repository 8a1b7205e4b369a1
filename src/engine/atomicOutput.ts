import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OutputExistsError } from '../core/errors';
import { pathExists } from './fileSystem';

/**
 * An output folder written atomically: files go to a hidden sibling staging folder, which is
 * renamed into place only on `commit()`. `discard()` (on error or cancel) removes it, so a
 * failed or cancelled run leaves nothing behind and an existing output is never half-replaced.
 */
export class AtomicOutput {
  /** Staging folder files are written into. */
  readonly staging: string;
  private committed = false;

  private constructor(
    /** Final folder. */
    readonly target: string,
    private readonly force: boolean,
  ) {
    this.staging = join(dirname(target), `.${basename(target)}.partial-${randomBytes(4).toString('hex')}`);
  }

  /**
   * Checks the target (refusing an existing one unless `force`). The staging folder is created
   * by the first write, so it exists (and shows in the Explorer) only once there is output.
   */
  static async open(target: string, force: boolean): Promise<AtomicOutput> {
    if (!force && (await pathExists(target))) throw new OutputExistsError(target);
    return new AtomicOutput(target, force);
  }

  private created = false;

  private async ensureStaging(): Promise<void> {
    if (this.created) return;
    await mkdir(this.staging, { recursive: true });
    this.created = true;
  }

  /** The staging folder (it exists once something was written): a supervisor that has to kill the job removes it. */
  get stagingPath(): string {
    return this.staging;
  }

  /** Path of a file in the staging folder. */
  stagedPath(name: string): string {
    return join(this.staging, name);
  }

  /** Writes one file into the staging folder. */
  async write(name: string, bytes: Uint8Array | string): Promise<string> {
    await this.ensureStaging();
    const path = this.stagedPath(name);
    await writeFile(path, bytes);
    return path;
  }

  /** Moves the staging folder into place, replacing an existing target only when forced. */
  async commit(): Promise<void> {
    await this.ensureStaging();
    if (await pathExists(this.target)) {
      if (!this.force) throw new OutputExistsError(this.target);
      const old = `${this.staging}.old`;
      await rename(this.target, old);
      await rename(this.staging, this.target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(this.staging, this.target);
    }
    this.committed = true;
  }

  /** Removes the staging folder if it was not committed. */
  async discard(): Promise<void> {
    if (!this.committed) await rm(this.staging, { recursive: true, force: true });
  }
}
