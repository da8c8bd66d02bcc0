import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderEnvExample, withSettingsTable } from '@cameramonit/config';
import { repoRoot } from './support/platform.harness.js';

describe('generated files', () => {
  it('.env.example and the README settings table match libs/config (run npm run gen:settings)', () => {
    expect(readFileSync(join(repoRoot, '.env.example'), 'utf8')).toBe(renderEnvExample());
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    expect(readme).toBe(withSettingsTable(readme));
  });
});
