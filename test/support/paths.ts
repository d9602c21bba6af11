import { join, resolve } from 'node:path';

/** The repository's root, for tests that read its files or run its commands. */
export const ROOT = resolve(__dirname, '../..');
export const fromRoot = (...parts: string[]): string => join(ROOT, ...parts);
