import { statfs } from 'node:fs/promises';

/** Bytes an unprivileged process may still write on the file system that holds `folder`. */
export type FreeSpaceReader = (folder: string) => Promise<number>;

/** Nest token of the reader the retention service's disk guard uses (a test gives one that simulates a nearly full disk). */
export const FREE_SPACE_READER = Symbol('FREE_SPACE_READER');

/** The real one: statfs, blocks available to non-root users times the block size (what `df` calls Avail). */
export const statfsFreeSpace: FreeSpaceReader = async (folder) => {
  const stats = await statfs(folder);
  return stats.bavail * stats.bsize;
};
