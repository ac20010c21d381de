import { randomUUID } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StateFileError } from './errors';
import type { StoredSecret } from './secret-model';
import { validateStateEntries } from './state-entries';

const FORMAT = 'rotor-secrets-manager-local-state';

interface StateDocument {
  format: typeof FORMAT;
  version: 1;
  region: string;
  accountId: string;
  secrets: StoredSecret[];
}

/** Reads a state file written by `StateFileWriter`; undefined when there is none yet. */
export async function loadState(
  file: string,
  region: string,
  accountId: string,
): Promise<StoredSecret[] | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(`Cannot read state file ${file}: ${(error as Error).message}`, { cause: error });
  }
  let doc: Partial<StateDocument>;
  try {
    doc = JSON.parse(text) as Partial<StateDocument>;
  } catch (error) {
    // Refuse rather than start empty: starting would overwrite whatever the file still holds.
    throw new StateFileError(`State file ${file} is not valid JSON; move it away to start empty.`, {
      cause: error,
    });
  }
  if (doc.format !== FORMAT || doc.version !== 1 || !Array.isArray(doc.secrets)) {
    throw new StateFileError(`State file ${file} is not a secrets-manager-local state file (version 1).`);
  }
  if (doc.region !== region || doc.accountId !== accountId) {
    throw new StateFileError(
      `State file ${file} belongs to region ${doc.region} and account ${doc.accountId}, not ${region} and ${accountId}.`,
    );
  }
  return validateStateEntries(file, doc.secrets, region, accountId);
}

/**
 * Persists the store after changes. Writes go to a temporary file in the same directory, are
 * fsynced and then renamed over the old file, so a crash leaves either the old or the new state,
 * never a torn file. Changes arriving during a write are coalesced into one more write.
 */
export class StateFileWriter {
  private dirty = false;
  private writing: Promise<void> | undefined;

  constructor(
    private readonly file: string,
    private readonly region: string,
    private readonly accountId: string,
    private readonly snapshot: () => StoredSecret[],
    private readonly log: (line: string) => void,
  ) {}

  schedule(): void {
    this.dirty = true;
    this.writing ??= this.drain().finally(() => {
      this.writing = undefined;
    });
  }

  /**
   * Writes the current state now and throws when that fails. Called before the server listens:
   * an emulator that cannot persist must not acknowledge writes it is going to lose.
   */
  async probe(): Promise<void> {
    try {
      await writeFileAtomically(this.file, `${JSON.stringify(this.document())}\n`);
    } catch (error) {
      throw new StateFileError(`Cannot write state file ${this.file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** Resolves once everything changed so far is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    // Let the rest of the current request's changes land before taking the snapshot.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.dirty) {
      this.dirty = false;
      try {
        await writeFileAtomically(this.file, `${JSON.stringify(this.document())}\n`);
      } catch (error) {
        this.log(
          JSON.stringify({ event: 'state-write-failed', file: this.file, error: (error as Error).message }),
        );
      }
    }
  }

  private document(): StateDocument {
    return {
      format: FORMAT,
      version: 1,
      region: this.region,
      accountId: this.accountId,
      secrets: this.snapshot(),
    };
  }
}

async function writeFileAtomically(file: string, text: string): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomUUID()}.tmp`);
  try {
    // 0600: the file holds secret values in plain text.
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dirname(file));
}

/** Makes the rename itself durable; not possible on every platform, so best effort. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open a directory for fsync; the rename is still atomic there.
  }
}
