import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One end-to-end platform at a time (the end-to-end and integration tests run side by side, two
 * files at once): platforms on the shared Mosquitto of the second CI pass would answer each
 * other's requests, and two of them on two cores would starve each other. A test that serves the
 * platform's own request topics on Mosquitto (the bus test) takes the same lock.
 *
 * The lock is a directory (mkdir is atomic) holding the owner's pid; a lock whose owner died is
 * taken over. E2E_PORT_OFFSET (several checkouts on one machine) gives each checkout its own lock.
 */
const lockDir = join(tmpdir(), `cameramonit-platform-${process.env.E2E_PORT_OFFSET ?? '0'}.lock`);

export type ReleasePlatformLock = () => void;

function ownerOf(dir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryTake(): boolean {
  try {
    mkdirSync(lockDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = ownerOf(lockDir);
    // an owner that died (or a lock left half-made a while ago) is taken over
    if (owner !== null && alive(owner)) return false;
    // no pid yet: its maker is between mkdir and writing it, unless that was long ago
    if (owner === null && Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? 0) < 10_000) return false;
    rmSync(lockDir, { recursive: true, force: true });
    return tryTake();
  }
  writeFileSync(join(lockDir, 'pid'), String(process.pid));
  return true;
}

/** Waits (up to `timeoutMs`) until no other platform runs, and returns the function that lets the next one go. */
export async function takePlatformLock(timeoutMs = 15 * 60_000): Promise<ReleasePlatformLock> {
  const deadline = Date.now() + timeoutMs;
  while (!tryTake()) {
    if (Date.now() > deadline) throw new Error(`Another end-to-end platform (pid ${ownerOf(lockDir) ?? '?'}) held ${lockDir} for ${Math.round(timeoutMs / 60_000)} min`);
    await new Promise((done) => setTimeout(done, 250));
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    if (ownerOf(lockDir) === process.pid) rmSync(lockDir, { recursive: true, force: true });
  };
  process.on('exit', release);
  return release;
}
