// Writes .env.example and the README's settings table from libs/config's one list of settings.
// Run after a build: npm run gen:settings (test/generated-files.spec.ts fails when they are stale).
import { readFileSync, writeFileSync } from 'node:fs';
import { renderEnvExample, withSettingsTable } from '../libs/config/dist/index.js';

writeFileSync('.env.example', renderEnvExample());
writeFileSync('README.md', withSettingsTable(readFileSync('README.md', 'utf8')));
console.log('wrote .env.example and the settings table of README.md');
